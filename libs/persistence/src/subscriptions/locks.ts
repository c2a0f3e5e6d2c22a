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
 * `quietly` takes the locks alone: nothing a reader sees changes (no version, `insync` as it was) until
 * markLockedOutOfSync — the gateway's start, which may yet be forgotten when Temporal does not take it.
 */
export async function lockSubscriptions(
  tx: Prisma.TransactionClient,
  processId: string,
  subscriptionIds: readonly string[],
  opts: { borrowFrom?: string; quietly?: boolean } = {},
): Promise<void> {
  if (subscriptionIds.length === 0) return
  const { borrowFrom, quietly = false } = opts
  const ids = [...new Set(subscriptionIds)]
  // Row locks in id order, the same for every caller, so that two processes locking overlapping sets cannot deadlock.
  const rows = await tx.$queryRaw<{ id: string; locked_by: string | null }[]>`
    SELECT id::text, locked_by::text FROM subscriptions WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`
  const found = new Map(rows.map((r) => [r.id, r.locked_by]))
  const refused = ids.filter((id) => !found.has(id) || ![null, processId, borrowFrom].includes(found.get(id)))
  if (refused.length) throw new SubscriptionLocked(refused.map((id) => ({ subscription_id: id, process_id: found.get(id) ?? null })))
  const own = ids.filter((id) => !borrowFrom || found.get(id) !== borrowFrom)
  if (own.length === 0) return
  if (quietly) await tx.$executeRaw`UPDATE subscriptions SET locked_by = ${processId}::uuid WHERE id = ANY(${own}::uuid[])`
  else await tx.$executeRaw`
    UPDATE subscriptions SET locked_by = ${processId}::uuid, insync = false, version = version + 1, updated_at = now()
    WHERE id = ANY(${own}::uuid[])`
}

/** What lockSubscriptions `quietly` left for later: the process's subscriptions out of sync, a new version each. */
export async function markLockedOutOfSync(db: Prisma.TransactionClient, processId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE subscriptions SET insync = false, version = version + 1, updated_at = now()
    WHERE locked_by = ${processId}::uuid AND insync`
}
