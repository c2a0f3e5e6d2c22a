// Who holds a record of a source of truth (an allocation, a device, an interface) that an operator wants to
// release, delete or rename outside a process: a subscription that is not terminated, or one a process has locked.
// Only its own processes (terminate, modify) give such a record up.
import type { Prisma } from '#persistence/index.js'

export interface SubscriptionHolder {
  id: string
  product: string
  lifecycle: string
  /** the process holding the subscription's lock, if any */
  locked_by: string | null
  /** that process's workflow */
  lock_workflow: string | null
}

/** A subscription still holds what it was given while it is not terminated, and while a process has it locked. */
export const stillHolds = (s: SubscriptionHolder): boolean => s.lifecycle !== 'terminated' || s.locked_by !== null

/** `subscription <id> (node, active)`, and `, locked by process <id> (modify_node)` when a process holds its lock. */
export const describeHolder = (s: SubscriptionHolder): string =>
  `subscription ${s.id} (${s.product}, ${s.lifecycle})${s.locked_by ? `, locked by process ${s.locked_by}${s.lock_workflow ? ` (${s.lock_workflow})` : ''}` : ''}`

/**
 * The subscription, its row share-locked until the transaction ends (null when there is none): a process that is
 * locking it right now (lockSubscriptions, FOR UPDATE) is waited for and then seen, and one that starts later waits
 * for this transaction — a check made under this lock holds until the commit.
 */
export async function lockedSubscriptionHolder(tx: Prisma.TransactionClient, subscriptionId: string): Promise<SubscriptionHolder | null> {
  await tx.$queryRaw`SELECT 1 FROM subscriptions WHERE id = ${subscriptionId}::uuid FOR SHARE`
  // Read by a statement of its own, once the lock is had: a row locked after waiting is re-read, but what a join
  // put next to it is not (the process that took the lock meanwhile would go unnamed).
  const [row] = await tx.$queryRaw<SubscriptionHolder[]>`
    SELECT s.id::text AS id, s.product, s.lifecycle::text AS lifecycle, s.locked_by::text AS locked_by, p.workflow AS lock_workflow
    FROM subscriptions s LEFT JOIN processes p ON p.id = s.locked_by
    WHERE s.id = ${subscriptionId}::uuid`
  return row ?? null
}
