// validate_port and validate_circuit through the API on the simulator driver, which keeps each router's running
// configuration: in sync when DCIM, IPAM and both routers agree with the model; a change made by hand — on a
// router's console, a cable's status in DCIM, an interface edited behind Loom's back — fails the validation naming
// it, and leaves the subscription out of sync. task_validate_subscriptions starts them for every active port and
// circuit. Then the network is taken down again: the circuit, its ports and a node, whose router is left with the
// decommissioned configuration. Re-record the histories: LOOM_RECORD_HISTORIES=1 npm test -- validate-port-circuit
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import type { ProcessDto, ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import { renderDecommissionedConfig } from '#domain/config/index.js'
import type { SimulatorDriver } from '#integrations/devices/simulator-driver.js'
import type { ApiClient } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { loomStack } from '../support/loom.js'
import { enrolNode, reservePort, runToCompletion } from '../support/workshop.js'
import { as } from '../support/api.js'

const loom = loomStack({ devices: plannedRouters('vpc', 2).map((r) => ({ ...r, interfaces: [{ name: 'eth1', speed_mbps: 10_000 }] })), simulator: true })
let api: ApiClient
let sql: pg.Client
let simulator: SimulatorDriver
let circuit: string
let cableId: string
const node: Record<string, string> = {}
const port: Record<string, string> = {}

before(async () => {
  await loom.start()
  api = loom.api
  simulator = loom.simulator
  sql = new pg.Client({ connectionString: loom.databaseUrl })
  await sql.connect()
  for (const r of ['vpc-r1', 'vpc-r2']) {
    node[r] = await enrolNode(api, r)
    port[r] = await reservePort(api, node[r], 'eth1')
  }
  circuit = (await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node['vpc-r1'], node_b: node['vpc-r2'], port_a: port['vpc-r1'], port_b: port['vpc-r2'] })).subscription_ids[0]
  cableId = ((await api.get<SubscriptionDto>(`/api/subscriptions/${circuit}`)).body.domain_model.circuit as { cable_id: string }).cable_id
})
after(async () => {
  await sql?.end()
  await loom.stop()
})

const subscription = async (id: string) => (await api.get<SubscriptionDto>(`/api/subscriptions/${id}`)).body
/** Starts a validation and waits for its end, whatever it is. */
async function validate(workflow: string, id: string): Promise<ProcessDto> {
  const started = await api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, { subscription_id: id }, as('olivia'))
  assert.equal(started.status, 201, JSON.stringify(started.body))
  return api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
}
const failureOf = (p: ProcessDto) => (p.failure as { message: string }).message

describe('validate_port (simulator driver)', () => {
  test('in sync with its DCIM interface', async () => {
    const done = await validate('validate_port', port['vpc-r1'])
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual(done.steps.find((s) => s.name === 'check_dcim_interface')!.state_delta, { problems: [] })
    const s = await subscription(port['vpc-r1'])
    assert.deepEqual([s.insync, s.locked_by], [true, null])
    await recordHistoryIfAsked(done.id, 'port', 'validate_port')
  })

  test('an interface edited behind Loom’s back: failed, naming each difference; out of sync until it is put right', async () => {
    // The API refuses to change an interface a live port holds; a DCIM edited elsewhere (NetBox's UI, say) does not.
    const edit = (description: string, enabled: boolean) =>
      sql.query(`UPDATE dcim_interfaces SET description = $1, enabled = $2 WHERE name = 'eth1' AND device_id = (SELECT id FROM dcim_devices WHERE name = 'vpc-r1')`, [description, enabled])
    await edit('patched by hand', false)
    const failed = await validate('validate_port', port['vpc-r1'])
    assert.equal(failed.status, 'failed')
    assert.equal(
      failureOf(failed),
      `port ${port['vpc-r1']} is out of sync: vpc-r1 eth1 is disabled in DCIM, the model has it enabled; description of vpc-r1 eth1: the model has "core port eth1", DCIM has "patched by hand"`,
    )
    assert.deepEqual([(await subscription(port['vpc-r1'])).insync, (await subscription(port['vpc-r1'])).locked_by], [false, null])
    await edit('core port eth1', true)
    assert.equal((await validate('validate_port', port['vpc-r1'])).status, 'completed')
    assert.equal((await subscription(port['vpc-r1'])).insync, true)
  })
})

describe('validate_circuit (simulator driver)', () => {
  test('in sync with DCIM, IPAM and both routers’ running configuration', async () => {
    const done = await validate('validate_circuit', circuit)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual(done.steps.find((s) => s.name === 'compare')!.state_delta, { problems: [], not_checked: [] })
    assert.deepEqual(
      done.steps.filter((s) => s.name.startsWith('check_')).map((s) => [s.name, s.status]),
      [['check_dcim_cable', 'success'], ['check_ipam_subnets', 'success'], ['check_routers', 'success'], ['check_config_side_a', 'success'], ['check_config_side_b', 'success']],
    )
    assert.equal((await subscription(circuit)).insync, true)
    await recordHistoryIfAsked(done.id, 'circuit', 'validate_circuit')
  })

  test('a router changed by hand on the circuit’s interface: failed, naming the router, the interface and the lines; elsewhere on the router it is not the circuit’s business', async () => {
    const running = simulator.running('vpc-r1')!
    assert.match(running, /^ ip ospf cost 65535$/m, 'a new circuit is drained')
    simulator.changeByHand('vpc-r1', (config) => config.replace(' ip ospf cost 65535\n', ' ip ospf cost 10\n'))
    const failed = await validate('validate_circuit', circuit)
    assert.equal(failed.status, 'failed')
    assert.equal(failureOf(failed), `circuit ${circuit} is out of sync: the running configuration of vpc-r1 eth1 differs from the model: it runs "ip ospf cost 10" and lacks "ip ospf cost 65535"`)
    assert.equal(failed.steps.find((s) => s.name === 'compare')!.status, 'failed')
    const s = await subscription(circuit)
    assert.deepEqual([s.insync, s.locked_by], [false, null], 'left out of sync, unlocked')

    // Put right on the router; a change to another part of it (the loopback) is not the circuit's.
    simulator.changeByHand('vpc-r1', () => running.replace('interface lo\n', 'interface lo\n description changed by hand\n'))
    const done = await validate('validate_circuit', circuit)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.equal((await subscription(circuit)).insync, true)
    simulator.changeByHand('vpc-r1', () => running)
  })

  test('its cable changed in DCIM: failed, naming the cable and its status', async () => {
    assert.equal((await api.call('PATCH', `/api/dcim/cables/${cableId}`, { status: 'planned' })).status, 200)
    const failed = await validate('validate_circuit', circuit)
    assert.equal(failed.status, 'failed')
    assert.equal(failureOf(failed), `circuit ${circuit} is out of sync: cable ${cableId} between vpc-r1 eth1 and vpc-r2 eth1 is planned in DCIM, not connected`)
    assert.equal((await subscription(circuit)).insync, false)
    assert.equal((await api.call('PATCH', `/api/dcim/cables/${cableId}`, { status: 'connected' })).status, 200)
    assert.equal((await validate('validate_circuit', circuit)).status, 'completed')
  })
})

describe('task_validate_subscriptions', () => {
  test('starts validate_port for each active port and validate_circuit for the circuit', async () => {
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/task_validate_subscriptions', {}, as('olivia'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const task = await api.waitForProcess(started.body.id, (p) => p.status === 'completed', 60_000)
    const outcomes = (task.steps.find((s) => s.name === 'start_validations')!.state_delta as { started: { id: string; status: number; process_id: string }[] }).started
    const byId = new Map(outcomes.map((o) => [o.id, o]))
    for (const id of [port['vpc-r1'], port['vpc-r2'], circuit, node['vpc-r1']]) assert.equal(byId.get(id)?.status, 201, `${id}: ${JSON.stringify(outcomes)}`)
    for (const [id, workflow] of [[port['vpc-r1'], 'validate_port'], [port['vpc-r2'], 'validate_port'], [circuit, 'validate_circuit'], [node['vpc-r1'], 'validate_node'], [node['vpc-r2'], 'validate_node']]) {
      const p = await api.waitForProcess(byId.get(id)!.process_id, (x) => x.completed_at !== null, 60_000)
      assert.deepEqual([p.workflow, p.status, p.created_by], [workflow, 'completed', `task:${task.id}`])
    }
  })
})

describe('taking the network down (simulator driver)', () => {
  /** Starts a termination as alice, has carol (the change board) approve it and bob answer each later step asked. */
  const approve = async (workflow: string, id: string, answers: Record<string, Record<string, unknown>> = {}): Promise<ProcessDto> => {
    const started = await api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, { subscription_id: id }, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    for (const [step, answer] of Object.entries({ approve_termination: { approved: true }, ...answers })) {
      await api.waitForProcess(started.body.id, (p) => p.pending_input?.step === step, 60_000)
      const headers: Record<string, string> = step === 'approve_termination' ? as('carol', 'change-board') : as('bob')
      assert.equal((await api.call('PUT', `/api/processes/${started.body.id}/resume`, answer, headers)).status, 200)
    }
    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    return done
  }

  test('the circuit, its ports, then a node: its router runs the decommissioned configuration, DCIM has it planned', async () => {
    await approve('terminate_circuit', circuit)
    await approve('terminate_port', port['vpc-r1'], { confirm_cable_removed: { confirm_cable_removed: true } })
    await approve('terminate_port', port['vpc-r2'])
    const done = await approve('terminate_node', node['vpc-r1'])
    assert.equal(done.steps.find((s) => s.name === 'manual_configuration')!.status, 'skipped', 'the simulator removes it itself')
    assert.equal(simulator.running('vpc-r1'), renderDecommissionedConfig('frr', { hostname: 'vpc-r1' }))
    assert.match(simulator.running('vpc-r2')!, /^router ospf$/m, 'the other router keeps its own')
    assert.equal((await api.get<{ status: string }>('/api/dcim/devices/vpc-r1')).body.status, 'planned')
    assert.equal((await subscription(node['vpc-r1'])).lifecycle, 'terminated')
  })
})
