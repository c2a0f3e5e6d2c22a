// What a start form's check reads, inside the transaction that records the process (see StartCheckContext).
import type { ClaimHolder, LockHolder, StartCheckContext, SubscriptionUser } from '#contracts/forms/index.js'
import { lastCompletedProcesses, type Prisma } from '#persistence/index.js'

/** A start refused by its form's check: each reason names what stands in the way (a 409). */
export class StartRefused extends Error {
  constructor(
    readonly workflow: string,
    readonly reasons: string[],
  ) {
    super(`${workflow} cannot start: ${reasons.join('; ')}`)
    this.name = 'StartRefused'
  }
}

export function startCheckContext(tx: Prisma.TransactionClient, processId: string): StartCheckContext {
  return {
    async usersOf(subscriptionId: string): Promise<SubscriptionUser[]> {
      const rows = await tx.subscriptionRelation.findMany({
        where: { dependsOnId: subscriptionId, inUseBy: { lifecycle: { not: 'terminated' } } },
        include: { inUseBy: { select: { id: true, product: true, lifecycle: true, description: true } } },
        orderBy: [{ inUseById: 'asc' }, { path: 'asc' }],
      })
      return rows.map((r) => ({ id: r.inUseBy.id, product: r.inUseBy.product, lifecycle: r.inUseBy.lifecycle, description: r.inUseBy.description, path: r.path }))
    },

    async claimHolder(resourceType: string, resourceKey: string): Promise<ClaimHolder | null> {
      const claim = await tx.resourceClaim.findUnique({ where: { resourceType_resourceKey: { resourceType, resourceKey } }, include: { process: { select: { workflow: true } } } })
      if (!claim || claim.processId === processId) return null
      return { process_id: claim.processId, workflow: claim.process.workflow, subscription_id: claim.subscriptionId }
    },

    async lockHolder(subscriptionId: string): Promise<LockHolder | null> {
      // FOR SHARE: a start that is locking this subscription right now is waited for, and then seen.
      const [row] = await tx.$queryRaw<{ process_id: string | null; workflow: string | null; target: string | null }[]>`
        SELECT s.locked_by::text AS process_id, p.workflow, p.target::text AS target
        FROM subscriptions s LEFT JOIN processes p ON p.id = s.locked_by
        WHERE s.id = ${subscriptionId}::uuid
        FOR SHARE OF s`
      if (!row?.process_id || row.process_id === processId) return null
      return { process_id: row.process_id, workflow: row.workflow ?? '', target: row.target ?? '' }
    },

    async lastCompleted(subscriptionId: string, workflows: readonly string[]) {
      return (await lastCompletedProcesses(tx, [subscriptionId], workflows))[subscriptionId]
    },
  }
}
