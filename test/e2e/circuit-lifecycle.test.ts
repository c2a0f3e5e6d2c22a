// A circuit's whole life through the API on the simulator driver (which keeps each router's running
// configuration, so the test reads what a router would run): create (maintenance: the highest cost on both
// routers), modify_circuit_mode to normal and modify_circuit_metric (verified on both routers, a new version of
// the subscription each), two changes at once (one 409), and terminate_circuit with its change-board approval.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { loadConfig } from '#config/index.js'
import type { ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import type { SimulatorDriver } from '#integrations/devices/simulator-driver.js'
import type { ApiClient } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { loomStack } from '../support/loom.js'
import { enrolNode, reservePort, runToCompletion } from '../support/workshop.js'
import { as } from '../support/api.js'

// Each simulated router takes 200–400 ms per change: a process is still running when a second change arrives.
const loom = loomStack({
  devices: plannedRouters('life', 2).map((r) => ({ ...r, interfaces: [{ name: 'eth1', speed_mbps: 10_000 }] })),
  config: () => ({ devices: loadConfig({ LOOM_DEVICE_DRIVER: 'simulator', LOOM_SIMULATOR_LATENCY_MS: '200,400' }).devices }),
})
let api: ApiClient
let simulator: SimulatorDriver
let circuit: string
/** the circuit's model as create_circuit left it */
let created: Record<string, unknown>
const node: Record<string, string> = {}
const port: Record<string, string> = {}

before(async () => {
  await loom.start()
  api = loom.api
  simulator = loom.simulator
  for (const r of ['life-r1', 'life-r2']) {
    node[r] = await enrolNode(api, r)
    port[r] = await reservePort(api, node[r], 'eth1')
  }
})
after(() => loom.stop())

/** The OSPF cost a simulated router runs on eth1, or undefined when eth1 is not configured. */
function costOn(router: string): number | undefined {
  const lines = (simulator.running(router) ?? '').split('\n')
  const start = lines.indexOf('interface eth1')
  if (start < 0) return undefined
  const cost = lines.slice(start).find((l) => l.startsWith(' ip ospf cost '))
  return cost ? Number(cost.split(' ').pop()) : undefined
}

const subscription = async (id: string) => (await api.get<SubscriptionDto & { end_date: string | null }>(`/api/subscriptions/${id}`)).body
const model = async (id: string) => (await subscription(id)).domain_model.circuit as Record<string, unknown> & { mode: string; igp_metric: number }

describe('a circuit from create to terminate (simulator driver)', () => {
  test('create_circuit configures both routers, drained: the circuit runs at the maintenance cost', async () => {
    const done = await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node['life-r1'], node_b: node['life-r2'], port_a: port['life-r1'], port_b: port['life-r2'], igp_metric: 20 })
    circuit = done.subscription_ids[0]
    assert.equal(done.steps.find((s) => s.name === 'manual_configuration')!.status, 'skipped', 'the simulator configures the routers itself')
    assert.deepEqual([costOn('life-r1'), costOn('life-r2')], [65535, 65535])
    assert.match(simulator.running('life-r1')!, /interface eth1\n description circuit to life-r2\n ip address 203\.0\.113\.\d+\/31/)
    created = await model(circuit)
  })

  test('modify_circuit_mode to normal: both routers at the metric, verified, a new version; the result says before and after', async () => {
    const done = await runToCompletion(api, 'modify_circuit_mode', { subscription_id: circuit, mode: 'normal' })
    assert.deepEqual([costOn('life-r1'), costOn('life-r2')], [20, 20])
    assert.deepEqual(
      done.steps.filter((s) => s.name.startsWith('verify_side')).map((s) => s.status),
      ['success', 'success'],
    )
    assert.deepEqual(await model(circuit), { ...created, mode: 'normal' }, 'only the mode changed')
    const s = await subscription(circuit)
    assert.deepEqual([s.lifecycle, s.insync, s.locked_by], ['active', true, null], 'unlocked and in sync again')

    // The change is a version of its own: which process and step, who; and the diff from the version before it.
    const versions = (await api.get<{ items: { version: number; step: string | null; process_id: string | null; actor: string | null; lifecycle: string }[]; total: number }>(`/api/subscriptions/${circuit}/versions`)).body
    const modified = versions.items.find((v) => v.step === 'update_circuit_model')!
    assert.deepEqual([modified.process_id, modified.actor], [done.id, 'key:alice'])
    assert.ok(versions.items.some((v) => v.step === 'store_process_subscription' && v.lifecycle === 'initial'), 'the create is in the history too')
    assert.deepEqual(versions.items.map((v) => v.version), [...versions.items.map((v) => v.version)].sort((a, b) => b - a), 'newest first')
    const diff = await api.get<{ changes: { path: string; before: unknown; after: unknown }[] }>(`/api/subscriptions/${circuit}/versions/diff?from=${modified.version - 1}&to=${modified.version}`)
    assert.equal(diff.status, 200)
    assert.deepEqual(diff.body.changes, [{ path: 'domain_model.circuit.mode', before: 'maintenance', after: 'normal' }])
    assert.equal((await api.get(`/api/subscriptions/${circuit}/versions/diff?from=1&to=999`)).status, 404)
    assert.equal((await api.get(`/api/subscriptions/${circuit}/versions/diff?from=x&to=2`)).status, 400)
    assert.equal((await api.get(`/api/subscriptions/${circuit}/versions/diff?from=1&to=99999999999`)).status, 400, 'past the versions a column holds')
    const badCursor = Buffer.from(JSON.stringify(['-version', 'x', '1'])).toString('base64url')
    assert.equal((await api.get(`/api/subscriptions/${circuit}/versions?cursor=${badCursor}`)).status, 400)
    await recordHistoryIfAsked(done.id, 'circuit', 'modify_circuit_mode')
  })

  test('modify_circuit_metric: the new metric on both routers; a second change of the same circuit at once is a 409', async () => {
    const first = await api.call<ProcessStartedDto>('POST', '/api/processes/modify_circuit_metric', { subscription_id: circuit, igp_metric: 30 }, as('alice'))
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const second = await api.call<{ detail: string }>('POST', '/api/processes/modify_circuit_mode', { subscription_id: circuit, mode: 'maintenance' }, as('bob'))
    assert.equal(second.status, 409, JSON.stringify(second.body))
    assert.match(second.body.detail, new RegExp(first.body.id))
    const terminate = await api.call('POST', '/api/processes/terminate_circuit', { subscription_id: circuit }, as('bob'))
    assert.equal(terminate.status, 409, 'terminate while a modify runs: refused')
    const done = await api.waitForProcess(first.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual([costOn('life-r1'), costOn('life-r2')], [30, 30])
    assert.equal((await model(circuit)).igp_metric, 30)
    await recordHistoryIfAsked(first.body.id, 'circuit', 'modify_circuit_metric')
  })

  test('a bad modify is a 422 naming the field, and changes nothing', async () => {
    const bad = await api.call<{ errors: { path: string }[] }>('POST', '/api/processes/modify_circuit_metric', { subscription_id: circuit, igp_metric: 0 })
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors.map((e) => e.path), ['igp_metric'])
    const unknown = await api.call<{ errors: { path: string }[] }>('POST', '/api/processes/modify_circuit_mode', { subscription_id: node['life-r1'], mode: 'normal' })
    assert.equal(unknown.status, 422)
    assert.deepEqual(unknown.body.errors.map((e) => e.path), ['subscription_id'])
  })

  test('modify_node: a new IGP area for the loopback and a new description, applied to the router by difference; its circuit stays in the backbone', async () => {
    const none = await api.call<{ errors: { path: string; message: string }[] }>('POST', '/api/processes/modify_node', { subscription_id: node['life-r1'] })
    assert.equal(none.status, 422)
    assert.deepEqual(none.body.errors, [{ path: 'description', message: 'change the description, the IGP area, or both' }])
    const done = await runToCompletion(api, 'modify_node', { subscription_id: node['life-r1'], igp_area: '0.0.0.1', description: 'Node life-r1, area 1' })
    assert.equal(done.steps.find((s) => s.name === 'verify_node')!.status, 'success')
    assert.match(simulator.running('life-r1')!, /interface lo\n ip address [\d./]+\n ipv6 address [\da-f:/]+\n ip ospf passive\n ip ospf area 0\.0\.0\.1/)
    // The circuit stays in the backbone with its far end: only the loopback moved.
    assert.match(simulator.running('life-r1')!, /interface eth1\n(?: .*\n)* ip ospf area 0\.0\.0\.0\n/)
    assert.deepEqual([costOn('life-r1'), costOn('life-r2')], [30, 30])
    const s = await subscription(node['life-r1'])
    assert.equal(s.description, 'Node life-r1, area 1')
    assert.equal((s.domain_model.node as { igp_area: string }).igp_area, '0.0.0.1')
    await recordHistoryIfAsked(done.id, 'node', 'modify_node')
  })
  test('terminate_circuit waits for the change board (not the starter, not someone without the role), then removes everything', async () => {
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/terminate_circuit', { subscription_id: circuit }, as('alice', 'change-board'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    // Teams find what waits for them by assignee.
    const waiting = await api.waitForProcess(started.body.id, (p) => p.pending_input !== null && p.assignee !== null)
    assert.deepEqual([waiting.pending_input!.step, waiting.assignee], ['approve_termination', 'change-board'])
    const self = await api.call('PUT', `/api/processes/${started.body.id}/resume`, { approved: true }, as('alice', 'change-board'))
    assert.equal(self.status, 403, 'the starter may not approve')
    const noRole = await api.call('PUT', `/api/processes/${started.body.id}/resume`, { approved: true }, as('bob'))
    assert.equal(noRole.status, 403, 'only the change board approves')
    assert.equal(costOn('life-r1'), 30, 'nothing changed before the approval')
    const before = simulator.running('life-r1')!
    const ok = await api.call('PUT', `/api/processes/${started.body.id}/resume`, { approved: true, comment: 'ticket 42' }, as('carol', 'change-board'))
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.equal(done.steps.find((s) => s.name === 'approve_termination')!.answered_by, 'key:carol')
    assert.deepEqual([costOn('life-r1'), costOn('life-r2')], [undefined, undefined], 'the circuit is gone from both routers')
    const withoutEth1 = (config: string) => config.split('!\n').filter((block) => !block.startsWith('interface eth1\n')).join('!\n')
    assert.equal(simulator.running('life-r1'), withoutEth1(before), 'the rest of the router is untouched')
    const s = await subscription(circuit)
    assert.equal(s.lifecycle, 'terminated')
    assert.deepEqual((await api.get<{ items: unknown[] }>(`/api/ipam/allocations?subscription_id=${circuit}`)).body.items, [], 'link subnets released')
    const cable = (await api.get<{ items: { status: string }[] }>('/api/dcim/cables?device=life-r1')).body.items
    assert.deepEqual(cable.map((c) => c.status), ['decommissioning'])
    // Its ports are free again for a new circuit.
    const ports = await api.call<{ form: { properties: Record<string, { oneOf: { const: string }[] }> } }>('POST', '/api/workflows/create_circuit/form', { speed: '10G', node_a: node['life-r1'], node_b: node['life-r2'] })
    assert.deepEqual(ports.body.form.properties.port_a.oneOf.map((o) => o.const), [port['life-r1']])
    await recordHistoryIfAsked(started.body.id, 'circuit', 'terminate_circuit')
  })

})
