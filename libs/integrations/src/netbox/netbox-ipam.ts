// The Ipam interface on NetBox. A pool is the set of container prefixes with the IPAM role whose slug is the
// pool's name; allocations are child prefixes (available-prefixes) or addresses (available-ips) that carry
// their owner and pool in the description (`loom:<subscription>:<purpose>@<pool>`), which is how asking again
// finds them; the allocation's own description goes into NetBox's comments.
// NetBox serialises concurrent allocations from one prefix itself (an advisory lock per parent).
import { notFound, SourceOfTruthError } from '../errors.js'
import type { AddressRequest, Allocation, AllocationOwner, Ipam, PrefixRequest } from '../ipam/ipam.js'
import { bitsOf, parsePrefix } from '../ipam/prefix.js'
import { checkLength, repeatedAllocation } from '../ipam/request-rules.js'
import type { NetboxClient } from './netbox-client.js'

interface NbPrefix {
  id: number
  prefix: string
  description: string
  comments: string
  created: string
}

interface NbAddress {
  id: number
  address: string
  description: string
  comments: string
  created: string
}

const ownerTag = (o: AllocationOwner) => `loom:${o.subscription_id}:${o.purpose}@`
const poolOf = (description: string) => description.slice(description.indexOf('@') + 1)

export class NetboxIpam implements Ipam {
  constructor(private readonly netbox: NetboxClient) {}

  allocatePrefix(request: PrefixRequest): Promise<Allocation> {
    return this.allocate(request, request.length)
  }

  allocateAddress(request: AddressRequest): Promise<Allocation> {
    return this.allocate(request, undefined)
  }

  async allocationOf(owner: AllocationOwner): Promise<Allocation | null> {
    return (await this.find(owner))?.allocation ?? null
  }

  async release(owner: AllocationOwner): Promise<Allocation | null> {
    const found = await this.find(owner)
    if (!found) return null
    await this.netbox.delete(found.path)
    return found.allocation
  }

  private async allocate(request: PrefixRequest | AddressRequest, length: number | undefined): Promise<Allocation> {
    const containers = await this.netbox.list<NbPrefix>('ipam/prefixes/', { role: request.pool, status: 'container' })
    if (!containers.length) throw notFound(`NetBox has no pool ${request.pool} (no container prefix with IPAM role ${request.pool})`)
    const family = parsePrefix(containers[0].prefix).family
    const wanted = length ?? bitsOf(family)
    const repeated = repeatedAllocation((await this.find(request))?.allocation ?? null, request, request.pool, wanted)
    if (repeated) return repeated
    checkLength(request.pool, containers.map((c) => c.prefix), wanted)
    const body = { description: `${ownerTag(request)}${request.pool}`, comments: request.description ?? '', status: 'active' }
    for (const container of containers) {
      try {
        if (length === undefined) {
          const ip = await this.netbox.post<NbAddress>(`ipam/prefixes/${container.id}/available-ips/`, body)
          return this.toAllocation(request, { ...ip, address: `${ip.address.split('/')[0]}/${wanted}` })
        }
        const prefix = await this.netbox.post<NbPrefix>(`ipam/prefixes/${container.id}/available-prefixes/`, { ...body, prefix_length: wanted })
        return this.toAllocation(request, { ...prefix, address: prefix.prefix })
      } catch (error) {
        // NetBox answers 409 when this container is full: try the next one.
        if (!(error instanceof SourceOfTruthError && error.kind === 'conflict')) throw error
      }
    }
    throw new SourceOfTruthError('exhausted', `pool ${request.pool} (${containers.map((c) => c.prefix).join(', ')}) has no free /${wanted} left`)
  }

  private async find(owner: AllocationOwner): Promise<{ allocation: Allocation; path: string } | null> {
    const query = { description__isw: ownerTag(owner) }
    const [prefix] = await this.netbox.list<NbPrefix>('ipam/prefixes/', query)
    if (prefix) {
      const allocation = this.toAllocation({ ...owner, pool: poolOf(prefix.description), description: prefix.comments }, { ...prefix, address: prefix.prefix })
      return { allocation, path: `ipam/prefixes/${prefix.id}/` }
    }
    const [ip] = await this.netbox.list<NbAddress>('ipam/ip-addresses/', query)
    if (ip) {
      const host = ip.address.split('/')[0]
      const allocation = this.toAllocation({ ...owner, pool: poolOf(ip.description), description: ip.comments }, { ...ip, address: `${host}/${bitsOf(parsePrefix(host).family)}` })
      return { allocation, path: `ipam/ip-addresses/${ip.id}/` }
    }
    return null
  }

  private toAllocation(request: AllocationOwner & { pool: string; description?: string }, object: { id: number; address: string; created: string }): Allocation {
    return {
      id: String(object.id),
      pool: request.pool,
      prefix: object.address,
      subscription_id: request.subscription_id,
      purpose: request.purpose,
      description: request.description ?? '',
      created_at: object.created,
    }
  }
}
