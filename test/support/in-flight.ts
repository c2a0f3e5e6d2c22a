// A request made while another transaction is in flight — a process's start that is taking its claims and locks —
// to show that the request waits for it and then sees what it wrote, instead of deciding on what it read before.
import { waitFor } from '#runtime/index.js'
import type { PrismaService } from '#persistence/index.js'

/**
 * Runs `statements` in a transaction of its own and leaves it open, fires `request`, waits until a connection of
 * the test database waits on a lock (the request, on that transaction), commits, and returns the answer. A request
 * that does not wait fails this (it never waits on the lock).
 */
export async function whileInFlight<T>(prisma: PrismaService, statements: string[], request: () => Promise<T>): Promise<T> {
  const holder = await prisma.pool.connect()
  let committed = false
  try {
    await holder.query('BEGIN')
    for (const sql of statements) await holder.query(sql)
    let settled = false
    const answer = request().finally(() => (settled = true))
    await waitFor(
      async () => {
        // Another connection: pg_stat_activity is a snapshot per transaction.
        const { rows } = await prisma.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
        return settled || rows[0].n > 0
      },
      { timeoutMs: 10_000, intervalMs: 20, describe: () => 'the request never waited on a lock' },
    )
    if (settled) throw new Error(`the request was answered without waiting for the transaction in flight: ${JSON.stringify(await answer)}`)
    await holder.query('COMMIT')
    committed = true
    return await answer
  } finally {
    if (!committed) await holder.query('ROLLBACK').catch(() => undefined)
    holder.release()
  }
}
