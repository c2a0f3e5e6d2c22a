// Customers: the built-in source through /api/customers (list shape, 404/409/422), the customer's name in a
// subscription's detail, start forms that refuse a customer nobody knows — and the same with the customer system
// behind a webhook (LOOM_CUSTOMERS=webhook), a real HTTP server here.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import type { CustomerDto, Page, SubscriptionDto } from '#contracts/index.js'
import { PrismaService } from '#persistence/index.js'
import { type ApiClient, apiClient } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { testConfig } from '../support/env.js'
import { gatewayOnFreshDatabase, type RunningGateway, startGateway } from '../support/gateway.js'

type Problem = { detail: string; errors?: { path: string; message: string }[] }

async function subscriptionOf(prisma: PrismaService, customerId: string, lifecycle: 'active' | 'terminated' = 'active'): Promise<string> {
  const id = uuidv7()
  await prisma.subscription.create({ data: { id, product: 'node', customerId, description: `node of ${customerId}`, lifecycle, domainModel: {} } })
  return id
}

/** A planned router, so that create_node's form has something to offer. */
async function plannedRouter(api: ApiClient, name: string): Promise<void> {
  await api.call('POST', '/api/dcim/sites', { name: 'cust' })
  const made = await api.call('POST', '/api/dcim/devices', { name, role: 'router', vendor: 'frr', platform: 'frr', site: 'cust', management_address: '192.0.2.80' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
}

describe('/api/customers (the built-in customer source)', () => {
  const gateway = gatewayOnFreshDatabase()
  const api = () => apiClient(gateway.url)

  test('the default customer exists from the start (start forms propose it)', async () => {
    const acme = await api().get<CustomerDto>('/api/customers/acme')
    assert.equal(acme.status, 200)
    assert.equal(acme.body.id, 'acme')
  })

  test('add, read, change and clear; a taken id is a 409, bad fields a 422 naming each, an unknown id a 404', async () => {
    const made = await api().call<CustomerDto>('POST', '/api/customers', { id: 'globex', name: 'Globex Networks', contact_email: 'noc@globex.example', contact_name: 'Globex NOC' })
    assert.equal(made.status, 201)
    assert.deepEqual({ ...made.body, created_at: undefined, updated_at: undefined }, {
      id: 'globex', name: 'Globex Networks', contact_email: 'noc@globex.example', contact_name: 'Globex NOC', note: null, live_subscriptions: 0, created_at: undefined, updated_at: undefined,
    })
    const taken = await api().call<Problem>('POST', '/api/customers', { id: 'globex', name: 'Other' })
    assert.equal(taken.status, 409)
    assert.match(taken.body.detail, /Customer globex exists already/)
    const bad = await api().call<Problem>('POST', '/api/customers', { id: 'has space', name: '', contact_email: 'not-an-address', colour: 'red' })
    assert.equal(bad.status, 422)
    assert.deepEqual([...new Set(bad.body.errors!.map((e) => e.path))].sort(), ['colour', 'contact_email', 'id', 'name'])
    assert.equal((await api().get('/api/customers/nobody')).status, 404)

    const changed = await api().call<CustomerDto>('PATCH', '/api/customers/globex', { name: 'Globex Networks B.V.', contact_name: null })
    assert.equal(changed.status, 200)
    assert.deepEqual([changed.body.name, changed.body.contact_email, changed.body.contact_name], ['Globex Networks B.V.', 'noc@globex.example', null], 'only the fields given change')
    assert.equal((await api().call('PATCH', '/api/customers/globex', { contact_email: 'nope' })).status, 422)
    assert.equal((await api().call('PATCH', '/api/customers/globex', { name: null })).status, 422, 'a name cannot be cleared')
    assert.equal((await api().call('PATCH', '/api/customers/nobody', { name: 'x' })).status, 404)
  })

  test('the list pages through every customer once, by id or by name; a bad sort or cursor is a 400', async () => {
    for (const id of ['c-05', 'c-03', 'c-01', 'c-04', 'c-02']) await api().call('POST', '/api/customers', { id, name: `Customer ${6 - Number(id.slice(2))}` })
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { body: Page<CustomerDto> } = await api().get<Page<CustomerDto>>(`/api/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      assert.equal(page.body.total, 7)
      seen.push(...page.body.items.map((c) => c.id))
      cursor = page.body.next_cursor
    } while (cursor)
    assert.deepEqual(seen, ['acme', 'c-01', 'c-02', 'c-03', 'c-04', 'c-05', 'globex'])
    const byName = await api().get<Page<CustomerDto>>('/api/customers?sort=-name')
    assert.deepEqual(byName.body.items.filter((c) => c.id.startsWith('c-')).map((c) => c.name), ['Customer 5', 'Customer 4', 'Customer 3', 'Customer 2', 'Customer 1'])
    assert.equal((await api().get('/api/customers?sort=colour')).status, 400)
    assert.equal((await api().get('/api/customers?cursor=garbage')).status, 400)
  })

  test('a subscription names its customer; a customer with live subscriptions cannot be removed (409 naming them)', async () => {
    const live = await subscriptionOf(gateway.prisma, 'globex')
    const detail = await api().get<SubscriptionDto>(`/api/subscriptions/${live}`)
    assert.deepEqual(detail.body.customer, { id: 'globex', name: 'Globex Networks B.V.', contact_email: 'noc@globex.example' })
    const unknown = await subscriptionOf(gateway.prisma, 'ghost-customer')
    assert.equal((await api().get<SubscriptionDto>(`/api/subscriptions/${unknown}`)).body.customer, null)

    assert.equal((await api().get<CustomerDto>('/api/customers/globex')).body.live_subscriptions, 1)
    const refused = await api().call<Problem>('DELETE', '/api/customers/globex')
    assert.equal(refused.status, 409)
    assert.equal(refused.body.detail, `Customer globex has 1 live subscription (${live}); terminate them first.`)
    await gateway.prisma.subscription.update({ where: { id: live }, data: { lifecycle: 'terminated' } })
    const removed = await api().call<CustomerDto>('DELETE', '/api/customers/globex')
    assert.equal(removed.status, 200)
    assert.equal(removed.body.id, 'globex')
    assert.equal((await api().get('/api/customers/globex')).status, 404)
    assert.equal((await api().call('DELETE', '/api/customers/globex')).status, 404)
  })

  test('a start form refuses a customer_id the source does not know, naming the field; a known one passes', async () => {
    await plannedRouter(api(), 'cust-r1')
    const refused = await api().call<Problem>('POST', '/api/workflows/create_node/form', { router: 'cust-r1', customer_id: 'nobody' })
    assert.equal(refused.status, 422)
    assert.deepEqual(refused.body.errors, [{ path: 'customer_id', message: 'no customer "nobody": add it with POST /api/customers (GET /api/customers lists them)' }])
    const start = await api().call<Problem>('POST', '/api/processes/create_node', { router: 'cust-r1', customer_id: 'nobody' })
    assert.equal(start.status, 422, 'nothing is started')
    assert.equal(await gateway.prisma.process.count(), 0)
    assert.deepEqual((await api().call('POST', '/api/workflows/create_node/form', { router: 'cust-r1' })).body, { complete: true }, 'the default customer')
  })
})

describe('LOOM_CUSTOMERS=webhook: customers from the customer system', () => {
  let db: TestDatabase
  let prisma: PrismaService
  let gw: RunningGateway
  let crm: Server
  let down = false
  const asked: string[] = []

  before(async () => {
    crm = createServer((req, res) => {
      asked.push(req.url ?? '')
      if (down) return res.writeHead(502).end()
      if (req.url === '/crm/customers/initech') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'initech', name: 'Initech', contact_email: 'it@initech.example' }))
      res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve))
    db = await cloneDatabase()
    prisma = new PrismaService(db.url)
    const url = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/crm/customers/`
    gw = await startGateway(testConfig(db.url, { oss: { smtp: undefined, notifyWebhook: undefined, templatesDir: undefined, ticketWebhook: undefined, customers: { source: 'webhook', url: url.replace(/\/$/, '') } } }))
  })
  after(async () => {
    await gw?.close()
    await prisma?.$disconnect()
    await db?.drop()
    crm?.close()
  })

  test('the subscription detail names the customer the customer system knows; /api/customers says where customers are managed', async () => {
    const api = apiClient(gw.url)
    const id = await subscriptionOf(prisma, 'initech')
    assert.deepEqual((await api.get<SubscriptionDto>(`/api/subscriptions/${id}`)).body.customer, { id: 'initech', name: 'Initech', contact_email: 'it@initech.example' })
    assert.ok(asked.includes('/crm/customers/initech'))
    const managed = await api.get<Problem>('/api/customers')
    assert.equal(managed.status, 409)
    assert.match(managed.body.detail, /Customers come from the customer system at http:\/\/127\.0\.0\.1:\d+ \(LOOM_CUSTOMERS=webhook\)/)
    assert.doesNotMatch(managed.body.detail, /crm/, 'the origin only: the path of a URL may hold a token')
  })

  test('a start form checks its customer_id with the customer system: unknown is a 422, the system down a 503', async () => {
    const api = apiClient(gw.url)
    await plannedRouter(api, 'crm-r1')
    const refused = await api.call<Problem>('POST', '/api/workflows/create_node/form', { router: 'crm-r1', customer_id: 'nobody' })
    assert.equal(refused.status, 422)
    assert.deepEqual(refused.body.errors, [{ path: 'customer_id', message: 'no customer "nobody": the customer system (LOOM_CUSTOMERS_URL) does not know it' }])
    assert.deepEqual((await api.call('POST', '/api/workflows/create_node/form', { router: 'crm-r1', customer_id: 'initech' })).body, { complete: true })
    down = true
    const unavailable = await api.call<Problem>('POST', '/api/workflows/create_node/form', { router: 'crm-r1', customer_id: 'initech' })
    assert.equal(unavailable.status, 503)
    assert.match(unavailable.body.detail, /the customer system \(http:\/\/127\.0\.0\.1:\d+\) answered 502/)
  })
})
