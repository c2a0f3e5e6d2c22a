import { Injectable, type OnModuleDestroy } from '@nestjs/common'
import pg from 'pg'
import { PrismaClient } from './generated/prisma/client.js'
import { PrismaPgSerialTransactions } from './serial-transactions.js'

/**
 * Connections one process (a gateway, a worker) keeps to PostgreSQL: pg's default, said out loud. Under a burst
 * more would not help: the work queues on row locks (one cable's interfaces, one IPAM pool, one step) or on the
 * server's few cores, and the server's `max_connections` (100 by default) is shared by every gateway and worker.
 */
export const POOL_SIZE = 10

/**
 * How long a query or a transaction waits in the pool's queue for a free connection. A burst larger than the
 * pool queues here and goes on as connections come free, in arrival order; past this the request fails as
 * "database busy" (the gateway answers 503 with Retry-After, an activity is retried). Work on one hot row (a
 * cable's interfaces, an IPAM pool) is served one transaction at a time, at the pace of this process's CPU: on a
 * 2-core machine under a load of 8–12, 100 concurrent requests for one cable or from one IPAM pool took up to
 * 21 s. 30 s lets such bursts drain (it is also HikariCP's default), and stays below the 60 s of a step's
 * activity and of the usual HTTP proxies, so that whoever waits gets Loom's answer.
 */
export const POOL_WAIT_MS = 30_000

/**
 * How long opening one connection may take. A database that is really down (refused, or not answering at all)
 * fails a request within this, however long the pool's queue would let it wait for a busy connection.
 */
export const CONNECT_TIMEOUT_MS = 3000

/**
 * Defaults for every interactive transaction (`$transaction(async (tx) => …)`); a call may still pass its own.
 *
 * - `maxWait`: Prisma does not stop waiting for the connection at `maxWait` — it waits for the pool either way
 *   and then throws away a connection that came later (P2028, "Unable to start a transaction in the given time").
 *   Prisma's 2 s default therefore failed bursts the pool was about to serve. The pool's queue (POOL_WAIT_MS) is
 *   the one bound on the wait; `maxWait` is set beyond it (plus the BEGIN) so that it never discards a connection.
 * - `timeout`: how long a started transaction may run before Prisma rolls it back. It includes waiting for row
 *   locks that other transactions hold — under a burst on one row, every connection of every process may be
 *   queued on it — so it is longer than Prisma's 5 s default; it still ends a transaction that hangs.
 */
export const TRANSACTION_OPTIONS = { maxWait: POOL_WAIT_MS + 5000, timeout: 15_000 } as const

/** pg's Client, with the connect timeout of one connection (the pool's own timeout bounds the wait in its queue). */
class BoundedConnectClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  }
}

/** The generated PrismaClient, connected through @prisma/adapter-pg (no native query engine). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  /**
   * Prisma's own connections, for the few hot reads written in SQL (the subscription list and detail):
   * they skip Prisma's query compiler, which costs more CPU than PostgreSQL spends on those queries.
   */
  readonly pool: pg.Pool

  constructor(private readonly databaseUrl: string) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE, connectionTimeoutMillis: POOL_WAIT_MS, Client: BoundedConnectClient })
    // An idle connection the server drops (a restart) is replaced at the next query; it must not crash the process.
    pool.on('error', () => undefined)
    super({ adapter: new PrismaPgSerialTransactions(pool, { disposeExternalPool: true }), transactionOptions: TRANSACTION_OPTIONS })
    this.pool = pool
  }

  /**
   * Round trip to the server on a connection of its own, so that it says whether the database answers — not
   * whether the pool has a free connection (a burst may keep every one busy); throws when it does not answer.
   */
  async ping(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  async onModuleDestroy() {
    await this.$disconnect()
    // Prisma ends the pool only if it ever connected.
    if (!this.pool.ended) await this.pool.end()
  }
}
