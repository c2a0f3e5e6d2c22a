import { validate as isUuid } from 'uuid'
import { DomainError } from '#domain/errors.js'
import type { SubscriptionRef } from '#domain/products/validation.js'
import type { Prisma } from '../generated/prisma/client.js'


/** Makes the stored relations of `subscriptionId` exactly `refs`; a reference to no subscription is refused, named. */
export async function writeRelations(tx: Prisma.TransactionClient, subscriptionId: string, refs: readonly SubscriptionRef[]): Promise<void> {
  const malformed = refs.filter((r) => !isUuid(r.subscription_id))
  if (malformed.length) throw new DomainError(malformed.map((r) => `${r.path} must be a subscription id, not ${JSON.stringify(r.subscription_id)}`).join('; '))
  const targets = [...new Set(refs.map((r) => r.subscription_id.toLowerCase()))]
  const existing = new Set((await tx.subscription.findMany({ where: { id: { in: targets } }, select: { id: true } })).map((s) => s.id))
  const dangling = refs.filter((r) => !existing.has(r.subscription_id.toLowerCase()))
  if (dangling.length) throw new DomainError(dangling.map((r) => `${r.path} refers to subscription ${r.subscription_id}, which does not exist`).join('; '))
  await tx.subscriptionRelation.deleteMany({ where: { inUseById: subscriptionId } })
  await tx.subscriptionRelation.createMany({ data: refs.map((r) => ({ inUseById: subscriptionId, path: r.path, dependsOnId: r.subscription_id.toLowerCase() })) })
}

/** Refuses to end a subscription that live subscriptions still use, naming them. */
export async function assertNotInUse(tx: Prisma.TransactionClient, subscriptionId: string): Promise<void> {
  const users = await tx.subscriptionRelation.findMany({
    where: { dependsOnId: subscriptionId, inUseBy: { lifecycle: { not: 'terminated' } } },
    include: { inUseBy: { select: { id: true, product: true, lifecycle: true } } },
    orderBy: [{ inUseById: 'asc' }, { path: 'asc' }],
  })
  if (users.length) {
    throw new DomainError(
      `subscription ${subscriptionId} is still in use by ${users.map((u) => `${u.inUseBy.product} ${u.inUseBy.id} (${u.inUseBy.lifecycle}, ${u.path})`).join(', ')}`,
    )
  }
}
