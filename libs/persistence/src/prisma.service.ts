import { Injectable, type OnModuleDestroy } from '@nestjs/common'
import pg from 'pg'
import { PrismaClient } from './generated/prisma/client.js'
import { PrismaPgSerialTransactions } from './serial-transactions.js'

/** The generated PrismaClient, connected through @prisma/adapter-pg (no native query engine). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  /**
   * Prisma's own connections, for the few hot reads written in SQL (the subscription list and detail):
   * they skip Prisma's query compiler, which costs more CPU than PostgreSQL spends on those queries.
   */
  readonly pool: pg.Pool

  constructor(connectionString: string) {
    // A short connect timeout: a database that is down must show up in /api/health within seconds.
    const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 3000 })
    // An idle connection the server drops (a restart) is replaced at the next query; it must not crash the process.
    pool.on('error', () => undefined)
    super({ adapter: new PrismaPgSerialTransactions(pool, { disposeExternalPool: true }) })
    this.pool = pool
  }

  /** Round trip to the server; throws when it does not answer. */
  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`
  }

  async onModuleDestroy() {
    await this.$disconnect()
    // Prisma ends the pool only if it ever connected.
    if (!this.pool.ended) await this.pool.end()
  }
}
