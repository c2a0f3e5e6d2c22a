// Prisma's reads with relations inside an interactive transaction, on @prisma/adapter-pg: pg must never see two
// queries at once on the transaction's connection (deprecated since pg 8.19, refused by pg 9).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { cloneDatabase, type TestDatabase } from '../../../test/support/database.js'
import { PrismaService } from './prisma.service.js'

let db: TestDatabase
let prisma: PrismaService
// Node's test runner runs this file in a process of its own; pg prints its deprecation once per process.
const deprecations: string[] = []
process.on('warning', (warning) => {
  if (warning.name === 'DeprecationWarning') deprecations.push(warning.message)
})

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

describe('transactions on @prisma/adapter-pg', () => {
  test('a read with several relations and reads at once inside a transaction send one query at a time', async () => {
    const include = { fixedInputs: true, blocks: { include: { block: true } }, workflows: true } as const
    const outside = await prisma.product.findMany({ include, orderBy: { name: 'asc' } })
    assert.ok(outside.length > 0 && outside.every((p) => p.blocks.length > 0), 'the template database holds the product catalogue')
    const [inside, workflows, count] = await prisma.$transaction(async (tx) =>
      Promise.all([tx.product.findMany({ include, orderBy: { name: 'asc' } }), tx.workflow.findMany(), tx.product.count()]),
    )
    assert.deepEqual(inside, outside)
    assert.ok(workflows.length > 0)
    assert.equal(count, outside.length)
    await new Promise((resolve) => setImmediate(resolve)) // warnings are emitted on the next tick
    assert.deepEqual(deprecations, [])
  })

  test('a failing query ends its transaction (rolled back) and the next transaction works', async () => {
    await assert.rejects(
      prisma.$transaction(async (tx) => {
        await tx.workflow.updateMany({ data: { description: 'changed' } })
        await Promise.all([tx.$queryRaw`SELECT 1 / 0`, tx.product.findMany({ include: { blocks: true } })])
      }),
      /division by zero/,
    )
    assert.equal(await prisma.workflow.count({ where: { description: 'changed' } }), 0)
    assert.ok((await prisma.$transaction(async (tx) => tx.product.findMany({ include: { workflows: true } }))).length > 0)
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(deprecations, [])
  })
})
