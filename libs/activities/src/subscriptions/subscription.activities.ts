import { Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import type { Lifecycle } from '#domain/index.js'
import { productNamed } from '#domain/products/catalog.js'
import { searchTextOf } from '#domain/products/search-text.js'
import { assertDomainModel, subscriptionRefs } from '#domain/products/validation.js'
import { assertNotInUse, type Prisma, PrismaService, writeRelations } from '#persistence/index.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'

export interface NewSubscription {
  id: string
  product: string
  customer_id: string
  description: string
  domain_model: Record<string, unknown>
}

export interface SubscriptionUsing {
  id: string
  product: string
  lifecycle: Lifecycle
  description: string
  domain_model: Record<string, unknown>
}

export interface Claim {
  resource_type: string
  resource_key: string
}

@Injectable()
export class SubscriptionActivities {
  constructor(
    private readonly steps: StepLog,
    private readonly prisma: PrismaService,
  ) {}

  /**
   * The seed's store_process_subscription: the subscription in lifecycle `initial`, locked by this process,
   * linked to it, and holding the resources the process claimed (claimed here if the API did not already).
   */
  async storeProcessSubscription(input: StepContext & { subscription: NewSubscription; claims: Claim[] }): Promise<{ subscription_id: string }> {
    const { subscription: s, process_id } = input
    return this.steps.once(input, async (tx) => {
      const product = productNamed(s.product)
      assertDomainModel(product, 'initial', s.domain_model)
      await tx.subscription.create({
        data: { id: s.id, product: s.product, customerId: s.customer_id, description: s.description, domainModel: s.domain_model as Prisma.InputJsonObject, searchText: searchTextOf(s), lifecycle: 'initial', insync: false, lockedBy: process_id },
      })
      await writeRelations(tx, s.id, subscriptionRefs(product, s.domain_model))
      await tx.processSubscription.create({ data: { processId: process_id, subscriptionId: s.id } })
      for (const claim of input.claims) {
        const inserted = await tx.$executeRaw`
          INSERT INTO resource_claims (resource_type, resource_key, process_id, subscription_id)
          VALUES (${claim.resource_type}, ${claim.resource_key}, ${process_id}::uuid, ${s.id}::uuid)
          ON CONFLICT (resource_type, resource_key) DO UPDATE SET subscription_id = EXCLUDED.subscription_id
          WHERE resource_claims.process_id = EXCLUDED.process_id`
        if (inserted === 0) {
          const holder = await tx.resourceClaim.findUnique({ where: { resourceType_resourceKey: { resourceType: claim.resource_type, resourceKey: claim.resource_key } } })
          throw ApplicationFailure.nonRetryable(
            `${claim.resource_type} ${claim.resource_key} is held by process ${holder?.processId}${holder?.subscriptionId ? ` (subscription ${holder.subscriptionId})` : ''}`,
            'Conflict',
          )
        }
      }
      return { result: { subscription_id: s.id }, state_delta: { subscription_id: s.id, lifecycle: 'initial', description: s.description } }
    })
  }

  /** A subscription as it is now (read only: nothing to make idempotent). */
  async readSubscription(input: StepContext & { subscription_id: string }): Promise<{ product: string; lifecycle: Lifecycle; customer_id: string; domain_model: Record<string, unknown> }> {
    const s = await this.prisma.subscription.findUnique({ where: { id: input.subscription_id } })
    if (!s) throw ApplicationFailure.nonRetryable(`no subscription ${input.subscription_id}`, 'NotFound')
    return { product: s.product, lifecycle: s.lifecycle, customer_id: s.customerId, domain_model: s.domainModel as Record<string, unknown> }
  }

  /** Several subscriptions at once (a circuit's ports and their nodes), by id; a missing one fails the step. */
  async readSubscriptions(input: StepContext & { subscription_ids: string[] }): Promise<Record<string, { product: string; lifecycle: Lifecycle; domain_model: Record<string, unknown> }>> {
    const rows = await this.prisma.subscription.findMany({ where: { id: { in: input.subscription_ids } }, select: { id: true, product: true, lifecycle: true, domainModel: true } })
    const missing = input.subscription_ids.filter((id) => !rows.some((r) => r.id === id))
    if (missing.length) throw ApplicationFailure.nonRetryable(`no subscription ${missing.join(', ')}`, 'NotFound')
    return Object.fromEntries(rows.map((r) => [r.id, { product: r.product, lifecycle: r.lifecycle, domain_model: r.domainModel as Record<string, unknown> }]))
  }

  /** The live (not terminated) subscriptions that use any of these — a node's ports, a port's circuit — in id order. */
  async readUsers(input: StepContext & { subscription_ids: string[] }): Promise<SubscriptionUsing[]> {
    const rows = await this.prisma.subscription.findMany({
      where: { lifecycle: { not: 'terminated' }, dependsOn: { some: { dependsOnId: { in: input.subscription_ids } } } },
      select: { id: true, product: true, lifecycle: true, description: true, domainModel: true },
      orderBy: { id: 'asc' },
    })
    return rows.map((r) => ({ id: r.id, product: r.product, lifecycle: r.lifecycle, description: r.description, domain_model: r.domainModel as Record<string, unknown> }))
  }

  /**
   * A modify step's change to the model or the description, in the lifecycle the subscription has (checked
   * against it); a new version of the subscription. Returns the model and description before, for the inverse.
   */
  async updateSubscription(
    input: StepContext & { subscription_id: string; domain_model?: Record<string, unknown>; description?: string },
  ): Promise<{ before: { domain_model: Record<string, unknown>; description: string }; version: number }> {
    return this.steps.once(input, async (tx) => {
      const current = await tx.subscription.findUniqueOrThrow({ where: { id: input.subscription_id }, select: { product: true, lifecycle: true, domainModel: true, description: true, customerId: true, version: true } })
      const product = productNamed(current.product)
      const model = input.domain_model ?? (current.domainModel as Record<string, unknown>)
      const description = input.description ?? current.description
      if (input.domain_model) {
        assertDomainModel(product, current.lifecycle, input.domain_model)
        await writeRelations(tx, input.subscription_id, subscriptionRefs(product, input.domain_model))
      }
      const updated = await tx.subscription.update({
        where: { id: input.subscription_id },
        data: {
          domainModel: model as Prisma.InputJsonObject,
          description,
          searchText: searchTextOf({ description, customer_id: current.customerId, product: current.product, domain_model: model }),
          version: { increment: 1 },
        },
        select: { version: true },
      })
      const before = { domain_model: current.domainModel as Record<string, unknown>, description: current.description }
      return { result: { before, version: updated.version }, state_delta: { version: updated.version, ...(input.description ? { description } : {}) } }
    })
  }

  /**
   * The seed's set_status: moves the lifecycle on (and stores the model that the new lifecycle requires); going
   * active sets the start date, going terminated the end date.
   */
  async setLifecycle(input: StepContext & { subscription_id: string; lifecycle: Lifecycle; domain_model?: Record<string, unknown> }): Promise<{ lifecycle: Lifecycle }> {
    return this.steps.once(input, async (tx) => {
      const current = await tx.subscription.findUniqueOrThrow({ where: { id: input.subscription_id }, select: { product: true, domainModel: true, description: true, customerId: true } })
      const product = productNamed(current.product)
      assertDomainModel(product, input.lifecycle, input.domain_model ?? (current.domainModel as Record<string, unknown>))
      if (input.lifecycle === 'terminated') {
        await assertNotInUse(tx, input.subscription_id)
        // What it held (a device, ports) is free for the next subscription.
        await tx.resourceClaim.deleteMany({ where: { subscriptionId: input.subscription_id } })
      }
      if (input.domain_model) await writeRelations(tx, input.subscription_id, subscriptionRefs(product, input.domain_model))
      await tx.subscription.update({
        where: { id: input.subscription_id },
        data: {
          lifecycle: input.lifecycle,
          version: { increment: 1 },
          ...(input.domain_model
            ? {
                domainModel: input.domain_model as Prisma.InputJsonObject,
                searchText: searchTextOf({ description: current.description, customer_id: current.customerId, product: current.product, domain_model: input.domain_model }),
              }
            : {}),
          ...(input.lifecycle === 'active' ? { startDate: new Date() } : {}),
          ...(input.lifecycle === 'terminated' ? { endDate: new Date() } : {}),
        },
      })
      return { result: { lifecycle: input.lifecycle }, state_delta: { lifecycle: input.lifecycle } }
    })
  }
}
