// What workflows need from an IPAM, whichever one it is (built-in or NetBox): allocations that belong to a
// subscription and a purpose, so that asking again — an activity retried after a crash — returns the same one.

export interface AllocationOwner {
  subscription_id: string
  /** what the subscription uses it for, e.g. loopback_ipv4 */
  purpose: string
}

export interface Allocation extends AllocationOwner {
  id: string
  /** the pool's name */
  pool: string
  /** e.g. 10.0.0.0/31, or 10.255.0.7/32 for a single address */
  prefix: string
  description: string
  created_at: string
}

export interface PrefixRequest extends AllocationOwner {
  pool: string
  /** the prefix length wanted, e.g. 31, 127 or 64 */
  length: number
  description?: string
}

export interface AddressRequest extends AllocationOwner {
  pool: string
  description?: string
}

export interface Ipam {
  /** The next free prefix of `length` in the pool; the owner's existing one if it has one. */
  allocatePrefix(request: PrefixRequest): Promise<Allocation>
  /** The next free single address (/32, /128) in the pool; the owner's existing one if it has one. */
  allocateAddress(request: AddressRequest): Promise<Allocation>
  /** The owner's allocation, or null. */
  allocationOf(owner: AllocationOwner): Promise<Allocation | null>
  /** Gives the owner's allocation back; null when it had none (releasing twice is harmless). */
  release(owner: AllocationOwner): Promise<Allocation | null>
}

export const IPAM = Symbol('Ipam')
