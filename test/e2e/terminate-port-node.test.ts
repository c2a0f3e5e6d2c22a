// terminate_port and terminate_node through the API, on the manual driver (a person applies configuration and
// unplugs cables, and confirms): refused at the start while something uses them (409 naming the users, nothing
// started), the change board's approval (never the starter, never without the role), an abort after the approval
// that puts DCIM back, and the happy paths — the interface and the router offered again by create_port and
// create_node, the loopbacks back in IPAM; create_port refuses a node being terminated. validate_circuit and
// validate_port here say what the manual driver cannot read.
// Re-record the histories: LOOM_RECORD_HISTORIES=1 npm test -- terminate-port-node
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ProcessDto, ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import type { ApiClient } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { loomStack } from '../support/loom.js'
import { enrolNode, reservePort, runToCompletion } from '../support/workshop.js'
import { as } from '../support/api.js'

let api: ApiClient
let circuit: string
const node: Record<string, string> = {}
const port: Record<string, string> = {}

interface Iface {
  interface: string
  description: string
  enabled: boolean
  status: string
  cable: { id: string; status: string } | null
}

const TEN_G = (name: string) => ({ name, speed_mbps: 10_000 })
const ALICE = as('alice', 'change-board')
const BOB = as('bob')
const CAROL = as('carol', 'change-board')

const loom = loomStack({ devices: plannedRouters('term', 2).map((r) => ({ ...r, interfaces: [TEN_G('eth1'), TEN_G('eth2')] })) })

before(async () => {
  await loom.start()
  api = loom.api
  for (const r of ['term-r1', 'term-r2']) node[r] = await enrolNode(api, r)
  for (const [r, p] of [['term-r1', 'eth1'], ['term-r1', 'eth2'], ['term-r2', 'eth1']]) port[`${r}:${p}`] = await reservePort(api, node[r], p)
  circuit = (await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node['term-r1'], node_b: node['term-r2'], port_a: port['term-r1:eth1'], port_b: port['term-r2:eth1'] })).subscription_ids[0]
})
after(() => loom.stop())


const subscription = async (id: string) => (await api.get<SubscriptionDto & { end_date: string | null }>(`/api/subscriptions/${id}`)).body
const iface = async (device: string, name: string) => (await api.get<{ items: Iface[] }>(`/api/dcim/devices/${device}/interfaces`)).body.items.find((i) => i.interface === name)!
const deviceStatus = async (device: string) => (await api.get<{ status: string }>(`/api/dcim/devices/${device}`)).body.status
const processesOf = async (workflow: string) => (await api.get<{ total: number }>(`/api/processes?workflow=${workflow}`)).body.total
const start = async (workflow: string, body: unknown, headers: Record<string, string> = ALICE) => {
  const res = await api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, body, headers)
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id
}
const resume = (id: string, body: unknown, headers: Record<string, string>) => api.call<ProcessDto>('PUT', `/api/processes/${id}/resume`, body, headers)
const waitingAt = (id: string, step: string) => api.waitForProcess(id, (p) => p.pending_input?.step === step, 60_000)
const ended = (id: string) => api.waitForProcess(id, (p) => p.completed_at !== null, 60_000)
/** The interfaces create_port offers on a node at 10G. */
const offeredPorts = async (nodeId: string) =>
  (await api.call<{ form: { properties: { port_name: { enum: string[] } } } }>('POST', '/api/workflows/create_port/form', { node: nodeId, speed: '10G' })).body.form.properties.port_name.enum

/** Starts a termination as alice and has carol (the change board) approve it; returns the process id. */
async function approvedTermination(workflow: string, subscriptionId: string): Promise<string> {
  const id = await start(workflow, { subscription_id: subscriptionId })
  await waitingAt(id, 'approve_termination')
  const ok = await resume(id, { approved: true }, CAROL)
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  return id
}

describe('terminate_port and terminate_node: refused while in use', () => {
  test('a port a live circuit uses, and a node with live ports: 409 naming the users, nothing started or locked', async () => {
    const portRefused = await api.call<{ status: number; detail: string }>('POST', '/api/processes/terminate_port', { subscription_id: port['term-r1:eth1'] }, ALICE)
    assert.equal(portRefused.status, 409, JSON.stringify(portRefused.body))
    assert.match(portRefused.body.detail, new RegExp(`port ${port['term-r1:eth1']} is in use by circuit_10g ${circuit} "Circuit 10G term-r1 eth1 – term-r2 eth1, [^"]+" \\(active, circuit\\.side_a\\.port\\)`))
    assert.match(portRefused.headers.get('content-type') ?? '', /application\/problem\+json/)

    const nodeRefused = await api.call<{ detail: string }>('POST', '/api/processes/terminate_node', { subscription_id: node['term-r1'] }, ALICE)
    assert.equal(nodeRefused.status, 409, JSON.stringify(nodeRefused.body))
    for (const p of [port['term-r1:eth1'], port['term-r1:eth2']]) assert.match(nodeRefused.body.detail, new RegExp(`port_10g ${p} "Port term-r1 eth\\d \\(10G\\)" \\(active, port\\.node\\)`))
    assert.doesNotMatch(nodeRefused.body.detail, new RegExp(port['term-r2:eth1']), 'only its own ports')

    assert.deepEqual([await processesOf('terminate_port'), await processesOf('terminate_node')], [0, 0], 'no process was recorded or started')
    for (const id of [port['term-r1:eth1'], node['term-r1']]) {
      const s = await subscription(id)
      assert.deepEqual([s.lifecycle, s.locked_by, s.insync], ['active', null, true], 'nothing locked, nothing changed')
    }
  })
})

describe('validate_circuit and validate_port on the manual driver', () => {
  test('DCIM and IPAM agree; the routers’ running configuration cannot be read, and the result says so', async () => {
    const done = await runToCompletion(api, 'validate_circuit', { subscription_id: circuit })
    assert.deepEqual(done.steps.find((s) => s.name === 'compare')!.state_delta, {
      problems: [],
      not_checked: ['the running configuration of term-r1: the manual driver cannot read the device', 'the running configuration of term-r2: the manual driver cannot read the device'],
    })
    assert.equal((await subscription(circuit)).insync, true)
    const validated = await runToCompletion(api, 'validate_port', { subscription_id: port['term-r1:eth2'] })
    assert.deepEqual(validated.steps.find((s) => s.name === 'check_dcim_interface')!.state_delta, { problems: [] })
  })
})

describe('terminate_port', () => {
  test('the change board approves (not the starter, not without the role); an abort after the approval puts the interface back', async () => {
    // The circuit goes first (the change board approves, a person removes its configuration); it leaves its cable decommissioning.
    const ckt = await approvedTermination('terminate_circuit', circuit)
    await waitingAt(ckt, 'provide_config_to_user')
    assert.equal((await resume(ckt, { confirm_config_removed: true }, BOB)).status, 200)
    assert.equal((await ended(ckt)).status, 'completed')

    const before = await iface('term-r1', 'eth1')
    assert.deepEqual([before.description, before.enabled, before.status, before.cable?.status], ['core port eth1', true, 'active', 'decommissioning'])
    const id = await start('terminate_port', { subscription_id: port['term-r1:eth1'] })
    const waiting = await waitingAt(id, 'approve_termination')
    assert.equal(waiting.assignee, 'change-board')
    assert.equal((await resume(id, { approved: true }, ALICE)).status, 403, 'the starter may not approve')
    assert.equal((await resume(id, { approved: true }, BOB)).status, 403, 'only the change board approves')
    assert.deepEqual(await iface('term-r1', 'eth1'), before, 'nothing changed before the approval')

    assert.equal((await resume(id, { approved: true, comment: 'ticket 7' }, CAROL)).status, 200)
    // The interface is given back in DCIM; the cable left on it waits for a person to unplug it.
    const unplug = await waitingAt(id, 'confirm_cable_removed')
    assert.deepEqual(unplug.pending_input!.data, { cable: before.cable!.id, status: 'decommissioning', from: 'term-r1 eth1', to: 'term-r2 eth1' })
    const given = await iface('term-r1', 'eth1')
    assert.deepEqual([given.description, given.enabled, given.status], ['', false, 'planned'])

    const aborted = await api.call<ProcessDto>('PUT', `/api/processes/${id}/abort`, { reason: 'wrong port' }, BOB)
    assert.equal(aborted.body.status, 'aborted', JSON.stringify(aborted.body))
    assert.deepEqual(await iface('term-r1', 'eth1'), before, 'the interface is back as it was, its cable still there')
    assert.equal(aborted.body.steps.find((s) => s.name === 'undo_update_interface')?.status, 'success')
    const s = await subscription(port['term-r1:eth1'])
    assert.deepEqual([s.lifecycle, s.locked_by, s.end_date], ['active', null, null])
    assert.ok(!(await offeredPorts(node['term-r1'])).includes('eth1'), 'the port still holds its interface')
  })

  test('approved: the interface given back, the cable unplugged and removed, the port terminated; create_port offers the interface again', async () => {
    const id = await approvedTermination('terminate_port', port['term-r1:eth1'])
    await waitingAt(id, 'confirm_cable_removed')
    assert.equal((await resume(id, { confirm_cable_removed: false }, BOB)).status, 422, 'a person confirms, or nothing')
    assert.equal((await resume(id, { confirm_cable_removed: true }, BOB)).status, 200)
    const done = await ended(id)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual(done.steps.find((s) => s.name === 'confirm_cable_removed')!.answered_by, 'key:bob')
    const s = await subscription(port['term-r1:eth1'])
    assert.equal(s.lifecycle, 'terminated')
    assert.ok(s.end_date, 'its end date is set')
    const after = await iface('term-r1', 'eth1')
    assert.deepEqual([after.description, after.enabled, after.status, after.cable], ['', false, 'planned', null])
    assert.ok((await offeredPorts(node['term-r1'])).includes('eth1'), 'create_port offers eth1 again')
    await recordHistoryIfAsked(id, 'port', 'terminate_port')

    // The far end's cable is gone with it: terminating that port asks nobody to unplug anything.
    const far = await approvedTermination('terminate_port', port['term-r2:eth1'])
    const farDone = await ended(far)
    assert.equal(farDone.status, 'completed', JSON.stringify(farDone.failure))
    assert.deepEqual(
      farDone.steps.filter((x) => ['cable_on_interface', 'confirm_cable_removed', 'remove_cable'].includes(x.name)).map((x) => x.status),
      ['skipped', 'skipped', 'skipped'],
    )
  })
})

describe('terminate_node', () => {
  test('a person removes the configuration; an abort after the approval puts the DCIM device back', async () => {
    const id = await approvedTermination('terminate_node', node['term-r2'])
    const waiting = await waitingAt(id, 'provide_config_to_user')
    const data = waiting.pending_input!.data as { device: string; remove: string; leave: string }
    assert.equal(data.device, 'term-r2')
    assert.match(data.remove, /^interface lo\n ip address 198\.51\.100\.\d+\/32$/m, 'what to remove: the loopbacks, the IGP')
    assert.equal(data.leave, 'frr defaults traditional\nhostname term-r2\nservice integrated-vtysh-config\n! decommissioned: not managed by Loom\n!\n')
    assert.equal(await deviceStatus('term-r2'), 'decommissioning')
    // Nothing new is built on a node being terminated: its form is valid, its check refuses it.
    const newPort = await api.call<{ detail: string }>('POST', '/api/processes/create_port', { node: node['term-r2'], speed: '10G', port_name: 'eth2', port_description: 'late' }, BOB)
    assert.equal(newPort.status, 409, JSON.stringify(newPort.body))
    assert.match(newPort.body.detail, new RegExp(`node ${node['term-r2']} is being terminated by process ${id} \\(terminate_node\\)`))

    const aborted = await api.call<ProcessDto>('PUT', `/api/processes/${id}/abort`, {}, BOB)
    assert.equal(aborted.body.status, 'aborted', JSON.stringify(aborted.body))
    assert.equal(await deviceStatus('term-r2'), 'active', 'DCIM has the router active again')
    const s = await subscription(node['term-r2'])
    assert.deepEqual([s.lifecycle, s.locked_by], ['active', null])
    assert.equal((await api.get<{ items: unknown[] }>(`/api/ipam/allocations?subscription_id=${node['term-r2']}`)).body.items.length, 2, 'its loopbacks are still its own')
  })

  test('approved and confirmed: the DCIM device planned, the node terminated, its loopbacks released; create_node offers the router again', async () => {
    const free = async () => (await api.get<{ properties: { router: { enum: string[] } } }>('/api/workflows/create_node/form')).body.properties.router.enum
    assert.deepEqual(await free(), [])
    const id = await approvedTermination('terminate_node', node['term-r2'])
    await waitingAt(id, 'provide_config_to_user')
    assert.equal((await resume(id, { confirm_config_removed: true }, BOB)).status, 200)
    const done = await ended(id)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.equal(await deviceStatus('term-r2'), 'planned')
    const s = await subscription(node['term-r2'])
    assert.equal(s.lifecycle, 'terminated')
    assert.ok(s.end_date)
    assert.deepEqual((await api.get<{ items: unknown[] }>(`/api/ipam/allocations?subscription_id=${node['term-r2']}`)).body.items, [], 'loopbacks released')
    assert.deepEqual(await free(), ['term-r2'])
    await recordHistoryIfAsked(id, 'node', 'terminate_node')
  })
})
