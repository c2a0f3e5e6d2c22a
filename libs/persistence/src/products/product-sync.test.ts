import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { PRODUCTS } from '#domain/products/catalog.js'
import { type BlockDeclaration, defineProduct, type ProductDeclaration } from '#domain/products/declaration.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { PrismaService } from '../prisma.service.js'
import { ProductSyncRefused, syncProducts } from './product-sync.js'

let db: TestDatabase
let prisma: PrismaService

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  // The catalogue as the migrations leave it, before any sync: empty.
  await prisma.$executeRawUnsafe('TRUNCATE products, product_blocks, workflows CASCADE')
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

const widgetBlock = (fields: BlockDeclaration['fields']): BlockDeclaration => ({ name: 'widget', description: 'a widget', tag: 'W', fields })
const widget = (fields: BlockDeclaration['fields'], name = 'widget'): ProductDeclaration =>
  defineProduct({ name, type: 'Widget', description: 'test product', tag: 'W', fixed_inputs: { size: 'S' }, blocks: [widgetBlock(fields)], workflows: [] })
const colour = { type: 'string', description: 'its colour', required_from: 'initial' } as const

async function subscribe(product: string, domainModel: object) {
  await prisma.subscription.create({ data: { id: uuidv7(), product, customerId: 'c', description: 'd', domainModel } })
}

describe('product sync', () => {
  test('into an empty catalogue, then again: the second run changes nothing', async () => {
    const first = await syncProducts(prisma, PRODUCTS, WORKFLOW_DECLARATIONS)
    assert.ok(first.changes.includes('created product node'), first.changes.join('\n'))
    assert.ok(first.changes.includes('created product block circuit_side'))
    assert.ok(first.changes.includes('created workflow create_node'))
    const before = await prisma.product.findMany({ orderBy: { name: 'asc' } })
    assert.deepEqual(before.map((p) => p.name), ['circuit_100g', 'circuit_10g', 'node', 'port_100g', 'port_10g'])

    assert.deepEqual(await syncProducts(prisma, PRODUCTS, WORKFLOW_DECLARATIONS), { changes: [] })
    assert.deepEqual(await prisma.product.findMany({ orderBy: { name: 'asc' } }), before, 'not even updated_at moved')

    const port = await prisma.product.findUniqueOrThrow({ where: { name: 'port_10g' }, include: { fixedInputs: true, blocks: { include: { block: true } } } })
    assert.deepEqual(port.fixedInputs.map((f) => [f.name, f.value]), [['speed', '10G']])
    assert.deepEqual(port.blocks.map((b) => b.block.name), ['port'])
    const relations = await prisma.productBlockRelation.findMany({ include: { inUseBy: true, dependsOn: true } })
    assert.deepEqual(relations.map((r) => `${r.inUseBy.name}.${r.field} -> ${r.dependsOn.name}`).sort(), [
      'circuit.side_a -> circuit_side',
      'circuit.side_b -> circuit_side',
      'circuit_side.port -> port',
      'port.node -> node',
    ])
  })

  test('a populated database keeps its subscriptions through a sync that only adds', async () => {
    await syncProducts(prisma, [...PRODUCTS, widget({ colour })], WORKFLOW_DECLARATIONS)
    await subscribe('widget', { widget: { colour: 'blue' } })
    const { changes } = await syncProducts(prisma, [...PRODUCTS, widget({ colour, weight: { type: 'integer', description: 'grams', required_from: 'active' } })], WORKFLOW_DECLARATIONS)
    assert.deepEqual(changes, ['changed product block widget'])
    assert.equal(await prisma.subscription.count({ where: { product: 'widget' } }), 1)
    const fields = await prisma.resourceType.findMany({ where: { block: { name: 'widget' } }, orderBy: { name: 'asc' } })
    assert.deepEqual(fields.map((f) => [f.name, f.type, f.requiredFrom]), [['colour', 'string', 'initial'], ['weight', 'integer', 'active']])
  })

  test('removing a field, a product or changing a type that holds data is refused, naming it, and nothing changes', async () => {
    const before = await prisma.resourceType.findMany({ where: { block: { name: 'widget' } }, orderBy: { name: 'asc' } })
    await assert.rejects(syncProducts(prisma, [...PRODUCTS, widget({})], WORKFLOW_DECLARATIONS), (e: Error) => {
      assert.ok(e instanceof ProductSyncRefused)
      assert.deepEqual(e.problems, ['field widget.colour is no longer declared but holds values in 1 subscription(s)'])
      return true
    })
    await assert.rejects(syncProducts(prisma, [...PRODUCTS, widget({ colour: { ...colour, type: 'integer' } })], WORKFLOW_DECLARATIONS), /field widget.colour changes type from string to integer but holds values in 1 subscription/)
    await assert.rejects(syncProducts(prisma, PRODUCTS, WORKFLOW_DECLARATIONS), /product widget is no longer declared but has 1 subscription\(s\)/)
    assert.deepEqual(await prisma.resourceType.findMany({ where: { block: { name: 'widget' } }, orderBy: { name: 'asc' } }), before)
    assert.ok(await prisma.product.findUnique({ where: { name: 'widget' } }))
  })

  test('an unused product and block are removed; a workflow name nobody declares is refused', async () => {
    await syncProducts(prisma, [...PRODUCTS, widget({ colour }), widget({ colour }, 'gadget')], WORKFLOW_DECLARATIONS)
    const { changes } = await syncProducts(prisma, [...PRODUCTS, widget({ colour })], WORKFLOW_DECLARATIONS)
    assert.deepEqual(changes, ['removed product gadget'])
    await assert.rejects(
      syncProducts(prisma, [...PRODUCTS, { ...widget({ colour }), workflows: ['create_widget'] }], WORKFLOW_DECLARATIONS),
      /product widget names workflow create_widget, which is not declared/,
    )
  })
})
