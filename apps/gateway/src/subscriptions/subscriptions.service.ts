import { Injectable, NotFoundException } from '@nestjs/common'
import type { Page, SubscriptionDto, SubscriptionListQueryDto, SubscriptionSummaryDto } from '../../../../libs/contracts/src/index.js'
import { type Prisma, PrismaService } from '../../../../libs/persistence/src/index.js'
import { iso } from '../http/json.js'
import { decodeCursor, DEFAULT_LIMIT, pageOf } from '../http/pagination.js'

type Row = Prisma.SubscriptionGetPayload<object>

function summary(s: Row): SubscriptionSummaryDto {
  return {
    id: s.id,
    product: s.product,
    customer_id: s.customerId,
    description: s.description,
    note: s.note,
    lifecycle: s.lifecycle,
    insync: s.insync,
    locked_by: s.lockedBy,
    start_date: iso(s.startDate),
    end_date: iso(s.endDate),
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  }
}

@Injectable()
export class SubscriptionsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: SubscriptionListQueryDto): Promise<Page<SubscriptionSummaryDto>> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const after = decodeCursor(query.cursor)
    const where: Prisma.SubscriptionWhereInput = {
      ...(query.product ? { product: query.product } : {}),
      ...(query.lifecycle ? { lifecycle: query.lifecycle } : {}),
      ...(query.customer_id ? { customerId: query.customer_id } : {}),
      ...(query.insync !== undefined ? { insync: query.insync } : {}),
    }
    const [rows, total] = await Promise.all([
      this.prisma.subscription.findMany({ where: after ? { AND: [where, { id: { lt: after } }] } : where, orderBy: { id: 'desc' }, take: limit + 1 }),
      this.prisma.subscription.count({ where }),
    ])
    const page = pageOf(rows, limit, total)
    return { ...page, items: page.items.map(summary) }
  }

  async get(id: string): Promise<SubscriptionDto> {
    const row = await this.prisma.subscription.findUnique({
      where: { id },
      include: { processes: { include: { process: { select: { id: true, workflow: true, status: true, createdAt: true } } }, orderBy: { createdAt: 'desc' } } },
    })
    if (!row) throw new NotFoundException(`No subscription ${id}.`)
    return {
      ...summary(row),
      domain_model: row.domainModel as Record<string, unknown>,
      processes: row.processes.map(({ process: p }) => ({ id: p.id, workflow: p.workflow, status: p.status, created_at: p.createdAt.toISOString() })),
    }
  }
}
