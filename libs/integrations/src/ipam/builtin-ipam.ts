import { Injectable } from '@nestjs/common'
import { validate as isUuid, v7 as uuidv7 } from 'uuid'
import type { IpamRole } from '#domain/index.js'
import { type Prisma, PrismaService } from '#persistence/index.js'
import { conflict, notFound, SourceOfTruthError } from '../errors.js'
import { describeHolder, lockedSubscriptionHolder, stillHolds, type SubscriptionHolder } from '../subscription-holds.js'
import type { AddressRequest, Allocation, AllocationOwner, Ipam, PrefixRequest } from './ipam.js'
import { bitsOf, firstFree, formatPrefix, parsePrefix, sizeOf } from './prefix.js'
import { checkLength, repeatedAllocation } from './request-rules.js'

/** An allocation with the name of its pool, as toAllocation reads it. */
const WITH_POOL_NAME = { pool: { select: { name: true } } } as const

type Tx = Prisma.TransactionClient
type AllocationRow = Prisma.IpamAllocationGetPayload<{ include: typeof WITH_POOL_NAME }>
type PoolRow = Prisma.IpamPoolGetPayload<object>

export interface PoolInput {
  name: string
  prefix: string
  role: IpamRole
  description?: string
}

export interface Pool {
  id: string
  name: string
  prefix: string
  family: 4 | 6
  role: PoolInput['role']
  description: string
  utilisation: { allocations: number; addresses_used: string; addresses_total: string; percent: number }
  created_at: string
}

/** PostgreSQL prints a host address without its /32 or /128: always show the length. */
const canonical = (prefix: string) => formatPrefix(parsePrefix(prefix))

const toAllocation = (row: AllocationRow): Allocation => ({
  id: row.id,
  pool: row.pool.name,
  prefix: canonical(row.prefix),
  subscription_id: row.subscriptionId,
  purpose: row.purpose,
  description: row.description,
  created_at: row.createdAt.toISOString(),
})

/**
 * The built-in IPAM in PostgreSQL. Allocations from one pool are taken one at a time (the pool's row is locked
 * for the transaction); that they never overlap is also a database constraint, which the tests check directly.
 */
@Injectable()
export class BuiltinIpam implements Ipam {
  constructor(private readonly prisma: PrismaService) {}

  allocatePrefix(request: PrefixRequest): Promise<Allocation> {
    return this.allocate(request, request.length)
  }

  allocateAddress(request: AddressRequest): Promise<Allocation> {
    return this.allocate(request, undefined)
  }

  async allocationOf(owner: AllocationOwner): Promise<Allocation | null> {
    const row = await this.prisma.ipamAllocation.findUnique({ where: ownerKey(owner), include: WITH_POOL_NAME })
    return row && toAllocation(row)
  }

  async release(owner: AllocationOwner): Promise<Allocation | null> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.ipamAllocation.findUnique({ where: ownerKey(owner), include: WITH_POOL_NAME })
      if (!row) return null
      await tx.ipamAllocation.delete({ where: { id: row.id } })
      return toAllocation(row)
    })
  }

  /**
   * An operator's release (DELETE /api/ipam/allocations/…), not a workflow's: refused (409 naming the subscription
   * and the process holding its lock) while the owner is a subscription that still holds it — not terminated, or
   * locked by a process. An owner that is no subscription (any more), or a terminated one, gives it back.
   * The owner's row stays share-locked until the delete commits: a process starting on it meanwhile is waited for.
   */
  async releaseUnlessHeld(owner: AllocationOwner): Promise<Allocation | null> {
    return this.prisma.$transaction(async (tx) => {
      const holder = await lockedSubscriptionHolder(tx, owner.subscription_id)
      const row = await tx.ipamAllocation.findUnique({ where: ownerKey(owner), include: WITH_POOL_NAME })
      if (!row) return null
      const allocation = toAllocation(row)
      if (holder && stillHolds(holder)) throw heldAllocation(holder, allocation)
      // Another release of the same allocation that committed meanwhile has done it already: nothing held, a 404.
      const { count } = await tx.ipamAllocation.deleteMany({ where: { id: row.id } })
      return count ? allocation : null
    })
  }

  /**
   * The same refusal for an allocation kept in another IPAM (NetBox), checked before that IPAM is asked: there, a
   * process that locks the subscription between the check and the release is not waited for.
   */
  async assertNotHeld(owner: AllocationOwner): Promise<void> {
    const holder = await this.prisma.$transaction((tx) => lockedSubscriptionHolder(tx, owner.subscription_id))
    if (holder && stillHolds(holder)) throw heldAllocation(holder, owner)
  }

  async createPool(input: PoolInput): Promise<Pool> {
    const prefix = parsePrefix(input.prefix)
    const overlapping = await this.prisma.$queryRaw<{ name: string; prefix: string }[]>`
      SELECT name, prefix::text FROM ipam_pools WHERE prefix && ${formatPrefix(prefix)}::inet`
    if (overlapping.length) throw conflict(`pool ${formatPrefix(prefix)} overlaps ${overlapping.map((o) => `${o.name} (${o.prefix})`).join(', ')}`)
    const existing = await this.prisma.ipamPool.findUnique({ where: { name: input.name } })
    if (existing) throw conflict(`a pool named ${input.name} exists already (${existing.prefix})`)
    const row = await this.prisma.ipamPool.create({
      data: { id: uuidv7(), name: input.name, prefix: formatPrefix(prefix), role: input.role, description: input.description ?? '' },
    })
    return this.withUtilisation(row)
  }

  async pools(role?: PoolInput['role']): Promise<Pool[]> {
    const rows = await this.prisma.ipamPool.findMany({ where: role ? { role } : {}, orderBy: { name: 'asc' } })
    return Promise.all(rows.map((r) => this.withUtilisation(r)))
  }

  async pool(nameOrId: string): Promise<Pool> {
    return this.withUtilisation(await this.poolRow(this.prisma, nameOrId))
  }

  /** A pool's allocations in address order. */
  async allocations(nameOrId: string): Promise<Allocation[]> {
    const pool = await this.poolRow(this.prisma, nameOrId)
    const rows = await this.prisma.ipamAllocation.findMany({ where: { poolId: pool.id }, include: WITH_POOL_NAME })
    const start = (row: AllocationRow) => parsePrefix(row.prefix).start
    return rows.sort((a, b) => (start(a) < start(b) ? -1 : 1)).map(toAllocation)
  }

  /** Allocations of a subscription (in every pool) or of a pool, oldest first. */
  async findAllocations(filter: { subscription_id?: string; pool?: string }): Promise<Allocation[]> {
    const pool = filter.pool ? await this.poolRow(this.prisma, filter.pool) : undefined
    const rows = await this.prisma.ipamAllocation.findMany({
      where: { ...(filter.subscription_id ? { subscriptionId: filter.subscription_id } : {}), ...(pool ? { poolId: pool.id } : {}) },
      include: WITH_POOL_NAME,
      orderBy: { createdAt: 'asc' },
    })
    return rows.map(toAllocation)
  }

  /**
   * Deletes an empty pool; one that still has allocations is a conflict naming how many, and the subscriptions that
   * still hold some of them (not terminated, or locked by a process), which only their own processes give back.
   * The pool's row is locked first, as an allocation locks it: none is taken between the count and the delete.
   */
  async deletePool(nameOrId: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const pool = await this.lockPool(tx, nameOrId)
      const count = await tx.ipamAllocation.count({ where: { poolId: pool.id } })
      if (count) {
        // The first ten that subscriptions still hold are named, and how many there are in all.
        const held = await tx.$queryRaw<(SubscriptionHolder & { purpose: string; prefix: string; total: bigint })[]>`
          SELECT s.id::text AS id, s.product, s.lifecycle::text AS lifecycle, s.locked_by::text AS locked_by, p.workflow AS lock_workflow,
                 a.purpose, a.prefix::text AS prefix, count(*) OVER () AS total
          FROM ipam_allocations a
          JOIN subscriptions s ON s.id = a.subscription_id
          LEFT JOIN processes p ON p.id = s.locked_by
          WHERE a.pool_id = ${pool.id}::uuid AND (s.lifecycle <> 'terminated' OR s.locked_by IS NOT NULL)
          ORDER BY a.prefix
          LIMIT 10`
        const total = Number(held[0]?.total ?? 0)
        const holders = held.map((h) => `${canonical(h.prefix)} (${h.purpose}) held by ${describeHolder(h)}`).join('; ')
        const others = count - total
        const plural = (n: number) => `${n} allocation${n === 1 ? '' : 's'}`
        throw conflict(
          `pool ${pool.name} still has ${plural(count)}` +
            (total ? `; ${total} held by live or locked subscriptions, which their own processes give back (terminate): ${holders}${total > held.length ? `; and ${total - held.length} more` : ''}` : '') +
            (others ? `; release ${total ? `the other ${plural(others)}` : 'them'} first` : ''),
        )
      }
      await tx.ipamPool.delete({ where: { id: pool.id } })
    })
  }

  private async allocate(request: PrefixRequest | AddressRequest, length: number | undefined): Promise<Allocation> {
    return this.prisma.$transaction(async (tx) => {
      // Taking the pool's row lock first serialises allocations from this pool, so two never pick the same gap.
      const pool = await this.lockPool(tx, request.pool)
      const space = parsePrefix(pool.prefix)
      const wanted = length ?? bitsOf(space.family)
      const mine = await tx.ipamAllocation.findUnique({ where: ownerKey(request), include: WITH_POOL_NAME })
      const repeated = repeatedAllocation(mine && toAllocation(mine), request, pool.name, wanted)
      if (repeated) return repeated
      checkLength(pool.name, [pool.prefix], wanted)
      const taken = (await tx.$queryRaw<{ prefix: string }[]>`SELECT prefix::text AS prefix FROM ipam_allocations WHERE pool_id = ${pool.id}::uuid`).map((r) =>
        parsePrefix(r.prefix),
      )
      const found = firstFree(space, taken, wanted)
      if (!found) {
        const used = taken.reduce((n, t) => n + sizeOf(t), 0n)
        throw new SourceOfTruthError(
          'exhausted',
          `pool ${pool.name} (${pool.prefix}) has no free /${wanted} left: ${taken.length} allocations use ${used} of its ${sizeOf(space)} addresses`,
        )
      }
      const row = await tx.ipamAllocation.create({
        data: { id: uuidv7(), poolId: pool.id, prefix: formatPrefix(found), subscriptionId: request.subscription_id, purpose: request.purpose, description: request.description ?? '' },
        include: WITH_POOL_NAME,
      })
      return toAllocation(row)
    })
  }

  private async lockPool(tx: Tx, nameOrId: string): Promise<PoolRow> {
    const pool = await this.poolRow(tx, nameOrId)
    await tx.$queryRaw`SELECT 1 FROM ipam_pools WHERE id = ${pool.id}::uuid FOR UPDATE`
    return pool
  }

  private async poolRow(tx: Tx | PrismaService, nameOrId: string): Promise<PoolRow> {
    const pool = await tx.ipamPool.findFirst({ where: isUuid(nameOrId) ? { OR: [{ id: nameOrId }, { name: nameOrId }] } : { name: nameOrId } })
    if (!pool) throw notFound(`IPAM has no pool ${nameOrId}`)
    return pool
  }

  private async withUtilisation(row: PoolRow): Promise<Pool> {
    const space = parsePrefix(row.prefix)
    const prefixes = await this.prisma.$queryRaw<{ prefix: string }[]>`SELECT prefix::text AS prefix FROM ipam_allocations WHERE pool_id = ${row.id}::uuid`
    const used = prefixes.reduce((n, r) => n + sizeOf(parsePrefix(r.prefix)), 0n)
    const total = sizeOf(space)
    return {
      id: row.id,
      name: row.name,
      prefix: formatPrefix(space),
      family: space.family,
      role: row.role,
      description: row.description,
      utilisation: { allocations: prefixes.length, addresses_used: used.toString(), addresses_total: total.toString(), percent: Number((used * 10000n) / total) / 100 },
      created_at: row.createdAt.toISOString(),
    }
  }
}

/** The 409 of an operator's release of what a subscription still holds, naming the subscription and its lock's process. */
const heldAllocation = (holder: SubscriptionHolder, what: AllocationOwner & { prefix?: string; pool?: string }) =>
  conflict(
    `${what.prefix ? `${what.prefix} (${what.purpose}${what.pool ? `, pool ${what.pool}` : ''})` : `the ${what.purpose} allocation`} cannot be released: ` +
      `it is held by ${describeHolder(holder)}; the subscription's own process gives it back (when it is terminated)`,
  )

const ownerKey = (o: AllocationOwner) => ({ subscriptionId_purpose: { subscriptionId: o.subscription_id, purpose: o.purpose } })
