// Whose SSH host key a device must show before Loom sends it a credential: the keys a known_hosts file lists
// for its address (LOOM_DEVICE_KNOWN_HOSTS), or — trust on first use (LOOM_DEVICE_HOST_KEYS=tofu) — the key it
// showed the first time, recorded in the database that every worker shares.
import { createHash, createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { PrismaService } from '#persistence/index.js'

/** `SHA256:…`, as `ssh-keygen -l` prints a key's fingerprint. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/** The key's type, as its blob begins (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown'
  const length = key.readUInt32BE(0)
  return length > 0 && length < 64 && key.length >= 4 + length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown'
}

/** A key for messages: its type and fingerprint. */
export const describeKey = (key: Buffer) => `${keyTypeOf(key)} ${fingerprintOf(key)}`

export interface KnownKeys {
  /** the keys listed for the host (a presented key must be one of them) */
  keys: Buffer[]
  /** keys marked @revoked, refused for any host */
  revoked: Buffer[]
}

/** `*` and `?` as in ssh_config patterns; everything else literally. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i')
}

/** Whether a known_hosts host field names `name`: a hashed entry (`|1|salt|hash`) or patterns, `!` negating. */
function namesHost(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|')
    if (!salt || !hash) return false
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
  }
  let matched = false
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!')
    if (!wildcard(negated ? pattern.slice(1) : pattern).test(name)) continue
    if (negated) return false
    matched = true
  }
  return matched
}

/**
 * The keys a known_hosts file lists for `host` (as OpenSSH looks it up: `host` on port 22, `[host]:port`
 * otherwise; plain, wildcard or hashed entries), and the revoked ones. @cert-authority lines are not supported
 * and are skipped.
 */
export function knownKeysFor(path: string, host: string, port: number): KnownKeys {
  const name = port === 22 ? host : `[${host}]:${port}`
  const found: KnownKeys = { keys: [], revoked: [] }
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined
    const [hosts, , key] = fields
    if (!hosts || !key) continue
    const blob = Buffer.from(key, 'base64')
    if (marker === '@revoked') found.revoked.push(blob)
    else if (marker === undefined && namesHost(hosts, name)) found.keys.push(blob)
  }
  return found
}

/** The first key a device showed (trust on first use). */
export interface TrustedKey {
  key: Buffer
  /** whether this call recorded it (the device was never reached before) */
  first: boolean
  /** where and when it was first seen */
  first_host: string
  first_seen_at: Date
}

/** Where trust-on-first-use keeps the first key of each device. */
export interface HostKeyRecord {
  /**
   * The key `device` is held to: the one recorded for it, or `key` (recorded now) when there is none. Two workers
   * reaching a new device at once agree on one key: the first record wins, the other worker is held to it.
   */
  trustOnFirstUse(device: string, host: string, key: Buffer): Promise<TrustedKey>
}

/** The record in PostgreSQL (device_host_keys), shared by every worker. */
export class PrismaHostKeyRecord implements HostKeyRecord {
  constructor(private readonly prisma: PrismaService) {}

  async trustOnFirstUse(device: string, host: string, key: Buffer): Promise<TrustedKey> {
    const { count } = await this.prisma.deviceHostKey.createMany({
      data: [{ device, keyType: keyTypeOf(key), key: key.toString('base64'), fingerprint: fingerprintOf(key), firstHost: host }],
      skipDuplicates: true,
    })
    const row = await this.prisma.deviceHostKey.findUniqueOrThrow({ where: { device } })
    return { key: Buffer.from(row.key, 'base64'), first: count === 1, first_host: row.firstHost, first_seen_at: row.firstSeenAt }
  }
}
