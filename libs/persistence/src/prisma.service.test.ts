// A burst larger than the pool: every query and every transaction waits its turn for a connection and succeeds.
// Each holds its connection for a while (pg_sleep) so that the last ones wait longer than Prisma's default
// maxWait (2 s) and pg-pool's former connect timeout (3 s) — what failed "100 concurrent requests for one cable"
// on a loaded machine — and still well within the pool's wait. The sleeps are the database's wall time, not CPU.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { cloneDatabase, type TestDatabase } from '../../../test/support/database.js'
import { POOL_SIZE, PrismaService } from './prisma.service.js'

let db: TestDatabase
let prisma: PrismaService

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  await prisma.$executeRawUnsafe('CREATE TABLE burst (n int PRIMARY KEY, kind text NOT NULL)')
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

const BURST = 200

async function written(kind: string): Promise<number[]> {
  const rows = await prisma.$queryRaw<{ n: number }[]>`SELECT n FROM burst WHERE kind = ${kind} ORDER BY n`
  return rows.map((r) => r.n)
}

describe('PrismaService under a burst larger than its pool', () => {
  test(`${BURST} transactions that each hold a connection for 120 ms (≥ 2.4 s for the last): all commit, each once`, async () => {
    assert.equal(POOL_SIZE, 10, 'the durations above assume a pool of 10')
    await Promise.all(
      Array.from({ length: BURST }, (_, n) =>
        prisma.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_sleep(0.12)`
          await tx.$executeRaw`INSERT INTO burst (n, kind) VALUES (${n}, 'tx')`
        }),
      ),
    )
    assert.deepEqual(await written('tx'), Array.from({ length: BURST }, (_, n) => n))
  })

  test(`${BURST} single statements that each hold a connection for 160 ms (≥ 3.2 s for the last): all succeed, each once`, async () => {
    await Promise.all(Array.from({ length: BURST }, (_, n) => prisma.$executeRaw`INSERT INTO burst (n, kind) SELECT ${n + BURST}, 'query' FROM pg_sleep(0.16)`))
    assert.deepEqual(await written('query'), Array.from({ length: BURST }, (_, n) => n + BURST))
  })

  test('the health probe answers on a connection of its own while every pooled connection is taken', async () => {
    const taken = await Promise.all(Array.from({ length: POOL_SIZE }, () => prisma.pool.connect()))
    try {
      await prisma.ping()
    } finally {
      for (const client of taken) client.release()
    }
  })
})
