import { Injectable } from '@nestjs/common'
import { PrismaService } from '#persistence/index.js'
import type { Customer, CustomerSource } from './customers.js'

/** The built-in customer source: the `customers` table, which /api/customers manages. */
@Injectable()
export class BuiltinCustomers implements CustomerSource {
  readonly kind = 'builtin'

  constructor(private readonly prisma: PrismaService) {}

  async customer(id: string): Promise<Customer | null> {
    const row = await this.prisma.customer.findUnique({ where: { id } })
    return row && { id: row.id, name: row.name, contact_email: row.contactEmail, contact_name: row.contactName }
  }
}
