// The rules of an allocation request that hold for every IPAM backend, with the same words in each.
import { conflict, invalid } from '../errors.js'
import type { Allocation, AllocationOwner } from './ipam.js'
import { bitsOf, parsePrefix } from './prefix.js'

/**
 * The owner's existing allocation answers a repeated request (an activity's retry); one from another pool or
 * of another length is a conflict — the owner must release it first.
 */
export function repeatedAllocation(mine: Allocation | null, request: AllocationOwner, pool: string, wanted: number): Allocation | null {
  if (!mine) return null
  if (mine.pool === pool && parsePrefix(mine.prefix).length === wanted) return mine
  throw conflict(`subscription ${request.subscription_id} already holds ${mine.prefix} from pool ${mine.pool} for ${request.purpose}; release it before asking for a /${wanted} from ${pool}`)
}

/** A prefix length the pool (its prefixes, one family) can give: between the longest pool prefix's length and a host. */
export function checkLength(pool: string, prefixes: readonly string[], wanted: number): void {
  const parsed = prefixes.map(parsePrefix)
  const shortest = Math.min(...parsed.map((p) => p.length))
  const longest = bitsOf(parsed[0].family)
  if (!Number.isInteger(wanted) || wanted < shortest || wanted > longest) {
    throw invalid(`a /${wanted} cannot come from pool ${pool} (${prefixes.join(', ')}): the length must be between ${shortest} and ${longest}`)
  }
}
