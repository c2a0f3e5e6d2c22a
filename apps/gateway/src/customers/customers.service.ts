import { ConflictException, Injectable, NotFoundException } from '@nestjs/common'
import type { CustomerCreateDto, CustomerDto, CustomerPatchDto, Page, PageQueryDto } from '#contracts/index.js'
import { isRecordNotFound, isUniqueViolation, Prisma, PrismaService } from '#persistence/index.js'
import { afterPosition, decodeCursor, DEFAULT_LIMIT, pageOf, parseSort } from '../http/pagination.js'

export const CUSTOMER_SORTS = { id: { field: 'id' }, name: { field: 'name' }, created_at: { field: 'createdAt', dates: true } }

type Row = Prisma.CustomerGetPayload<object>


/** The built-in customer source (table `customers`), as /api/customers manages it. */
@Injectable()
export class CustomersService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: PageQueryDto): Promise<Page<CustomerDto>> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort ?? 'id', CUSTOMER_SORTS, 'text')
    const where: Prisma.CustomerWhereInput = { AND: afterPosition(sort, decodeCursor(query.cursor, sort)) }
    const [rows, total] = await Promise.all([
      this.prisma.customer.findMany({ where, orderBy: [{ [sort.field]: sort.direction }, { id: sort.direction }], take: limit + 1 }),
      this.prisma.customer.count(),
    ])
    const page = pageOf(rows, limit, total, sort)
    const live = await this.liveSubscriptions(page.items.map((r) => r.id))
    return { ...page, items: page.items.map((r) => toDto(r, live.get(r.id) ?? 0)) }
  }

  async get(id: string): Promise<CustomerDto> {
    const row = await this.prisma.customer.findUnique({ where: { id } })
    if (!row) throw new NotFoundException(`No customer ${JSON.stringify(id)}; GET /api/customers lists them.`)
    return toDto(row, (await this.liveSubscriptions([id])).get(id) ?? 0)
  }

  async create(body: CustomerCreateDto): Promise<CustomerDto> {
    try {
      const row = await this.prisma.customer.create({ data: { id: body.id, name: body.name, contactEmail: body.contact_email ?? null, contactName: body.contact_name ?? null, note: body.note ?? null } })
      return toDto(row, (await this.liveSubscriptions([row.id])).get(row.id) ?? 0)
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`Customer ${body.id} exists already (GET /api/customers/${body.id}); change it with PATCH.`)
      throw error
    }
  }

  async update(id: string, patch: CustomerPatchDto): Promise<CustomerDto> {
    try {
      await this.prisma.customer.update({
        where: { id },
        data: {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.contact_email !== undefined ? { contactEmail: patch.contact_email } : {}),
          ...(patch.contact_name !== undefined ? { contactName: patch.contact_name } : {}),
          ...(patch.note !== undefined ? { note: patch.note } : {}),
        },
      })
    } catch (error) {
      if (isRecordNotFound(error)) throw new NotFoundException(`No customer ${JSON.stringify(id)}; GET /api/customers lists them.`)
      throw error
    }
    return this.get(id)
  }

  /** Removes a customer that no live subscription names (a 409 names them otherwise); answers what was removed. */
  async remove(id: string): Promise<CustomerDto> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.customer.findUnique({ where: { id } })
      if (!row) throw new NotFoundException(`No customer ${JSON.stringify(id)}; GET /api/customers lists them.`)
      const live = await tx.subscription.findMany({ where: { customerId: id, lifecycle: { not: 'terminated' } }, select: { id: true }, orderBy: { createdAt: 'asc' }, take: 3 })
      if (live.length) {
        const count = await tx.subscription.count({ where: { customerId: id, lifecycle: { not: 'terminated' } } })
        throw new ConflictException(`Customer ${id} has ${count} live subscription${count === 1 ? '' : 's'} (${live.map((s) => s.id).join(', ')}${count > live.length ? ', …' : ''}); terminate them first.`)
      }
      await tx.customer.delete({ where: { id } })
      return toDto(row, 0)
    })
  }

  private async liveSubscriptions(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map()
    const counts = await this.prisma.subscription.groupBy({ by: ['customerId'], where: { customerId: { in: ids }, lifecycle: { not: 'terminated' } }, _count: { _all: true } })
    return new Map(counts.map((c) => [c.customerId, c._count._all]))
  }
}

function toDto(r: Row, live: number): CustomerDto {
  return {
    id: r.id,
    name: r.name,
    contact_email: r.contactEmail,
    contact_name: r.contactName,
    note: r.note,
    live_subscriptions: live,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  }
}
