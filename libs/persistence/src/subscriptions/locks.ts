import type { Prisma } from '../generated/prisma/client.js'

export class SubscriptionLocked extends Error {
  constructor(readonly holders: { subscription_id: string; process_id: string | null }[]) {
    super(
      holders
        .map((h) => (h.process_id ? `subscription ${h.subscription_id} is locked by process ${h.process_id}` : `subscription ${h.subscription_id} does not exist`))
        .join('; '),
    )
    this.name = 'SubscriptionLocked'
  }
}

/**
 * Locks every subscription a process will touch, all or none: `locked_by` the process and `insync` false.
 * Run inside the transaction that records the process; a subscription held by another process (or missing)
 * throws SubscriptionLocked naming it, and the caller's transaction rolls back. A sub-process borrows what its
 * parent (`borrowFrom`) holds: those stay locked by the parent, which alone releases them when it ends.
 */
export async function lockSubscriptions(tx: Prisma.TransactionClient, processId: string, subscriptionIds: readonly string[], borrowFrom?: string): Promise<void> {
  if (subscriptionIds.length === 0) return
  const ids = [...new Set(subscriptionIds)]
  // Row locks in id order, the same for every caller, so that two processes locking overlapping sets cannot deadlock.
  const rows = await tx.$queryRaw<{ id: string; locked_by: string | null }[]>`
    SELECT id::text, locked_by::text FROM subscriptions WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`
  const found = new Map(rows.map((r) => [r.id, r.locked_by]))
  const refused = ids.filter((id) => !found.has(id) || ![null, processId, borrowFrom].includes(found.get(id)))
  if (refused.length) throw new SubscriptionLocked(refused.map((id) => ({ subscription_id: id, process_id: found.get(id) ?? null })))
  const own = ids.filter((id) => !borrowFrom || found.get(id) !== borrowFrom)
  if (own.length === 0) return
  await tx.$executeRaw`
    UPDATE subscriptions SET locked_by = ${processId}::uuid, insync = false, version = version + 1, updated_at = now()
    WHERE id = ANY(${own}::uuid[])`
}
