// The subscription store through the API: search, filters, the audit trail, versioned edits and locks.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { ProcessActivities, StepLog, SubscriptionActivities } from '#activities/index.js'
import type { Page, ProcessSummaryDto, SubscriptionDto, SubscriptionSummaryDto } from '#contracts/index.js'
import { sampleModels } from '#domain/products/samples.js'
import { lockSubscriptions, PrismaService, SubscriptionLocked } from '#persistence/index.js'
import { type ApiClient, apiClient } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { testConfig } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { newProcess as createProcess, stepContext } from '../support/records.js'

let db: TestDatabase
let prisma: PrismaService
let gw: RunningGateway
let api: ApiClient
const ids: Record<string, string> = {}
let creator: string

const newProcess = () => createProcess(prisma)

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  const steps = new StepLog(prisma)
  const subscriptions = new SubscriptionActivities(steps, prisma)
  const processes = new ProcessActivities(prisma, steps, 'http://localhost:3000', [])
  creator = await newProcess()
  for (const product of ['node', 'port_10g', 'circuit_10g']) ids[product] = uuidv7()
  // The port is on the node; the circuit joins the port to itself (enough to have references both ways).
  const models = sampleModels({ node: ids.node, port_a: ids.port_10g, port_b: ids.port_10g })
  for (const product of ['node', 'port_10g', 'circuit_10g']) {
    await subscriptions.storeProcessSubscription({
      process_id: creator,
      step: `store_${product}`,
      started_at: new Date().toISOString(),
      subscription: { id: ids[product], product, customer_id: product === 'node' ? 'surf' : 'acme', description: `sample ${product}`, domain_model: models[product] },
      claims: [],
    })
  }
  await processes.finishProcess({ process_id: creator, status: 'completed' })
  gw = await startGateway(testConfig(db.url))
  api = apiClient(gw.url)
})
after(async () => {
  await gw?.close()
  await prisma?.$disconnect()
  await db?.drop()
})

const found = async (query: string) => (await api.get<Page<SubscriptionSummaryDto>>(`/api/subscriptions?${query}`)).body.items.map((s) => s.product).sort()

describe('finding subscriptions', () => {
  test('text search covers block values, description, customer and product, case-insensitively', async () => {
    assert.deepEqual(await found('q=AMS-PE1'), ['node'])
    assert.deepEqual(await found('q=eth1'), ['port_10g'])
    assert.deepEqual(await found('q=203.0.113.1'), ['circuit_10g'])
    assert.deepEqual(await found('q=surf'), ['node'])
    assert.deepEqual(await found('q=sample'), ['circuit_10g', 'node', 'port_10g'])
    assert.deepEqual(await found('q=%25'), [], 'a % is a character, not a wildcard')
  })

  test('filters combine: product tag, customer, lifecycle, insync', async () => {
    assert.deepEqual(await found('tag=PORT'), ['port_10g'])
    assert.deepEqual(await found('customer_id=acme&q=sample'), ['circuit_10g', 'port_10g'])
    assert.deepEqual(await found('lifecycle=initial&insync=true'), ['circuit_10g', 'node', 'port_10g'])
    assert.deepEqual(await found('lifecycle=active'), [])
    const empty = await api.get('/api/subscriptions?q=')
    assert.equal(empty.status, 400)
    assert.deepEqual((empty.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path), ['q'])
  })

  test("a subscription's processes are its audit trail; an unknown subscription is 404", async () => {
    const trail = await api.get<Page<ProcessSummaryDto>>(`/api/subscriptions/${ids.node}/processes`)
    assert.equal(trail.status, 200)
    assert.deepEqual(trail.body.items.map((p) => p.id), [creator])
    assert.equal((await api.get(`/api/subscriptions/${uuidv7()}/processes`)).status, 404)
    const byProduct = await api.get<Page<ProcessSummaryDto>>('/api/processes?product=port_10g&subscription=' + ids.port_10g)
    assert.deepEqual(byProduct.body.items.map((p) => p.id), [creator])
  })
})

describe('list totals', () => {
  const FILTERS = ['', 'product=port_10g', 'tag=CIRCUIT', 'lifecycle=active', 'customer_id=tally-1', 'insync=false', 'product=node&lifecycle=provisioning&insync=true', 'customer_id=tally-2&lifecycle=terminated']
  /** The API's total for each filter next to a count of the rows themselves. */
  async function totals() {
    const api_ = await Promise.all(FILTERS.map(async (f) => (await api.get<Page<SubscriptionSummaryDto>>(`/api/subscriptions?limit=1&${f}`)).body.total))
    const counted = await Promise.all(
      FILTERS.map(async (f) => {
        const q = new URLSearchParams(f)
        const tagged = q.get('tag') ? (await prisma.product.findMany({ where: { tag: q.get('tag')! } })).map((p) => p.name) : undefined
        return prisma.subscription.count({
          where: {
            product: q.get('product') ?? (tagged ? { in: tagged } : undefined),
            lifecycle: (q.get('lifecycle') as 'active' | null) ?? undefined,
            customerId: q.get('customer_id') ?? undefined,
            insync: q.has('insync') ? q.get('insync') === 'true' : undefined,
          },
        })
      }),
    )
    return { api: api_, counted }
  }

  test('stay exact through inserts, changes of lifecycle and insync, deletes, and concurrent writers', async () => {
    const products = ['node', 'port_10g', 'port_100g', 'circuit_10g']
    const lifecycles = ['initial', 'provisioning', 'active', 'terminated'] as const
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: uuidv7(),
      product: products[i % 4],
      customerId: `tally-${i % 3}`,
      description: `tally ${i}`,
      lifecycle: lifecycles[i % 4],
      insync: i % 2 === 0,
    }))
    await prisma.subscription.createMany({ data: rows })
    const afterInsert = await totals()
    assert.deepEqual(afterInsert.api, afterInsert.counted)
    assert.ok(afterInsert.api[0] >= 43, 'the fixtures and the 40 rows are counted')

    await prisma.subscription.updateMany({ where: { customerId: 'tally-1' }, data: { lifecycle: 'active' } })
    await prisma.subscription.updateMany({ where: { product: 'node', customerId: { startsWith: 'tally' } }, data: { insync: false } })
    await prisma.subscription.updateMany({ where: { customerId: 'tally-0' }, data: { description: 'renamed: groups unchanged' } })
    await prisma.subscription.deleteMany({ where: { customerId: 'tally-2', lifecycle: 'terminated' } })
    // Many small transactions on the same few groups at once: no count is lost to a race.
    await Promise.all(
      rows.slice(0, 24).map((r, i) =>
        prisma.$transaction([
          prisma.subscription.updateMany({ where: { id: r.id }, data: { insync: i % 3 === 0, lifecycle: lifecycles[(i + 1) % 4] } }),
          prisma.subscription.create({ data: { id: uuidv7(), product: 'port_10g', customerId: 'tally-1', description: `concurrent ${i}`, lifecycle: 'provisioning', insync: true } }),
        ]),
      ),
    )
    const afterWrites = await totals()
    assert.deepEqual(afterWrites.api, afterWrites.counted)
    assert.notDeepEqual(afterWrites.api, afterInsert.api)

    // A page past the last row (the rows after the cursor went meanwhile) is empty, and still has its total.
    const first = await api.get<Page<SubscriptionSummaryDto>>('/api/subscriptions?customer_id=tally-1&limit=1')
    await prisma.subscription.deleteMany({ where: { customerId: 'tally-1', id: { not: first.body.items[0].id } } })
    const past = await api.get<Page<SubscriptionSummaryDto>>(`/api/subscriptions?customer_id=tally-1&limit=1&cursor=${first.body.next_cursor}`)
    assert.deepEqual(past.body, { items: [], total: 1, next_cursor: null, tenant_scope: 'all' })

    await prisma.subscription.deleteMany({ where: { customerId: { startsWith: 'tally' } } })
    const cleared = await totals()
    assert.deepEqual(cleared.api, cleared.counted)
  })
})

describe('editing a subscription', () => {
  test('description and note change from the version read; a stale version is a 409 naming the current one', async () => {
    const { body: read } = await api.get<SubscriptionDto>(`/api/subscriptions/${ids.port_10g}`)
    const ok = await api.call<SubscriptionDto>('PATCH', `/api/subscriptions/${ids.port_10g}`, { version: read.version, description: 'uplink', note: 'new optics' })
    assert.equal(ok.status, 200)
    assert.deepEqual([ok.body.description, ok.body.note, ok.body.version], ['uplink', 'new optics', read.version + 1])
    const stale = await api.call('PATCH', `/api/subscriptions/${ids.port_10g}`, { version: read.version, note: 'lost?' })
    assert.equal(stale.status, 409)
    assert.match(String(stale.body.detail), new RegExp(`Version ${read.version} .* is stale: it is at version ${read.version + 1}`))
  })

  test('two concurrent writers from one version: one wins, the other gets a conflict, nothing is lost', async () => {
    const { body: read } = await api.get<SubscriptionDto>(`/api/subscriptions/${ids.circuit_10g}`)
    const [a, b] = await Promise.all(['from A', 'from B'].map((note) => api.call<SubscriptionDto>('PATCH', `/api/subscriptions/${ids.circuit_10g}`, { version: read.version, note })))
    assert.deepEqual([a.status, b.status].sort(), [200, 409])
    const winner = (a.status === 200 ? a : b).body.note
    assert.equal((await api.get<SubscriptionDto>(`/api/subscriptions/${ids.circuit_10g}`)).body.note, winner)
  })

  test('only description and note can be edited; a missing version or another field is 422', async () => {
    const res = await api.call('PATCH', `/api/subscriptions/${ids.node}`, { lifecycle: 'active', description: 'x' })
    assert.equal(res.status, 422)
    assert.deepEqual([...new Set((res.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path))].sort(), ['lifecycle', 'version'])
  })
})

describe('subscription locks', () => {
  test('taken for all subscriptions or none; anyone else gets the holder named; released when the process ends', async () => {
    const holder = await newProcess()
    await prisma.$transaction((tx) => lockSubscriptions(tx, holder, [ids.node, ids.port_10g]))
    const locked = await prisma.subscription.findUniqueOrThrow({ where: { id: ids.node } })
    assert.deepEqual([locked.lockedBy, locked.insync], [holder, false])

    const other = await newProcess()
    await assert.rejects(
      prisma.$transaction((tx) => lockSubscriptions(tx, other, [ids.circuit_10g, ids.port_10g])),
      (e: Error) => e instanceof SubscriptionLocked && e.message === `subscription ${ids.port_10g} is locked by process ${holder}`,
    )
    assert.equal((await prisma.subscription.findUniqueOrThrow({ where: { id: ids.circuit_10g } })).lockedBy, null, 'none of the set was locked')

    const { body: read } = await api.get<SubscriptionDto>(`/api/subscriptions/${ids.node}`)
    const edit = await api.call('PATCH', `/api/subscriptions/${ids.node}`, { version: read.version, note: 'while locked' })
    assert.equal(edit.status, 409)
    assert.match(String(edit.body.detail), new RegExp(`locked by process ${holder}`))

    await new ProcessActivities(prisma, new StepLog(prisma), 'http://localhost:3000', []).finishProcess({ process_id: holder, status: 'failed', failure: { message: 'test' } })
    const released = await prisma.subscription.findUniqueOrThrow({ where: { id: ids.node } })
    assert.deepEqual([released.lockedBy, released.insync], [null, false], 'a failed process releases its locks and leaves the subscription out of sync')
  })
})

describe('relations between subscriptions', () => {
  test('depends_on and in_use_by name the subscriptions on both sides of each reference', async () => {
    const port = (await api.get<SubscriptionDto>(`/api/subscriptions/${ids.port_10g}`)).body
    assert.deepEqual(port.depends_on.map((r) => [r.path, r.subscription_id, r.product]), [['port.node', ids.node, 'node']])
    assert.deepEqual(port.in_use_by.map((r) => [r.path, r.subscription_id]), [
      ['circuit.side_a.port', ids.circuit_10g],
      ['circuit.side_b.port', ids.circuit_10g],
    ])
    const node = (await api.get<SubscriptionDto>(`/api/subscriptions/${ids.node}`)).body
    assert.deepEqual(node.depends_on, [])
    assert.deepEqual(node.in_use_by.map((r) => r.product), ['port_10g'])
  })

  test('a subscription still in use cannot be terminated; the users are named; once they end, it can', async () => {
    const steps = new StepLog(prisma)
    const subscriptions = new SubscriptionActivities(steps, prisma)
    const process = await newProcess()
    const step = (name: string) => stepContext(process, name)
    await assert.rejects(
      subscriptions.setLifecycle({ ...step('terminate_port'), subscription_id: ids.port_10g, lifecycle: 'terminated' }),
      new RegExp(`subscription ${ids.port_10g} is still in use by circuit_10g ${ids.circuit_10g} \\(initial, circuit.side_a.port\\), circuit_10g ${ids.circuit_10g} \\(initial, circuit.side_b.port\\)`),
    )
    assert.equal((await prisma.subscription.findUniqueOrThrow({ where: { id: ids.port_10g } })).lifecycle, 'initial')
    await subscriptions.setLifecycle({ ...step('terminate_circuit'), subscription_id: ids.circuit_10g, lifecycle: 'terminated' })
    await subscriptions.setLifecycle({ ...step('terminate_port_again'), subscription_id: ids.port_10g, lifecycle: 'terminated' })
    assert.equal((await prisma.subscription.findUniqueOrThrow({ where: { id: ids.port_10g } })).lifecycle, 'terminated')
  })

  test('a reference to a subscription that does not exist is refused, naming where it sits', async () => {
    const process = await newProcess()
    const ghost = uuidv7()
    const id = uuidv7()
    await assert.rejects(
      new SubscriptionActivities(new StepLog(prisma), prisma).storeProcessSubscription({
        process_id: process,
        step: 'store_process_subscription',
        started_at: new Date().toISOString(),
        subscription: { id, product: 'port_10g', customer_id: 'acme', description: 'orphan port', domain_model: { port: { node: ghost, port_name: 'eth2' } } },
        claims: [],
      }),
      new RegExp(`port.node refers to subscription ${ghost}, which does not exist`),
    )
    assert.equal(await prisma.subscription.count({ where: { id } }), 0)
  })
})

describe('paging subscriptions', () => {
  test('pages in any offered order see every row once, while rows are being inserted', async () => {
    const store = new SubscriptionActivities(new StepLog(prisma), prisma)
    const add = async (n: number) => {
      const process = await newProcess()
      for (let i = 0; i < n; i++) {
        await store.storeProcessSubscription({
          process_id: process,
          step: `store_${i}`,
          started_at: new Date().toISOString(),
          subscription: { id: uuidv7(), product: 'node', customer_id: `pager-${String(i).padStart(3, '0')}`, description: `pager ${i % 7}`, domain_model: sampleModels({ node: ids.node, port_a: ids.port_10g, port_b: ids.port_10g }).node },
          claims: [],
        })
      }
    }
    await add(30)
    const before = new Set((await prisma.subscription.findMany({ where: { customerId: { startsWith: 'pager-' } }, select: { id: true } })).map((s) => s.id))
    // A text search pages its hits; the filters alone walk the table's indexes: both must hold.
    for (const [filter, sort] of ['product=node&q=pager', 'product=node&lifecycle=initial'].flatMap((f) => ['-created_at', 'description', '-customer_id'].map((o) => [f, o]))) {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page: { status: number; body: Page<SubscriptionSummaryDto> } = await api.get<Page<SubscriptionSummaryDto>>(
          `/api/subscriptions?${filter}&limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
        )
        assert.equal(page.status, 200)
        seen.push(...page.body.items.map((s) => s.id))
        cursor = page.body.next_cursor
        await add(2) // meanwhile, others insert
      } while (cursor)
      assert.equal(new Set(seen).size, seen.length, `${filter} by ${sort}: a row came twice`)
      for (const id of before) assert.ok(seen.includes(id), `${filter} by ${sort}: row ${id} was missed`)
    }
    const wrongSort = await api.get(`/api/subscriptions?sort=description&cursor=${(await api.get<Page<SubscriptionSummaryDto>>('/api/subscriptions?limit=1')).body.next_cursor}`)
    assert.equal(wrongSort.status, 400)
    assert.match(JSON.stringify(wrongSort.body), /belongs to sort=-created_at/)
  })
})
