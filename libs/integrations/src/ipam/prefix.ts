// IPv4 and IPv6 prefixes as numbers: what finding the next free subnet needs (alignment, ends, gaps).
import ipaddr from 'ipaddr.js'
import { invalid } from '../errors.js'

export interface Prefix {
  family: 4 | 6
  /** the first address, as a number */
  start: bigint
  length: number
}

export const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128)
export const sizeOf = (p: Prefix) => 1n << BigInt(bitsOf(p.family) - p.length)
export const endOf = (p: Prefix) => p.start + sizeOf(p) - 1n

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n)
}

function toBytes(n: bigint, family: 4 | 6): number[] {
  const bytes: number[] = []
  for (let i = 0; i < bitsOf(family) / 8; i++) bytes.unshift(Number((n >> BigInt(8 * i)) & 0xffn))
  return bytes
}

/** `10.0.0.0/24`, `2001:db8::/48`; a single address without a length is a /32 or /128. Host bits must be zero. */
export function parsePrefix(text: string): Prefix {
  let address: ipaddr.IPv4 | ipaddr.IPv6
  let length: number
  try {
    ;[address, length] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), -1]
  } catch {
    throw invalid(`${JSON.stringify(text)} is not an IPv4 or IPv6 prefix (like 10.0.0.0/24 or 2001:db8::/48)`)
  }
  const family = address.kind() === 'ipv4' ? 4 : 6
  const prefix: Prefix = { family, start: toBigInt(address.toByteArray()), length: length < 0 ? bitsOf(family) : length }
  if (prefix.start % sizeOf(prefix) !== 0n) throw invalid(`${text} has host bits set: the network is ${formatPrefix({ ...prefix, start: prefix.start - (prefix.start % sizeOf(prefix)) })}`)
  return prefix
}

/** The address part only, e.g. `10.0.0.1`. */
export function formatAddress(n: bigint, family: 4 | 6): string {
  return ipaddr.fromByteArray(toBytes(n, family)).toString()
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.start, p.family)}/${p.length}`
}

/**
 * The lowest aligned block of `length` inside `pool` that overlaps none of `taken` (in any order), or
 * undefined when the pool has none left. Single addresses (a /32 or /128) skip the addresses a subnet
 * reserves: an IPv4 pool's network and broadcast addresses, an IPv6 pool's subnet-router anycast address.
 */
export function firstFree(pool: Prefix, taken: readonly Prefix[], length: number): Prefix | undefined {
  const size = 1n << BigInt(bitsOf(pool.family) - length)
  // A /31 or /127 (RFC 3021, RFC 6164) has no reserved addresses.
  const reserves = length === bitsOf(pool.family) && pool.length < bitsOf(pool.family) - 1
  const reservedLow = reserves ? 1n : 0n
  const last = endOf(pool) - (reserves && pool.family === 4 ? 1n : 0n)
  const alignUp = (n: bigint) => ((n + size - 1n) / size) * size
  let candidate = alignUp(pool.start + reservedLow)
  for (const t of [...taken].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    if (endOf(t) < candidate) continue
    if (candidate + size - 1n < t.start) break
    candidate = alignUp(endOf(t) + 1n)
  }
  return candidate + size - 1n <= last ? { family: pool.family, start: candidate, length } : undefined
}
