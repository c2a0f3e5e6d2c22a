// The errors a busy or unavailable database really produces — through Prisma, its pg adapter, pg and pg-pool —
// are recognised as such; a constraint, a bug or bad input is not.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { freePort } from '#runtime/index.js'
import { cloneDatabase, type TestDatabase, withAdmin } from '../../../test/support/database.js'
import { type DatabaseTrouble, databaseTrouble } from './database-errors.js'
import { POOL_SIZE, PrismaService } from './prisma.service.js'

let db: TestDatabase
let prisma: PrismaService

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected it to fail')
}

function assertTrouble(error: unknown, kind: DatabaseTrouble['kind'], reason: RegExp) {
  const trouble = databaseTrouble(error)
  assert.ok(trouble, `not recognised as database trouble: ${String(error)}`)
  assert.equal(trouble.kind, kind, trouble.reason)
  assert.match(trouble.reason, reason)
  assert.doesNotMatch(trouble.reason, /\n/)
}

/** A URL of this test database with another port, user or database. */
function variant(change: (u: URL) => void): string {
  const u = new URL(db.url)
  change(u)
  return u.toString()
}

describe('database trouble: busy', () => {
  test('a transaction that could not get a connection within its maxWait (P2028)', async () => {
    const taken = await Promise.all(Array.from({ length: POOL_SIZE }, () => prisma.pool.connect()))
    const late = failure(prisma.$transaction((tx) => tx.$queryRaw`SELECT 1`, { maxWait: 100 }))
    // Freed once the transaction has waited in the pool's queue for longer than its maxWait: Prisma then throws
    // away the connection it gets.
    while (prisma.pool.waitingCount === 0) await new Promise((r) => setTimeout(r, 10))
    await new Promise((r) => setTimeout(r, 300))
    taken.forEach((c) => c.release())
    assertTrouble(await late, 'busy', /transaction could not get a database connection in time/)
  })

  test('a transaction past its timeout, rolled back (P2028), at a query and at the commit', async () => {
    const atQuery = await failure(
      prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_sleep(0.3)`
          await tx.$queryRaw`SELECT 1`
        },
        { timeout: 100 },
      ),
    )
    assertTrouble(atQuery, 'busy', /did not finish within its 100 ms and was rolled back/)
    const atCommit = await failure(prisma.$transaction((tx) => tx.$executeRaw`SELECT pg_sleep(0.3)`, { timeout: 100 }))
    assertTrouble(atCommit, 'busy', /did not finish within its 100 ms/)
  })

  test("pg-pool's queue: no connection came free in time", async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 100 })
    const held = await pool.connect()
    try {
      assertTrouble(await failure(pool.query('SELECT 1')), 'busy', /no database connection came free within/)
    } finally {
      held.release()
      await pool.end()
    }
  })

  test('too many connections (SQLSTATE 53300): through Prisma, in a transaction, and through pg', async () => {
    const role = `loom_limited_${randomBytes(4).toString('hex')}`
    await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`))
    const limited = new PrismaService(variant((u) => (u.username = role)))
    try {
      assertTrouble(await failure(limited.$queryRaw`SELECT 1`), 'busy', /too many connections/)
      assertTrouble(await failure(limited.$transaction((tx) => tx.$queryRaw`SELECT 1`)), 'busy', /too many connections/)
      assertTrouble(await failure(limited.subscription.findFirst()), 'busy', /too many connections/)
      assertTrouble(await failure(limited.pool.query('SELECT 1')), 'busy', /too many connections.*53300/)
    } finally {
      await limited.$disconnect().catch(() => undefined)
      await withAdmin((c) => c.query(`DROP ROLE ${role}`))
    }
  })

  test('a deadlock (SQLSTATE 40P01)', async () => {
    await prisma.$executeRawUnsafe('CREATE TABLE deadlock (id int PRIMARY KEY)')
    await prisma.$executeRawUnsafe('INSERT INTO deadlock VALUES (1), (2)')
    // Each takes one row, waits until the other has taken the other, then asks for it.
    let arrived = 0
    let bothIn!: () => void
    const together = new Promise<void>((resolve) => (bothIn = resolve))
    const bothHoldOne = () => {
      if (++arrived === 2) bothIn()
      return together
    }
    const cross = (first: number, second: number) =>
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`UPDATE deadlock SET id = id WHERE id = ${first}`
        await bothHoldOne()
        await tx.$executeRaw`UPDATE deadlock SET id = id WHERE id = ${second}`
      })
    const results = await Promise.allSettled([cross(1, 2), cross(2, 1)])
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    assert.equal(lost.length, 1, 'PostgreSQL ends one of the two')
    assertTrouble(lost[0].reason, 'busy', /deadlock/)
  })
})

describe('database trouble: unavailable', () => {
  test('nothing listens on the port: Prisma queries, transactions and pg', async () => {
    const nowhere = new PrismaService(`postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`)
    try {
      assertTrouble(await failure(nowhere.subscription.findFirst()), 'unavailable', /reach database server/)
      assertTrouble(await failure(nowhere.$queryRaw`SELECT 1`), 'unavailable', /reach database server/)
      assertTrouble(await failure(nowhere.$transaction((tx) => tx.$queryRaw`SELECT 1`)), 'unavailable', /reach database server/)
      assertTrouble(await failure(nowhere.pool.query('SELECT 1')), 'unavailable', /ECONNREFUSED/)
    } finally {
      await nowhere.$disconnect().catch(() => undefined)
    }
  })

  test('a server that accepts and never answers: given up after the connect timeout', async () => {
    const silent: Server = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    const hung = new PrismaService(`postgresql://postgres@127.0.0.1:${port}/nowhere`)
    try {
      assertTrouble(await failure(hung.$queryRaw`SELECT 1`), 'unavailable', /did not complete a connection within 3 s/)
    } finally {
      await hung.$disconnect().catch(() => undefined)
      silent.close()
    }
  })

  test('a database that does not exist, a role that does not exist', async () => {
    const noDb = new PrismaService(variant((u) => (u.pathname = '/loom_no_such_database')))
    const noRole = new PrismaService(variant((u) => (u.username = 'loom_no_such_role')))
    try {
      assertTrouble(await failure(noDb.$queryRaw`SELECT 1`), 'unavailable', /loom_no_such_database/)
      assertTrouble(await failure(noRole.subscription.findFirst()), 'unavailable', /./)
    } finally {
      await noDb.$disconnect().catch(() => undefined)
      await noRole.$disconnect().catch(() => undefined)
    }
  })

  test('the connection is terminated under a running query (SQLSTATE 57P01), through Prisma and through pg', async () => {
    const tag = `loom_terminate_${randomBytes(4).toString('hex')}`
    const viaPrisma = failure(prisma.$queryRawUnsafe(`SELECT pg_sleep(5)::text AS ${tag}`))
    const viaPg = failure(prisma.pool.query(`SELECT pg_sleep(5)::text AS ${tag}_pg`))
    const sleeping = () => withAdmin((c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%${tag}%' AND pid <> pg_backend_pid()`))
    while ((await sleeping()).rows[0].n < 2) await new Promise((r) => setTimeout(r, 20))
    await withAdmin((c) => c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%${tag}%' AND pid <> pg_backend_pid()`))
    assertTrouble(await viaPrisma, 'unavailable', /terminating connection due to administrator command/)
    const pgError = await viaPg
    assertTrouble(pgError, 'unavailable', /terminating connection|Connection terminated/)
  })
})

describe('not database trouble', () => {
  test('a unique violation, a foreign key, a syntax error, a closed transaction used, a plain error', async () => {
    await prisma.$executeRawUnsafe('CREATE TABLE uniq (id int PRIMARY KEY)')
    await prisma.$executeRawUnsafe('INSERT INTO uniq VALUES (1)')
    assert.equal(databaseTrouble(await failure(prisma.$executeRawUnsafe('INSERT INTO uniq VALUES (1)'))), undefined)
    assert.equal(databaseTrouble(await failure(prisma.pool.query('INSERT INTO uniq VALUES (1)'))), undefined)
    assert.equal(databaseTrouble(await failure(prisma.$queryRawUnsafe('SELEC 1'))), undefined)
    assert.equal(databaseTrouble(await failure(prisma.processStep.create({ data: { id: '019abd1e-0000-7000-8000-000000000001', processId: '019abd1e-0000-7000-8000-000000000000', name: 'x' } }))), undefined)
    let leaked: Parameters<Parameters<typeof prisma.$transaction>[0]>[0] | undefined
    await prisma.$transaction(async (tx) => {
      leaked = tx
      await tx.$queryRaw`SELECT 1`
    })
    assert.equal(databaseTrouble(await failure(leaked!.$queryRaw`SELECT 1`)), undefined, 'using a committed transaction is a bug, not load')
    assert.equal(databaseTrouble(new Error('something else')), undefined)
    assert.equal(databaseTrouble('a string'), undefined)
  })
})
