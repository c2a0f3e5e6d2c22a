import { Injectable, type OnModuleDestroy } from '@nestjs/common'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from './generated/prisma/client.js'

/** The generated PrismaClient, connected through @prisma/adapter-pg (no native query engine). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(connectionString: string) {
    // A short connect timeout: a database that is down must show up in /api/health within seconds.
    super({ adapter: new PrismaPg({ connectionString, connectionTimeoutMillis: 3000 }) })
  }

  /** Round trip to the server; throws when it does not answer. */
  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`
  }

  async onModuleDestroy() {
    await this.$disconnect()
  }
}
