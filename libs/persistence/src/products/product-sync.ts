// Writes the product declarations (libs/domain/src/products) into the catalogue tables, at start-up.
// Idempotent: a second run finds nothing to change and writes nothing. A change that would orphan existing
// subscriptions (a product, block or field that still holds their data) is refused as a whole, with a report.
import { v7 as uuidv7 } from 'uuid'
import { blocksOf, type BlockDeclaration, type ProductDeclaration, type WorkflowSummary } from '#domain/products/declaration.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { PrismaService } from '../prisma.service.js'

type Tx = Prisma.TransactionClient

export class ProductSyncRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`The product declarations would orphan existing subscriptions; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ProductSyncRefused'
  }
}

export interface SyncReport {
  /** e.g. "created product node", "changed block port", "removed workflow old_flow"; empty when all was in place */
  changes: string[]
}

interface Catalogue {
  workflows: Map<string, string>
  blocks: Map<string, string>
  products: Map<string, string>
}

const canon = (value: unknown) => JSON.stringify(value)

function blockShape(b: BlockDeclaration) {
  return {
    description: b.description,
    tag: b.tag,
    fields: Object.entries(b.fields)
      .map(([name, f]) => ({ name, type: f.type, description: f.description, required_from: f.required_from, choices: f.values ?? null, block: f.block ?? null }))
      .sort((x, y) => x.name.localeCompare(y.name)),
  }
}

function productShape(p: ProductDeclaration) {
  return {
    type: p.type,
    description: p.description,
    tag: p.tag,
    fixed_inputs: Object.entries(p.fixed_inputs).sort(([a], [b]) => a.localeCompare(b)),
    blocks: p.blocks.map((b) => b.name),
    workflows: [...p.workflows].sort(),
  }
}

function desiredCatalogue(products: readonly ProductDeclaration[], workflows: readonly WorkflowSummary[]): Catalogue {
  return {
    workflows: new Map(workflows.map((w) => [w.name, canon({ target: w.target, description: w.description })])),
    blocks: new Map([...blocksOf(products).values()].map((b) => [b.name, canon(blockShape(b))])),
    products: new Map(products.map((p) => [p.name, canon(productShape(p))])),
  }
}

async function currentCatalogue(tx: Tx): Promise<Catalogue> {
  const [workflows, blocks, products] = await Promise.all([
    tx.workflow.findMany(),
    tx.productBlock.findMany({ include: { resourceTypes: true, dependsOn: { include: { dependsOn: true } } } }),
    tx.product.findMany({ include: { fixedInputs: true, blocks: { include: { block: true } }, workflows: true } }),
  ])
  return {
    workflows: new Map(workflows.map((w) => [w.name, canon({ target: w.target, description: w.description })])),
    blocks: new Map(
      blocks.map((b) => {
        const refs = new Map(b.dependsOn.map((r) => [r.field, r.dependsOn.name]))
        const fields = b.resourceTypes
          .map((r) => ({ name: r.name, type: r.type, description: r.description, required_from: r.requiredFrom, choices: r.choices ?? null, block: refs.get(r.name) ?? null }))
          .sort((x, y) => x.name.localeCompare(y.name))
        return [b.name, canon({ description: b.description, tag: b.tag, fields })]
      }),
    ),
    products: new Map(
      products.map((p) => [
        p.name,
        canon({
          type: p.type,
          description: p.description,
          tag: p.tag,
          fixed_inputs: p.fixedInputs.map((f) => [f.name, f.value]).sort(([a], [b]) => a.localeCompare(b)),
          blocks: [...p.blocks].sort((a, b) => a.position - b.position).map((b) => b.block.name),
          workflows: p.workflows.map((w) => w.workflowName).sort(),
        }),
      ]),
    ),
  }
}

/** What is in `current` and not (or differently) in `desired`, by kind. */
function diff(current: Map<string, string>, desired: Map<string, string>) {
  return {
    created: [...desired.keys()].filter((k) => !current.has(k)),
    changed: [...desired.keys()].filter((k) => current.has(k) && current.get(k) !== desired.get(k)),
    removed: [...current.keys()].filter((k) => !desired.has(k)),
  }
}

/** Data that a removal or a field change would orphan: counted in the subscriptions that hold it. */
async function orphanProblems(tx: Tx, products: readonly ProductDeclaration[], current: Catalogue, desired: Catalogue): Promise<string[]> {
  const problems: string[] = []
  const counts = new Map(
    (await tx.$queryRaw<{ product: string; n: number }[]>`SELECT product, count(*)::int AS n FROM subscriptions GROUP BY product`).map((r) => [r.product, r.n]),
  )
  for (const name of diff(current.products, desired.products).removed) {
    const n = counts.get(name)
    if (n) problems.push(`product ${name} is no longer declared but has ${n} subscription(s)`)
  }
  const declared = new Map(products.map((p) => [p.name, p]))
  for (const name of diff(current.products, desired.products).changed) {
    const before = JSON.parse(current.products.get(name)!) as { blocks: string[] }
    const dropped = before.blocks.filter((b) => !declared.get(name)!.blocks.some((d) => d.name === b))
    for (const block of dropped) {
      const [{ n }] = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM subscriptions WHERE product = ${name} AND domain_model ? ${block}`
      if (n) problems.push(`product ${name} no longer has block ${block}, which holds data in ${n} subscription(s)`)
    }
  }
  for (const block of diff(current.blocks, desired.blocks).changed) {
    const before = JSON.parse(current.blocks.get(block)!) as { fields: { name: string; type: string }[] }
    const after = new Map((JSON.parse(desired.blocks.get(block)!) as { fields: { name: string; type: string }[] }).fields.map((f) => [f.name, f.type]))
    for (const field of before.fields.filter((f) => after.get(f.name) !== f.type)) {
      const [{ n }] = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM subscriptions WHERE domain_model -> ${block} -> ${field.name} IS NOT NULL`
      const what = after.has(field.name) ? `changes type from ${field.type} to ${after.get(field.name)}` : 'is no longer declared'
      if (n) problems.push(`field ${block}.${field.name} ${what} but holds values in ${n} subscription(s)`)
    }
  }
  return problems
}

async function writeBlock(tx: Tx, block: BlockDeclaration, ids: Map<string, string>) {
  const id = ids.get(block.name) ?? uuidv7()
  ids.set(block.name, id)
  await tx.productBlock.upsert({ where: { name: block.name }, create: { id, name: block.name, description: block.description, tag: block.tag }, update: { description: block.description, tag: block.tag } })
  await tx.resourceType.deleteMany({ where: { blockId: id } })
  await tx.resourceType.createMany({
    data: Object.entries(block.fields).map(([name, f]) => ({
      blockId: id,
      name,
      type: f.type,
      description: f.description,
      requiredFrom: f.required_from,
      ...(f.values ? { choices: [...f.values] } : {}),
    })),
  })
}

async function writeProduct(tx: Tx, product: ProductDeclaration, blockIds: Map<string, string>) {
  const existing = await tx.product.findUnique({ where: { name: product.name } })
  const id = existing?.id ?? uuidv7()
  const data = { type: product.type, description: product.description, tag: product.tag }
  await tx.product.upsert({ where: { name: product.name }, create: { id, name: product.name, ...data }, update: data })
  await tx.fixedInput.deleteMany({ where: { productId: id } })
  await tx.fixedInput.createMany({ data: Object.entries(product.fixed_inputs).map(([name, value]) => ({ productId: id, name, value })) })
  await tx.productProductBlock.deleteMany({ where: { productId: id } })
  await tx.productProductBlock.createMany({ data: product.blocks.map((b, position) => ({ productId: id, blockId: blockIds.get(b.name)!, position })) })
  await tx.productWorkflow.deleteMany({ where: { productId: id } })
  await tx.productWorkflow.createMany({ data: product.workflows.map((workflowName) => ({ productId: id, workflowName })) })
}

export async function syncProducts(prisma: PrismaService, products: readonly ProductDeclaration[], workflows: readonly WorkflowSummary[]): Promise<SyncReport> {
  const unknown = products.flatMap((p) => p.workflows.filter((w) => !workflows.some((d) => d.name === w)).map((w) => `product ${p.name} names workflow ${w}, which is not declared`))
  if (unknown.length) throw new ProductSyncRefused(unknown)
  const desired = desiredCatalogue(products, workflows)
  return prisma.$transaction(
    async (tx) => {
      // One sync at a time: several workers or launchers may start together.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('loom:product-sync'))`
      const current = await currentCatalogue(tx)
      const d = { workflows: diff(current.workflows, desired.workflows), blocks: diff(current.blocks, desired.blocks), products: diff(current.products, desired.products) }
      const changes = (['workflows', 'blocks', 'products'] as const).flatMap((kind) => {
        const noun = kind.slice(0, -1).replace('block', 'product block')
        return [...d[kind].created.map((n) => `created ${noun} ${n}`), ...d[kind].changed.map((n) => `changed ${noun} ${n}`), ...d[kind].removed.map((n) => `removed ${noun} ${n}`)]
      })
      if (changes.length === 0) return { changes }
      const problems = await orphanProblems(tx, products, current, desired)
      if (problems.length) throw new ProductSyncRefused(problems)

      for (const w of workflows) {
        await tx.workflow.upsert({ where: { name: w.name }, create: { name: w.name, target: w.target, description: w.description }, update: { target: w.target, description: w.description } })
      }
      const blocks = blocksOf(products)
      const blockIds = new Map((await tx.productBlock.findMany({ select: { id: true, name: true } })).map((b) => [b.name, b.id]))
      for (const name of [...d.blocks.created, ...d.blocks.changed]) await writeBlock(tx, blocks.get(name)!, blockIds)
      // References between blocks, once every block exists.
      for (const name of [...d.blocks.created, ...d.blocks.changed]) {
        const block = blocks.get(name)!
        await tx.productBlockRelation.deleteMany({ where: { inUseById: blockIds.get(name)! } })
        await tx.productBlockRelation.createMany({
          data: Object.entries(block.fields)
            .filter(([, f]) => f.type === 'block_ref')
            .map(([field, f]) => ({ inUseById: blockIds.get(name)!, field, dependsOnId: blockIds.get(f.block!)! })),
        })
      }
      const declared = new Map(products.map((p) => [p.name, p]))
      for (const name of [...d.products.created, ...d.products.changed]) await writeProduct(tx, declared.get(name)!, blockIds)
      await tx.product.deleteMany({ where: { name: { in: d.products.removed } } })
      await tx.productBlockRelation.deleteMany({ where: { inUseBy: { name: { in: d.blocks.removed } } } })
      await tx.productBlock.deleteMany({ where: { name: { in: d.blocks.removed } } })
      await tx.workflow.deleteMany({ where: { name: { in: d.workflows.removed } } })
      return { changes }
    },
    { timeout: 60_000 },
  )
}
