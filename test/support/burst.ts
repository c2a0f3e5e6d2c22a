// A burst of requests larger than the gateway's connection pool, made while a transaction of the test holds the
// row locks they all need: every pooled connection of the gateway ends up waiting on the lock and the rest of the
// burst waits in the pool's queue — for longer than Prisma's default maxWait (2 s) and pg-pool's former connect
// timeout (3 s), which used to answer them with 500s. Then the lock goes and the burst drains.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '#runtime/index.js'
import type { PrismaService } from '#persistence/index.js'
import { POOL_SIZE } from '#persistence/prisma.service.js'
import type { ApiResponse } from './api.js'

/** How long the lock is held once the gateway's whole pool waits on it: past the 2 s that used to fail them. */
const HOLD_MS = 2500

/**
 * Runs `lockSql` (a SELECT … FOR UPDATE) in a transaction of its own, fires `burst`, waits until every pooled
 * connection of the gateway waits on that lock, holds it HOLD_MS longer, commits, and returns the answers.
 */
export async function burstWhileLocked<T>(prisma: PrismaService, lockSql: string, burst: () => Promise<T>): Promise<T> {
  const holder = await prisma.pool.connect()
  let answers: Promise<T> | undefined
  try {
    await holder.query('BEGIN')
    const locked = await holder.query(lockSql)
    assert.ok(locked.rowCount, `nothing locked by ${lockSql}`)
    answers = burst()
    await waitFor(
      async () => {
        // Another connection: pg_stat_activity is a snapshot per transaction.
        const { rows } = await prisma.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
        return rows[0].n >= POOL_SIZE
      },
      { timeoutMs: 60_000, intervalMs: 50, describe: () => `the gateway's ${POOL_SIZE} connections never all waited on the lock` },
    )
    await sleep(HOLD_MS)
  } finally {
    await holder.query('COMMIT').catch(() => undefined)
    holder.release()
  }
  return answers
}

/**
 * Every answer is one of `served` — or a 503 problem naming the database as busy, with Retry-After — never a
 * 500. Returns the indexes of the served ones.
 */
export function assertServedOrBusy<T>(answers: ApiResponse<T>[], served: number[]): number[] {
  const statuses = new Map<number, number>()
  for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1)
  for (const [i, a] of answers.entries()) {
    if (served.includes(a.status)) continue
    assert.equal(a.status, 503, `answer ${i}: ${a.status} ${JSON.stringify(a.body)} (statuses: ${JSON.stringify([...statuses])})`)
    assert.match(a.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.match(a.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/)
    assert.equal((a.body as { type?: string }).type, 'urn:loom:problem:database-busy', JSON.stringify(a.body))
  }
  const ok = [...answers.keys()].filter((i) => served.includes(answers[i].status))
  assert.ok(ok.length > 0, 'at least one request was served')
  return ok
}
