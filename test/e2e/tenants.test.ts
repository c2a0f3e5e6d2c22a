// Tenants, tried as a member of another tenant would: every tenant-scoped operation of the OpenAPI document on
// red's rows as bob (blue), who must find nothing there and change nothing; lists that say their scope; writes
// that act in one tenant; forms that never offer another tenant's subscriptions; and a coverage check that fails
// for any operation that has not declared whether its rows belong to tenants.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Page, ProcessDto, ProcessStartedDto, ProcessSummaryDto, ScheduleDto, SubscriptionDto, SubscriptionSummaryDto } from '#contracts/index.js'
import { ProcessActivities } from '#activities/processes/process.activities.js'
import { StepLog } from '#activities/processes/step-log.js'
import { demoDevices, PrismaService } from '#persistence/index.js'
import { v7 as uuidv7 } from 'uuid'
import { projectRoot, waitFor } from '#runtime/index.js'
import { adminKey, anonymously, apiClient, as, asOnly } from '../support/api.js'
import { testConfig } from '../support/env.js'
import { startGateway } from '../support/gateway.js'
import { loomStack } from '../support/loom.js'
import { newProcess, stepContext } from '../support/records.js'

const product = loomStack({ devices: demoDevices(projectRoot()) })
const api = () => product.api

/** red's rows, made by alice (a member of red only) */
const red = { process: '', subscription: '', schedule: '', version: 0, service: '', instance: '', custom: 'red_check' }
const RED_SERVICE = { name: 'red enrolment', group: 'provisioning', workflows: [{ definition_source: 'create_node', wfe_type: 'loom' }] }
const ALICE = as('alice')
const BOB = as('bob')
const CAROL = as('carol')

before(async () => {
  await product.start()
  for (const id of ['red', 'blue']) assert.equal((await api().call('POST', '/api/tenants', { id, name: `${id} team` })).status, 201)
  for (const [tenant, user] of [['red', 'alice'], ['blue', 'bob'], ['red', 'carol'], ['blue', 'carol']]) {
    const added = await api().call('POST', `/api/tenants/${tenant}/members`, { kind: 'user', member: `key:${user}` })
    assert.equal(added.status, 201, JSON.stringify(added.body))
  }
  const form = await api().get<{ properties: { router: { enum: string[] } } }>('/api/workflows/create_node/form')
  const started = await api().call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: form.body.properties.router.enum[0] }, ALICE)
  assert.equal(started.status, 201, JSON.stringify(started.body))
  red.process = started.body.id
  const waiting = await api().waitForProcess(red.process, (p) => p.status === 'waiting' && p.subscription_ids.length > 0)
  red.subscription = waiting.subscription_ids[0]
  red.version = (await api().get<SubscriptionDto>(`/api/subscriptions/${red.subscription}`)).body.version
  const schedule = await api().call<ScheduleDto>('POST', '/api/schedules', { workflow: 'task_resume_all', every: '1 day' }, ALICE)
  assert.equal(schedule.status, 201, JSON.stringify(schedule.body))
  red.schedule = schedule.body.id
  const service = await api().call<{ id: string; tenant_id: string }>('POST', '/api/catalog/services', RED_SERVICE, ALICE)
  assert.equal(service.status, 201, JSON.stringify(service.body))
  assert.equal(service.body.tenant_id, 'red')
  red.service = service.body.id
  const instance = await api().call<{ id: string }>('POST', '/api/catalog/instances', { service_id: red.service, action: 'create_node', name: 'red instance', parameters: { router: form.body.properties.router.enum[1] } }, ALICE)
  assert.equal(instance.status, 201, JSON.stringify(instance.body))
  red.instance = instance.body.id
  await api().waitForProcess(red.instance, (p) => p.status === 'waiting')
  const custom = await api().call('POST', '/api/catalog/workflows', { name: red.custom, steps: [{ name: 'check', action: 'system.check_database', with: {} }] }, { 'x-loom-tenant': 'red' })
  assert.equal(custom.status, 201, JSON.stringify(custom.body))
})
after(() => product.stop())

type Ids = typeof red
/** Operations on one of red's rows, by shape (`{}` for each path parameter): how to call them. */
const ON_A_ROW: Record<string, (ids: Ids) => { path: string; body?: unknown }> = {
  'GET /api/processes/{}': (r) => ({ path: `/api/processes/${r.process}` }),
  'GET /api/processes/{}/events': (r) => ({ path: `/api/processes/${r.process}/events` }),
  'PUT /api/processes/{}/resume': (r) => ({ path: `/api/processes/${r.process}/resume`, body: { confirm_config_applied: true } }),
  'PUT /api/processes/{}/abort': (r) => ({ path: `/api/processes/${r.process}/abort`, body: {} }),
  'GET /api/subscriptions/{}': (r) => ({ path: `/api/subscriptions/${r.subscription}` }),
  'PATCH /api/subscriptions/{}': (r) => ({ path: `/api/subscriptions/${r.subscription}`, body: { version: r.version, note: 'bob was here' } }),
  'GET /api/subscriptions/{}/processes': (r) => ({ path: `/api/subscriptions/${r.subscription}/processes` }),
  'GET /api/subscriptions/{}/versions': (r) => ({ path: `/api/subscriptions/${r.subscription}/versions` }),
  'GET /api/subscriptions/{}/versions/diff': (r) => ({ path: `/api/subscriptions/${r.subscription}/versions/diff?from=${r.version}&to=${r.version}` }),
  'GET /api/schedules/{}': (r) => ({ path: `/api/schedules/${r.schedule}` }),
  'DELETE /api/schedules/{}': (r) => ({ path: `/api/schedules/${r.schedule}` }),
  'GET /api/catalog/services/{}': (r) => ({ path: `/api/catalog/services/${r.service}` }),
  'PUT /api/catalog/services/{}': (r) => ({ path: `/api/catalog/services/${r.service}`, body: { ...RED_SERVICE, description: 'bob was here' } }),
  'PATCH /api/catalog/services/{}': (r) => ({ path: `/api/catalog/services/${r.service}`, body: { description: 'bob was here' } }),
  'DELETE /api/catalog/services/{}': (r) => ({ path: `/api/catalog/services/${r.service}` }),
  'GET /api/catalog/instances/{}': (r) => ({ path: `/api/catalog/instances/${r.instance}` }),
  'DELETE /api/catalog/instances/{}': (r) => ({ path: `/api/catalog/instances/${r.instance}` }),
  'GET /api/catalog/workflows/{}': (r) => ({ path: `/api/catalog/workflows/${r.custom}` }),
  'GET /api/catalog/workflows/{}/versions/{}': (r) => ({ path: `/api/catalog/workflows/${r.custom}/versions/1` }),
  'POST /api/catalog/workflows/{}/start': (r) => ({ path: `/api/catalog/workflows/${r.custom}/start`, body: {} }),
}
/** Lists of tenant-owned rows. */
const LISTS = ['GET /api/processes', 'GET /api/subscriptions', 'GET /api/schedules', 'GET /api/catalog/services', 'GET /api/catalog/instances', 'GET /api/catalog/workflows']
/** Writes that make a tenant's rows: they act in one tenant. */
const MAKERS = ['POST /api/processes/{}', 'POST /api/schedules', 'POST /api/tasks/upgrade-os', 'POST /api/catalog/services', 'POST /api/catalog/instances', 'POST /api/catalog/workflows']
/** Operations whose choices or references are subscriptions: only the caller's tenants' ones. */
const CHOOSERS = ['GET /api/workflows/{}/form', 'POST /api/workflows/{}/form', 'POST /api/ipam/pools/{}/allocations']
/**
 * Shared by every tenant, decided on purpose: infrastructure (sources of truth, products, code workflows,
 * customers), the engine, identity and tenants themselves. A callback is authorised by its token.
 */
const GLOBAL = ['/api/health', '/api/system', '/api/products', '/api/workflows', '/api/ipam', '/api/dcim', '/api/customers', '/api/settings', '/api/audit', '/api/auth', '/api/tenants', '/codec']
const GLOBAL_OPERATIONS = ['POST /api/processes/{}/callback/{}']

interface Operation {
  shape: string
  scoped: boolean
}

async function operations(): Promise<Operation[]> {
  const doc = (await (await fetch(`${product.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> }
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ shape: `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`, scoped: op['x-loom-tenant-scoped'] === true })),
  )
}

describe('coverage', () => {
  test('every operation is either tenant-scoped and tested here, or shared on purpose (GLOBAL): a new route must decide', async () => {
    const scopedHere = new Set([...Object.keys(ON_A_ROW), ...LISTS, ...MAKERS, ...CHOOSERS])
    const undecided: string[] = []
    for (const op of await operations()) {
      const global = GLOBAL_OPERATIONS.includes(op.shape) || GLOBAL.some((prefix) => op.shape.split(' ')[1].startsWith(prefix))
      if (op.scoped && !scopedHere.has(op.shape)) undecided.push(`${op.shape}: marked x-loom-tenant-scoped, but this test does not try it`)
      if (!op.scoped && scopedHere.has(op.shape)) undecided.push(`${op.shape}: tried here as tenant-scoped, but not marked TenantScoped()`)
      if (!op.scoped && !global) undecided.push(`${op.shape}: neither TenantScoped() nor in GLOBAL`)
      scopedHere.delete(op.shape)
    }
    assert.deepEqual(undecided, [])
    assert.deepEqual([...scopedHere], [], 'every operation this test tries is in the document')
  })
})

describe("another tenant's rows", () => {
  test("are not there for bob (blue): every scoped operation on red's rows answers 404, and nothing of red changed", async () => {
    const found: string[] = []
    for (const [shape, call] of Object.entries(ON_A_ROW)) {
      const { path, body } = call(red)
      const res = shape.endsWith('/events') ? await firstAnswer(path, 'bob') : await api().call(shape.split(' ')[0], path, body, BOB)
      if (res.status !== 404) found.push(`${shape} → ${res.status}`)
      assert.equal(res.headers.get('loom-tenant-scope'), 'blue', shape)
    }
    assert.deepEqual(found, [])
    // Even naming red is no way in.
    assert.equal((await api().call('GET', `/api/processes/${red.process}`, undefined, { ...BOB, 'x-loom-tenant': 'red' })).status, 403)
    const process = await api().call<ProcessDto>('GET', `/api/processes/${red.process}`, undefined, ALICE)
    assert.equal(process.body.status, 'waiting')
    assert.equal(process.body.tenant_id, 'red')
    const subscription = await api().call<SubscriptionDto>('GET', `/api/subscriptions/${red.subscription}`, undefined, ALICE)
    assert.deepEqual([subscription.body.version, subscription.body.note, subscription.body.tenant_id], [red.version, null, 'red'])
    assert.equal((await api().call('GET', `/api/schedules/${red.schedule}`, undefined, ALICE)).status, 200)
    const service = await api().call<{ description: string }>('GET', `/api/catalog/services/${red.service}`, undefined, ALICE)
    assert.equal(service.body.description, '')
    const instance = await api().call<{ status: string; tenant_id: string }>('GET', `/api/catalog/instances/${red.instance}`, undefined, ALICE)
    assert.deepEqual([instance.body.status, instance.body.tenant_id], ['waiting', 'red'])
    assert.equal((await api().call('GET', `/api/catalog/workflows/${red.custom}`, undefined, ALICE)).status, 200)
  })

  test("the catalogue: a service registers in the tenant its body or X-Loom-Tenant names (one the caller may act in, that exists); an instance of another tenant's service is no service at all", async () => {
    assert.equal((await api().call('POST', '/api/catalog/services', { ...RED_SERVICE, name: 'bob in red', tenant_id: 'red' }, BOB)).status, 403)
    assert.equal((await api().call('POST', '/api/catalog/services', { ...RED_SERVICE, name: 'carol unnamed' }, CAROL)).status, 400)
    const inBlue = await api().call<{ tenant_id: string }>('POST', '/api/catalog/services', { ...RED_SERVICE, name: 'carol in blue', tenant_id: 'blue' }, CAROL)
    assert.deepEqual([inBlue.status, inBlue.body.tenant_id], [201, 'blue'])
    const clash = await api().call<{ errors: { path: string }[] }>('POST', '/api/catalog/services', { ...RED_SERVICE, name: 'carol clash', tenant_id: 'blue' }, { ...CAROL, 'x-loom-tenant': 'red' })
    assert.equal(clash.status, 422)
    const nowhere = await api().call<{ errors: { path: string }[] }>('POST', '/api/catalog/services', { ...RED_SERVICE, name: 'nowhere', tenant_id: '94b280022d0c4401bcf3b0ea85870519' })
    assert.equal(nowhere.status, 422)
    assert.deepEqual(nowhere.body.errors.map((e) => e.path), ['tenant_id'])
    const sameName = await api().call<{ tenant_id: string }>('POST', '/api/catalog/services', { ...RED_SERVICE, tenant_id: 'blue' }, BOB)
    assert.deepEqual([sameName.status, sameName.body.tenant_id], [201, 'blue'], "a name is one tenant's: blue may have its own 'red enrolment'")
    const run = await api().call<{ errors: { path: string }[] }>('POST', '/api/catalog/instances', { service_id: red.service, action: 'create_node', name: 'x', parameters: { router: 'lon-pe1' } }, BOB)
    assert.equal(run.status, 422)
    assert.deepEqual(run.body.errors.map((e) => e.path), ['service_id'])
    const process = await api().call<ProcessDto>('GET', `/api/processes/${red.instance}`, undefined, ALICE)
    assert.equal(process.body.tenant_id, 'red', "an instance's process is its service's tenant's")
  })

  test('a form never offers bob red\'s node, and a start with it is refused as a bad answer', async () => {
    const offered = (headers: Record<string, string>) => api().call('GET', '/api/workflows/validate_node/form', undefined, headers).then((r) => JSON.stringify(r.body))
    assert.ok((await offered(ALICE)).includes(red.subscription), "alice's form offers red's node")
    assert.ok(!(await offered(BOB)).includes(red.subscription), "bob's form does not")
    const start = await api().call<{ errors: { path: string }[] }>('POST', '/api/processes/validate_node', { subscription_id: red.subscription }, BOB)
    assert.equal(start.status, 422)
    assert.deepEqual(start.body.errors.map((e) => e.path), ['subscription_id'])
    const pools = await api().get<Page<{ name: string }>>('/api/ipam/pools')
    const allocation = await api().call<{ errors: { path: string }[] }>('POST', `/api/ipam/pools/${pools.body.items[0].name}/allocations`, { subscription_id: red.subscription, purpose: 'bob' }, BOB)
    assert.equal(allocation.status, 422)
    assert.deepEqual(allocation.body.errors.map((e) => e.path), ['subscription_id'])
  })
})

describe('lists', () => {
  test('say their scope, and show and count only its rows: blue for bob, blue and red for carol, everything for an admin', async () => {
    const blue = await api().call<ProcessStartedDto>('POST', '/api/processes/task_resume_all', {}, BOB)
    assert.equal(blue.status, 201, JSON.stringify(blue.body))
    for (const list of LISTS) {
      const path = list.split(' ')[1]
      const all = await api().get<Page<{ tenant_id: string }>>(path)
      assert.equal(all.headers.get('loom-tenant-scope'), 'all', path)
      assert.equal(all.body.tenant_scope, 'all', path)
      assert.ok(all.body.items.some((i) => i.tenant_id === 'red'), `${path}: the admin sees red's`)
      const bobs = await api().call<Page<{ tenant_id: string }>>('GET', path, undefined, BOB)
      assert.equal(bobs.headers.get('loom-tenant-scope'), 'blue', path)
      assert.deepEqual(bobs.body.tenant_scope, ['blue'], path)
      assert.ok(bobs.body.items.every((i) => i.tenant_id === 'blue'), `${path}: bob sees only blue's`)
      assert.equal(bobs.body.total, (await api().get<Page<unknown>>(`${path}?tenant=blue`)).body.total, `${path}: bob's total counts blue's rows only`)
      const carols = await api().call<Page<{ tenant_id: string }>>('GET', path, undefined, CAROL)
      assert.equal(carols.headers.get('loom-tenant-scope'), 'blue,red', path)
      assert.ok(carols.body.items.some((i) => i.tenant_id === 'red'), `${path}: carol sees red's`)
      const narrowed = await api().call<Page<{ tenant_id: string }>>('GET', `${path}?tenant=blue`, undefined, CAROL)
      assert.ok(narrowed.body.items.every((i) => i.tenant_id === 'blue'), `${path}?tenant=blue`)
      assert.equal((await api().call('GET', `${path}?tenant=red`, undefined, BOB)).status, 403, `${path}: bob may not ask for red`)
    }
    const processes = await api().call<Page<ProcessSummaryDto>>('GET', '/api/processes', undefined, BOB)
    assert.deepEqual(processes.body.items.map((p) => p.id), [blue.body.id])
    const subscriptions = await api().call<Page<SubscriptionSummaryDto>>('GET', '/api/subscriptions', undefined, BOB)
    assert.deepEqual([subscriptions.body.total, subscriptions.body.items], [0, []])
  })
})

describe('writes act in one tenant', () => {
  test('carol (red and blue) names one with X-Loom-Tenant or gets a 400 naming hers; bob may not act in red; an admin in none that does not exist', async () => {
    const unnamed = await api().call<{ detail: string }>('POST', '/api/processes/task_resume_all', {}, CAROL)
    assert.equal(unnamed.status, 400)
    assert.match(unnamed.body.detail, /key:carol is a member of tenants blue, red: send X-Loom-Tenant/)
    const inBlue = await api().call<ProcessStartedDto>('POST', '/api/processes/task_resume_all', {}, { ...CAROL, 'x-loom-tenant': 'blue' })
    assert.equal(inBlue.status, 201)
    assert.equal((await api().get<ProcessDto>(`/api/processes/${inBlue.body.id}`)).body.tenant_id, 'blue')
    for (const [shape, body] of [['POST /api/processes/task_resume_all', {}], ['POST /api/schedules', { workflow: 'task_resume_all', every: '1 day' }], ['POST /api/tasks/upgrade-os?async=true', { version: '5.3.1' }]] as const) {
      const [method, path] = shape.split(' ')
      const refused = await api().call<{ detail: string }>(method, path, body, { ...BOB, 'x-loom-tenant': 'red' })
      assert.equal(refused.status, 403, shape)
      assert.match(refused.body.detail, /key:bob is not a member of tenant red/)
      assert.equal((await api().call(method, path, body, CAROL)).status, 400, `${shape}: carol names none`)
    }
    assert.equal((await api().call('POST', '/api/processes/task_resume_all', {}, { 'x-loom-tenant': 'nosuch' })).status, 403)
    assert.equal((await api().call('POST', '/api/processes/task_resume_all', {}, { 'x-loom-tenant': 'Not A Slug' })).status, 400)
    // An admin who names none acts in default.
    const admins = await api().call<ProcessStartedDto>('POST', '/api/processes/task_resume_all', {})
    assert.equal((await api().get<ProcessDto>(`/api/processes/${admins.body.id}`)).body.tenant_id, 'default')
  })

  test("a schedule made in red starts red's processes, until its creator is no longer in red", async () => {
    const membership = await api().call<{ id: string }>('POST', '/api/tenants/red/members', { kind: 'user', member: 'key:frank' })
    const made = await api().call<ScheduleDto>('POST', '/api/schedules', { workflow: 'task_resume_all', every: '1 second' }, as('frank'))
    assert.equal(made.status, 201)
    assert.equal(made.body.tenant_id, 'red')
    const runs = async () => (await api().get<Page<ProcessSummaryDto>>(`/api/processes?created_by=schedule:${made.body.id}&limit=500`)).body.items
    try {
      await waitFor(async () => (await runs()).length > 0, { timeoutMs: 30_000, describe: () => 'the schedule never started a process' })
      assert.deepEqual([...new Set((await runs()).map((p) => p.tenant_id))], ['red'])
      assert.equal((await api().call('DELETE', `/api/tenants/red/members/${membership.body.id}`)).status, 204)
      await new Promise((resolve) => setTimeout(resolve, 2500)) // a run already under way may still start
      const before = (await runs()).length
      await new Promise((resolve) => setTimeout(resolve, 3000))
      assert.equal((await runs()).length, before, 'no run starts in red for someone no longer in red')
    } finally {
      assert.equal((await api().call('DELETE', `/api/schedules/${made.body.id}`)).status, 204)
    }
  })

  test("a key narrowed to some of its owner's tenants sees only those; one for a tenant the owner is not in is a 422", async () => {
    const narrowed = await api().call<{ key: string; tenants: string[] }>('POST', '/api/auth/keys', { name: 'blue only', tenants: ['blue'] }, CAROL)
    assert.equal(narrowed.status, 201, JSON.stringify(narrowed.body))
    assert.deepEqual(narrowed.body.tenants, ['blue'])
    const bearer = { authorization: `Bearer ${narrowed.body.key}` }
    assert.deepEqual((await api().call<{ tenants: string[] }>('GET', '/api/auth/me', undefined, bearer)).body.tenants, ['blue'])
    assert.equal((await api().call('GET', `/api/processes/${red.process}`, undefined, bearer)).status, 404)
    // One key can be a member by itself, beside its owner's memberships.
    const single = await api().call<{ id: string; key: string }>('POST', '/api/auth/keys', { name: 'a blue job', owner: 'gina', roles: ['viewer'] })
    assert.equal((await api().call('POST', '/api/tenants/blue/members', { kind: 'api_key', member: single.body.id })).status, 201)
    assert.deepEqual((await api().call<{ tenants: string[] }>('GET', '/api/auth/me', undefined, { authorization: `Bearer ${single.body.key}` })).body.tenants, ['blue'])
    assert.deepEqual((await api().call<{ tenants: string[] }>('GET', '/api/auth/me', undefined, asOnly('gina', 'viewer'))).body.tenants, ['default'], "gina's other keys are not")
    const foreign = await api().call<{ errors: { path: string; message: string }[] }>('POST', '/api/auth/keys', { name: 'x', tenants: ['green'] }, BOB)
    assert.equal(foreign.status, 422)
    assert.deepEqual(foreign.body.errors, [{ path: 'tenants', message: 'key:bob is not a member of tenant green' }])
  })
})

describe('the tenant admin API', () => {
  test('makes, lists, refuses to remove a tenant that owns something (saying what), removes an empty one; members take effect at once', async () => {
    assert.equal((await api().call('POST', '/api/tenants', { id: 'red', name: 'again' })).status, 409)
    const bad = await api().call<{ errors: { path: string }[] }>('POST', '/api/tenants', { id: 'Red Team', name: 'x' })
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors.map((e) => e.path), ['id'])
    assert.equal((await api().call('POST', '/api/tenants', { id: 'green', name: 'x' }, ALICE)).status, 403)
    const owning = await api().call<{ detail: string }>('DELETE', '/api/tenants/red')
    assert.equal(owning.status, 409)
    assert.match(owning.body.detail, /Tenant red still owns \d+ subscriptions?, \d+ process(es)?, 1 schedule, 1 service, 1 custom workflow\./)
    assert.equal((await api().call('DELETE', '/api/tenants/default')).status, 409)

    const green = await api().call('POST', '/api/tenants', { id: 'green', name: 'Green team' })
    assert.equal(green.status, 201)
    assert.equal(green.headers.get('location'), '/api/tenants/green')
    const dave = await api().call<{ id: string }>('POST', '/api/tenants/green/members', { kind: 'user', member: 'key:dave' })
    assert.equal((await api().call('POST', '/api/tenants/green/members', { kind: 'user', member: 'key:dave' })).status, 409)
    assert.deepEqual((await api().call<{ tenants: string[] }>('GET', '/api/auth/me', undefined, as('dave'))).body.tenants, ['green'])
    const members = await api().get<Page<{ member: string }>>('/api/tenants/green/members')
    assert.deepEqual(members.body.items.map((m) => m.member), ['key:dave'])
    assert.equal((await api().call('DELETE', `/api/tenants/green/members/${dave.body.id}`)).status, 204)
    assert.deepEqual((await api().call<{ tenants: string[] }>('GET', '/api/auth/me', undefined, as('dave'))).body.tenants, ['default'])
    assert.equal((await api().call('DELETE', '/api/tenants/green')).status, 204)
    assert.equal((await api().get('/api/tenants/green')).status, 404)
    assert.deepEqual((await api().get<Page<{ id: string }>>('/api/tenants')).body.items.map((t) => t.id), ['blue', 'default', 'red'])
  })
})

describe('LOOM_UNASSIGNED_CALLERS=refuse', () => {
  test('a caller in no tenant is refused every tenant-scoped operation; members and admins are not', async () => {
    const strict = await startGateway(testConfig(product.databaseUrl, { auth: { ...testConfig(product.databaseUrl).auth, unassignedCallers: 'refuse' } }))
    try {
      const client = apiClient(strict.url)
      const refused = await client.call<{ detail: string }>('GET', '/api/processes', undefined, as('erin'))
      assert.equal(refused.status, 403)
      assert.match(refused.body.detail, /key:erin is a member of no tenant/)
      assert.equal((await client.call('GET', '/api/products', undefined, as('erin'))).status, 200, 'what is shared stays readable')
      assert.equal((await client.call('GET', '/api/processes', undefined, ALICE)).status, 200)
      assert.equal((await client.call('GET', '/api/processes', undefined, { authorization: `Bearer ${adminKey()}` })).status, 200)
      assert.equal((await client.call('GET', '/api/processes', undefined, anonymously)).status, 401)
    } finally {
      await strict.close()
    }
  })
})

describe('a member of the tenant', () => {
  test("finds red's rows where bob found nothing (the destructive operations last)", async () => {
    const missing: string[] = []
    const destructive = (shape: string) => shape.endsWith('/abort') || shape.startsWith('DELETE')
    const ops = Object.entries(ON_A_ROW).sort(([a], [b]) => Number(destructive(a)) - Number(destructive(b)))
    for (const [shape, call] of ops) {
      const { path, body } = call(red)
      const res = shape.endsWith('/events') ? await firstAnswer(path, 'alice') : await api().call(shape.split(' ')[0], path, shape.endsWith('/resume') ? {} : body, ALICE)
      if (res.status === 404) missing.push(`${shape} → 404`)
    }
    assert.deepEqual(missing, [])
    await api().waitForProcess(red.process, (p) => p.status === 'aborted')
  })
})

describe('what a process makes', () => {
  test("a sub-process (a drain's child) belongs to its parent's tenant, not to the column's default", async () => {
    const prisma = new PrismaService(product.databaseUrl)
    try {
      const parent = await newProcess(prisma, 'drain_node')
      await prisma.process.update({ where: { id: parent }, data: { tenantId: 'red' } })
      const child = uuidv7()
      const started = await new ProcessActivities(prisma, new StepLog(prisma), product.url, []).startChildProcesses({
        ...stepContext(parent, 'drain_circuits'),
        workflow: 'modify_circuit_mode',
        target: 'MODIFY',
        created_by: 'key:alice',
        children: [{ process_id: child, subscription_ids: [] }],
      })
      assert.deepEqual(started, [{ process_id: child, product: null }])
      assert.equal((await prisma.process.findUniqueOrThrow({ where: { id: child } })).tenantId, 'red')
      assert.equal((await api().call('GET', `/api/processes?parent_id=${parent}`, undefined, BOB)).body.total, 0)
      assert.equal((await api().call<Page<ProcessSummaryDto>>('GET', `/api/processes?parent_id=${parent}`, undefined, ALICE)).body.items[0].tenant_id, 'red')
    } finally {
      await prisma.$disconnect()
    }
  })
})

/**
 * The status and headers of a stream's first answer, as `user` (an operator key of theirs): it stays open while
 * the process waits, so its body is not read.
 */
async function firstAnswer(path: string, user: string): Promise<{ status: number; headers: Headers }> {
  const made = await api().call<{ key: string }>('POST', '/api/auth/keys', { name: 'stream', owner: user, roles: ['operator'] })
  const res = await fetch(`${product.url}${path}`, { headers: { authorization: `Bearer ${made.body.key}` }, signal: AbortSignal.timeout(10_000) })
  await res.body?.cancel()
  return { status: res.status, headers: res.headers }
}
