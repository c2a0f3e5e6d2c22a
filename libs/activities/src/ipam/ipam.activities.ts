import { Inject, Injectable } from '@nestjs/common'
import { type AddressRequest, type Allocation, type AllocationOwner, type Ipam, IPAM, type PrefixRequest } from '#integrations/ipam/ipam.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'
import { reported } from '../reported.js'

/**
 * IPAM steps for workflows, on whichever IPAM is configured. Each is idempotent twice over: by (process, step)
 * through the step log, and by (subscription, purpose) in the IPAM itself, so that a worker killed between the
 * allocation and the step's record gets the same allocation on its retry. `releaseAllocation` is the inverse
 * the engine runs when a process that allocated is aborted.
 */
@Injectable()
export class IpamActivities {
  constructor(
    private readonly steps: StepLog,
    @Inject(IPAM) private readonly ipam: Ipam,
  ) {}

  async allocatePrefix(input: StepContext & PrefixRequest): Promise<Allocation> {
    const { process_id, step, started_at, ...request } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const allocation = await reported(this.ipam.allocatePrefix(request))
      return { result: allocation, state_delta: { [request.purpose]: allocation.prefix } }
    })
  }

  async allocateAddress(input: StepContext & AddressRequest): Promise<Allocation> {
    const { process_id, step, started_at, ...request } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const allocation = await reported(this.ipam.allocateAddress(request))
      return { result: allocation, state_delta: { [request.purpose]: allocation.prefix } }
    })
  }

  /** Several prefixes in one step (a link's IPv4 and IPv6 subnets); each idempotent by (subscription, purpose). */
  async allocatePrefixes(input: StepContext & { requests: PrefixRequest[] }): Promise<Allocation[]> {
    const { process_id, step, started_at, requests } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const allocations: Allocation[] = []
      for (const request of requests) allocations.push(await reported(this.ipam.allocatePrefix(request)))
      return { result: allocations, state_delta: Object.fromEntries(requests.map((r, i) => [r.purpose, allocations[i].prefix])) }
    })
  }

  /** The inverse of allocatePrefixes. */
  async releaseAllocations(input: StepContext & { owners: AllocationOwner[] }): Promise<{ released: (string | null)[] }> {
    const { process_id, step, started_at, owners } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const released: (string | null)[] = []
      for (const owner of owners) released.push((await reported(this.ipam.release(owner)))?.prefix ?? null)
      return { result: { released }, state_delta: Object.fromEntries(owners.map((o) => [o.purpose, null])) }
    })
  }

  /** What IPAM holds for each owner now (a validation reads it); null for an owner that holds nothing. */
  async readAllocations(input: StepContext & { owners: AllocationOwner[] }): Promise<(Allocation | null)[]> {
    const { process_id, step, started_at, owners } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const held: (Allocation | null)[] = []
      for (const owner of owners) held.push(await reported(this.ipam.allocationOf(owner)))
      return { result: held, state_delta: Object.fromEntries(owners.map((o, i) => [o.purpose, held[i]?.prefix ?? null])) }
    })
  }

  /** Gives back what the subscription holds for the purpose; nothing held is not an error (already released). */
  async releaseAllocation(input: StepContext & AllocationOwner): Promise<{ released: string | null }> {
    const { process_id, step, started_at, ...owner } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const released = await reported(this.ipam.release(owner))
      return { result: { released: released?.prefix ?? null }, state_delta: { [owner.purpose]: null } }
    })
  }
}
