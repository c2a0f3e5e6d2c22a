import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common'
import type { Page, PageQueryDto, SubscriptionDto, SubscriptionListQueryDto, SubscriptionPatchDto, SubscriptionSummaryDto, SubscriptionVersionDto, VersionDiffDto } from '#contracts/index.js'
import { jsonDiff } from '#domain/json-diff.js'
import { searchTextOf } from '#domain/products/search-text.js'
import { CUSTOMERS, type CustomerSource } from '#integrations/customers/customers.js'
import { PrismaService } from '#persistence/index.js'
import { decodeCursor, DEFAULT_LIMIT, pageOf, parseSort } from '../http/pagination.js'
import { detail, listPage, type SummaryRow } from './subscription-sql.js'
import { scopeLabel, type TenantScope, tenantWhere } from '../auth/tenant-scope.js'

export const SUBSCRIPTION_SORTS = {
  created_at: { field: 'createdAt', dates: true },
  updated_at: { field: 'updatedAt', dates: true },
  description: { field: 'description' },
  customer_id: { field: 'customerId' },
  product: { field: 'product' },
}

export const VERSION_SORTS = { version: { field: 'version', numbers: true } }

function versionDto(r: { version: number; lifecycle: SubscriptionVersionDto['lifecycle']; description: string; domainModel: unknown; processId: string | null; step: string | null; actor: string | null; createdAt: Date }): SubscriptionVersionDto {
  return {
    version: r.version,
    lifecycle: r.lifecycle,
    description: r.description,
    domain_model: r.domainModel as Record<string, unknown>,
    process_id: r.processId,
    step: r.step,
    actor: r.actor,
    created_at: r.createdAt.toISOString(),
  }
}

function summary(s: SummaryRow): SubscriptionSummaryDto {
  return {
    id: s.id,
    product: s.product,
    customer_id: s.customerId,
    tenant_id: s.tenantId,
    description: s.description,
    note: s.note,
    lifecycle: s.lifecycle,
    insync: s.insync,
    locked_by: s.lockedBy,
    start_date: s.startDate,
    end_date: s.endDate,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  }
}

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(CUSTOMERS) private readonly customers: CustomerSource,
  ) {}

  /** A 404 for an unknown subscription, or one outside the scope; nothing read beyond that. */
  async assertExists(id: string, scope: TenantScope): Promise<void> {
    if ((await this.prisma.subscription.count({ where: { id, ...tenantWhere(scope) } })) === 0) throw new NotFoundException(`No subscription ${id}.`)
  }

  async list(query: SubscriptionListQueryDto, scope: TenantScope): Promise<Page<SubscriptionSummaryDto>> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort, SUBSCRIPTION_SORTS)
    const after = decodeCursor(query.cursor, sort)
    const { rows, total } = await listPage(this.prisma.pool, query, scope, sort, after, limit)
    const page = pageOf(rows, limit, total, sort)
    return { ...page, items: page.items.map(summary), tenant_scope: scopeLabel(scope) }
  }

  /**
   * Description and note only, and only from the version the caller read: a stale version is a 409
   * (never a lost update), and so is a subscription a process has locked.
   */
  async patch(id: string, patch: SubscriptionPatchDto, scope: TenantScope): Promise<SubscriptionDto> {
    await this.assertExists(id, scope)
    const before = await this.prisma.subscription.findUnique({ where: { id }, select: { description: true, customerId: true, product: true, domainModel: true } })
    const description = patch.description ?? before?.description ?? ''
    const searchText = before ? searchTextOf({ description, customer_id: before.customerId, product: before.product, domain_model: before.domainModel }) : ''
    const { count } = await this.prisma.subscription.updateMany({
      // The version check also guards searchText: if the row changed since it was read, nothing is written.
      where: { id, version: patch.version, lockedBy: null },
      data: {
        ...(patch.description !== undefined ? { description: patch.description, searchText } : {}),
        ...(patch.note !== undefined ? { note: patch.note } : {}),
        version: { increment: 1 },
      },
    })
    if (count === 0) {
      const current = await this.prisma.subscription.findUnique({ where: { id }, select: { version: true, lockedBy: true } })
      if (!current) throw new NotFoundException(`No subscription ${id}.`)
      if (current.lockedBy) throw new ConflictException(`Subscription ${id} is locked by process ${current.lockedBy}.`)
      throw new ConflictException(`Version ${patch.version} of subscription ${id} is stale: it is at version ${current.version}. Read it again and repeat the change.`)
    }
    return this.get(id, scope)
  }

  /** Every version of the subscription, newest first: the model after each change, who made it and in which process step. */
  async versions(id: string, query: PageQueryDto, scope: TenantScope): Promise<Page<SubscriptionVersionDto>> {
    await this.assertExists(id, scope)
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort ?? '-version', VERSION_SORTS, 'text')
    const after = decodeCursor(query.cursor, sort)
    const where = { subscriptionId: id, ...(after ? { version: sort.direction === 'desc' ? { lt: Number(after.value) } : { gt: Number(after.value) } } : {}) }
    const [rows, total] = await Promise.all([
      this.prisma.subscriptionVersion.findMany({ where, orderBy: { version: sort.direction }, take: limit + 1 }),
      this.prisma.subscriptionVersion.count({ where: { subscriptionId: id } }),
    ])
    const page = pageOf(rows.map((r) => ({ ...r, id: String(r.version) })), limit, total, sort)
    return { ...page, items: page.items.map(versionDto), tenant_scope: scopeLabel(scope) }
  }

  /** What changed from one version to another: every leaf of lifecycle, description and model that differs. */
  async diff(id: string, from: number, to: number, scope: TenantScope): Promise<VersionDiffDto> {
    await this.assertExists(id, scope)
    const rows = await this.prisma.subscriptionVersion.findMany({ where: { subscriptionId: id, version: { in: [from, to] } } })
    const at = (v: number) => {
      const row = rows.find((r) => r.version === v)
      if (!row) throw new NotFoundException(`Subscription ${id} has no version ${v}.`)
      return { lifecycle: row.lifecycle, description: row.description, domain_model: row.domainModel }
    }
    return { from, to, changes: jsonDiff(at(from), at(to)) }
  }

  async get(id: string, scope: TenantScope): Promise<SubscriptionDto> {
    const row = await detail(this.prisma.pool, id, scope)
    if (!row) throw new NotFoundException(`No subscription ${id}.`)
    // A customer system that does not answer must not hide the subscription: it shows without the customer.
    const customer = await this.customers.customer(row.customerId).catch(() => null)
    return {
      ...summary(row),
      customer: customer && { id: customer.id, name: customer.name, contact_email: customer.contact_email },
      domain_model: row.domainModel,
      depends_on: row.dependsOn,
      in_use_by: row.inUseBy,
      processes: row.processes,
    }
  }
}
