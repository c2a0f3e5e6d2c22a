// validate_node through the API: the subscription is locked at start (all or none, 409 naming the holder,
// nothing left behind), the process compares it with DCIM and IPAM, and ends in sync or out of sync naming why.
// 100 concurrent starts on one subscription: exactly one is accepted. Re-record its history after a deliberate
// change: LOOM_RECORD_HISTORIES=1 npm test -- validate-node
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import { ProcessActivities, StepLog, SubscriptionActivities } from '#activities/index.js'
import type { ProcessDto, ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { BuiltinIpam } from '#integrations/ipam/builtin-ipam.js'
import { lockSubscriptions, PrismaService } from '#persistence/index.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { quietTemporalRuntime, testConfig } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { newProcess, stepContext } from '../support/records.js'

let db: TestDatabase
let prisma: PrismaService
let loom: LoomWorker
let running: Promise<void> | undefined
let gw: RunningGateway
let api: ApiClient
const subscriptionId = uuidv7()

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  const dcim = new BuiltinDcim(prisma)
  await dcim.createSite({ name: 'val' })
  await dcim.createDevice({ name: 'val-r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'val', status: 'active', management_address: '192.0.2.5' })
  const ipam = new BuiltinIpam(prisma)
  await ipam.createPool({ name: 'loopbacks-v4', prefix: '198.51.100.0/24', role: 'loopback' })
  await ipam.createPool({ name: 'loopbacks-v6', prefix: '2001:db8::/64', role: 'loopback' })
  const v4 = await ipam.allocateAddress({ pool: 'loopbacks-v4', subscription_id: subscriptionId, purpose: 'loopback_ipv4' })
  const v6 = await ipam.allocateAddress({ pool: 'loopbacks-v6', subscription_id: subscriptionId, purpose: 'loopback_ipv6' })
  const node = {
    device_name: 'val-r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'val',
    management_address: '192.0.2.5', loopback_ipv4: v4.prefix, loopback_ipv6: v6.prefix, igp_protocol: 'ospf', igp_area: '0.0.0.0',
  }
  const steps = new StepLog(prisma)
  const creator = await newProcess(prisma)
  const subscriptions = new SubscriptionActivities(steps, prisma)
  await subscriptions.storeProcessSubscription({
    ...stepContext(creator, 'store'),
    subscription: { id: subscriptionId, product: 'node', customer_id: 'surf', description: 'Node val-r1 (router, val)', domain_model: { node } },
    claims: [],
  })
  await subscriptions.setLifecycle({ ...stepContext(creator, 'activate'), subscription_id: subscriptionId, lifecycle: 'active' })
  await new ProcessActivities(prisma, steps, 'http://localhost:3000', []).finishProcess({ process_id: creator, status: 'completed' })
  const config = testConfig(db.url)
  loom = await createLoomWorker(config)
  running = loom.run()
  gw = await startGateway(config)
  api = apiClient(gw.url)
})
after(async () => {
  if (running) {
    loom.shutdown()
    await running
  }
  await gw?.close()
  await prisma?.$disconnect()
  await db?.drop()
})

const start = () => api.call<ProcessStartedDto & { detail?: string }>('POST', '/api/processes/validate_node', { subscription_id: subscriptionId })
const subscription = async () => (await api.get<SubscriptionDto>(`/api/subscriptions/${subscriptionId}`)).body

describe('validate_node', () => {
  test('the form offers the node; a subscription another process holds is a 409 naming it, and nothing is left behind', async () => {
    const form = await api.get<{ properties: { subscription_id: { oneOf: { const: string; title: string }[] } } }>('/api/workflows/validate_node/form')
    assert.deepEqual(form.body.properties.subscription_id.oneOf, [{ const: subscriptionId, title: 'Node val-r1 (router, val)' }])
    const holder = await newProcess(prisma, 'modify_node')
    await prisma.$transaction((tx) => lockSubscriptions(tx, holder, [subscriptionId]))
    const refused = await start()
    assert.equal(refused.status, 409)
    assert.match(String(refused.body.detail), new RegExp(`subscription ${subscriptionId} is locked by process ${holder}`))
    assert.equal(await prisma.process.count({ where: { workflow: 'validate_node' } }), 0, 'the refused start left no process')
    await new ProcessActivities(prisma, new StepLog(prisma), 'http://localhost:3000', []).finishProcess({ process_id: holder, status: 'completed' })
    assert.equal((await api.call('POST', '/api/processes/validate_node', { subscription_id: uuidv7() })).status, 422)
  })

  test('a node that agrees with DCIM and IPAM ends in sync, its lock released', async () => {
    const started = await start()
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const done = await api.waitForProcess(started.body.id, (p) => ['completed', 'failed'].includes(p.status))
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual(done.subscription_ids, [subscriptionId])
    const s = await subscription()
    assert.deepEqual([s.insync, s.locked_by], [true, null])
    assert.ok(s.processes.some((p) => p.id === started.body.id && p.workflow === 'validate_node'))

    await recordHistoryIfAsked(started.body.id, 'node', 'validate_node')
  })

  test('Idempotency-Key: a repeated request gets the first process back, at once or concurrently; another request under the key is a 422', async () => {
    const keyed = (key: string, body: unknown = { subscription_id: subscriptionId }, user = 'carol') =>
      api.call<ProcessStartedDto & { errors?: { path: string }[] }>('POST', '/api/processes/validate_node', body, { 'idempotency-key': key, ...as(user) })
    const first = await keyed('retry-1')
    assert.equal(first.status, 201)
    assert.equal(first.headers.get('idempotent-replayed'), null)
    await api.waitForProcess(first.body.id, (p) => p.status === 'completed')
    const again = await keyed('retry-1')
    assert.equal(again.status, 201)
    assert.equal(again.headers.get('idempotent-replayed'), 'true')
    assert.deepEqual({ ...again.body, status: 'created' }, first.body, 'the same process, now further on')
    assert.equal(again.body.status, 'completed')

    const other = await keyed('retry-1', { subscription_id: uuidv7() })
    assert.equal(other.status, 422)
    assert.deepEqual(other.body.errors!.map((e) => e.path), ['Idempotency-Key'])
    const dave = await keyed('retry-1', undefined, 'dave')
    assert.equal(dave.status, 201, 'keys are per user')
    await api.waitForProcess(dave.body.id, (p) => p.status === 'completed')
    assert.equal((await keyed('has spaces in it')).status, 400)

    const together = await Promise.all(Array.from({ length: 10 }, () => keyed('burst-1')))
    assert.deepEqual(new Set(together.map((r) => r.status)), new Set([201]))
    assert.equal(new Set(together.map((r) => r.body.id)).size, 1, 'one process for ten requests')
    assert.equal(together.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 9)
    await api.waitForProcess(together[0].body.id, (p) => p.status === 'completed')
  })

  test('a node DCIM disagrees with fails, naming the disagreement, and stays out of sync', async () => {
    await new BuiltinDcim(prisma).setDeviceStatus('val-r1', 'planned')
    const started = await start()
    const done: ProcessDto = await api.waitForProcess(started.body.id, (p) => ['completed', 'failed'].includes(p.status))
    assert.equal(done.status, 'failed')
    assert.match(JSON.stringify(done.failure), /out of sync: DCIM has val-r1 planned, the subscription is active/)
    const s = await subscription()
    assert.deepEqual([s.insync, s.locked_by], [false, null])
    await new BuiltinDcim(prisma).setDeviceStatus('val-r1', 'active')
  })

  test('100 concurrent starts on one subscription: exactly one is accepted, the others are told which process holds it', async () => {
    loom.shutdown() // nobody runs it: the accepted process keeps its lock while the others arrive
    await running
    running = undefined
    const results = await Promise.all(Array.from({ length: 100 }, () => start()))
    const accepted = results.filter((r) => r.status === 201)
    assert.equal(accepted.length, 1, JSON.stringify(results.map((r) => r.status)))
    const holder = accepted[0].body.id
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409)
      assert.match(String(r.body.detail), new RegExp(`locked by process ${holder}`))
    }
    assert.equal(await prisma.process.count({ where: { workflow: 'validate_node', status: 'created' } }), 1)
  })
})
