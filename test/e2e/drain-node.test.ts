// drain_node and restore_node through the API on the simulator driver: a triangle of three routers, one circuit
// of the drained node already in maintenance. The drain moves the node's other circuit to maintenance by a
// modify_circuit_mode sub-process (its own process, borrowing the drain's locks) and reports; the circuit between
// the two other routers is untouched; a change on a locked circuit meanwhile is a 409; restore puts back only what
// the drain moved; an abort in the middle leaves every circuit as it was.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { loadConfig } from '#config/index.js'
import type { ProcessDto, ProcessStartedDto, ProcessSummaryDto, SubscriptionDto } from '#contracts/index.js'
import type { SimulatorDriver } from '#integrations/devices/simulator-driver.js'
import type { ApiClient } from '../support/api.js'
import { waitFor } from '#runtime/index.js'
import { plannedRouters } from '../support/dcim.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { testTemporalAddress, testDataConverter } from '../support/env.js'
import { loomStack } from '../support/loom.js'
import { enrolNode, reservePort, runToCompletion } from '../support/workshop.js'
import { as } from '../support/api.js'

const ROUTERS = ['drain-r1', 'drain-r2', 'drain-r3'] as const
type Router = (typeof ROUTERS)[number]
// Each simulated router takes 100–200 ms per change: a drain is still running when the next request arrives.
const loom = loomStack({
  devices: plannedRouters('drain', 3).map((r) => ({ ...r, interfaces: [{ name: 'eth1', speed_mbps: 10_000 }, { name: 'eth2', speed_mbps: 10_000 }] })),
  config: () => ({ devices: loadConfig({ LOOM_DEVICE_DRIVER: 'simulator', LOOM_SIMULATOR_LATENCY_MS: '100,200' }).devices }),
})
let api: ApiClient
let simulator: SimulatorDriver
const node = {} as Record<Router, string>
/** the circuits of the triangle, by their two routers */
const circuit: Record<'r1r2' | 'r1r3' | 'r2r3', string> = { r1r2: '', r1r3: '', r2r3: '' }

/** The OSPF cost a simulated router runs on an interface. */
function costOn(router: Router, iface: string): number | undefined {
  const lines = (simulator.running(router) ?? '').split('\n')
  const start = lines.indexOf(`interface ${iface}`)
  const cost = start < 0 ? undefined : lines.slice(start).find((l) => l.startsWith(' ip ospf cost '))
  return cost ? Number(cost.split(' ').pop()) : undefined
}
const subscription = async (id: string) => (await api.get<SubscriptionDto>(`/api/subscriptions/${id}`)).body
const modes = async (): Promise<Record<string, string>> =>
  Object.fromEntries(await Promise.all(Object.entries(circuit).map(async ([k, id]) => [k, ((await subscription(id)).domain_model.circuit as { mode: string }).mode] as const)))
const start = (workflow: string, input: Record<string, unknown>, user = 'alice') => api.call<ProcessStartedDto & { detail?: string }>('POST', `/api/processes/${workflow}`, input, as(user))
/** The sub-processes of a process. */
const childrenOf = async (parent: string) => (await api.get<{ items: ProcessSummaryDto[] }>(`/api/processes?parent_id=${parent}`)).body.items
/** The sub-processes of a process, once `holds` for them. */
async function childrenUntil(parent: string, holds: (children: ProcessSummaryDto[]) => boolean): Promise<ProcessSummaryDto[]> {
  let children: ProcessSummaryDto[] = []
  await waitFor(async () => holds((children = await childrenOf(parent))), { timeoutMs: 30_000, describe: () => JSON.stringify(children) })
  return children
}
const stepDelta = (p: ProcessDto, step: string) => p.steps.find((s) => s.name === step)?.state_delta as Record<string, unknown> | undefined

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number]

/** Waits until a process's Temporal history has an event that `holds` (a Signal received, an Update accepted). */
async function inHistory(processId: string, what: string, holds: (e: HistoryEvent) => boolean): Promise<void> {
  const connection = await Connection.connect({ address: testTemporalAddress() })
  try {
    const handle = new Client({ connection, dataConverter: testDataConverter() }).workflow.getHandle(processId)
    await waitFor(async () => ((await handle.fetchHistory()).events ?? []).some(holds), { timeoutMs: 30_000, describe: () => `process ${processId} never ${what}` })
  } finally {
    await connection.close()
  }
}
const signalled = (processId: string, signal: string) => inHistory(processId, `received ${signal}`, (e) => e.workflowExecutionSignaledEventAttributes?.signalName === signal)

before(async () => {
  await loom.start()
  api = loom.api
  simulator = loom.simulator
  const port = {} as Record<`${Router}:${string}`, string>
  for (const r of ROUTERS) {
    node[r] = await enrolNode(api, r)
    for (const i of ['eth1', 'eth2']) port[`${r}:${i}`] = await reservePort(api, node[r], i)
  }
  const connect = async (a: `${Router}:${string}`, b: `${Router}:${string}`) =>
    (await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node[a.split(':')[0] as Router], node_b: node[b.split(':')[0] as Router], port_a: port[a], port_b: port[b], igp_metric: 20 })).subscription_ids[0]
  circuit.r1r2 = await connect('drain-r1:eth1', 'drain-r2:eth1')
  circuit.r1r3 = await connect('drain-r1:eth2', 'drain-r3:eth1')
  circuit.r2r3 = await connect('drain-r2:eth2', 'drain-r3:eth2')
  // New circuits start in maintenance; two of the three carry traffic.
  for (const id of [circuit.r1r2, circuit.r2r3]) await runToCompletion(api, 'modify_circuit_mode', { subscription_id: id, mode: 'normal' })
})
after(() => loom.stop())

describe('drain_node and restore_node (simulator driver)', () => {
  test('restore_node on a node never drained is a 409 saying so', async () => {
    const refused = await start('restore_node', { subscription_id: node['drain-r1'] })
    assert.equal(refused.status, 409)
    assert.match(refused.body.detail!, /is not drained: no drain_node has completed on it/)
    assert.equal((await subscription(node['drain-r1'])).locked_by, null, 'nothing left locked')
  })

  test('drain_node: the node’s circuit in normal mode goes to maintenance by a sub-process, under the drain’s locks; the report names what moved and what already was', async () => {
    const started = await start('drain_node', { subscription_id: node['drain-r1'] })
    assert.equal(started.status, 201, JSON.stringify(started.body))
    // One lock set from the start: the node and every active circuit on it.
    const meanwhile = await start('modify_circuit_mode', { subscription_id: circuit.r1r2, mode: 'normal' }, 'bob')
    assert.equal(meanwhile.status, 409)
    assert.match(meanwhile.body.detail!, new RegExp(`locked by process ${started.body.id}`))
    assert.equal((await start('modify_node', { subscription_id: node['drain-r1'], description: 'x' }, 'bob')).status, 409)
    const untouched = await start('modify_circuit_metric', { subscription_id: circuit.r2r3, igp_metric: 25 }, 'bob')
    assert.equal(untouched.status, 201, 'the circuit between the two other routers is not part of the drain')

    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    const outcomes = stepDelta(done, 'drain_circuits')!.drain_circuits as { subscription_id: string; process_id: string; status: string }[]
    assert.deepEqual(outcomes.map((o) => [o.subscription_id, o.status]), [[circuit.r1r2, 'completed']], 'only the circuit in normal mode')
    assert.deepEqual(await modes(), { r1r2: 'maintenance', r1r3: 'maintenance', r2r3: 'normal' })
    assert.deepEqual([costOn('drain-r1', 'eth1'), costOn('drain-r2', 'eth1')], [65535, 65535], 'both ends of the drained circuit at the maintenance cost')
    assert.equal((await api.waitForProcess(untouched.body.id, (p) => p.completed_at !== null, 60_000)).status, 'completed')
    assert.equal(costOn('drain-r2', 'eth2'), 25, 'the other routers’ circuit carries traffic, changed alongside the drain')

    // The sub-process is a process of its own, with its log, named as the drain's child.
    const children = await childrenOf(started.body.id)
    assert.deepEqual(children.map((c) => [c.workflow, c.status, c.subscription_ids]), [['modify_circuit_mode', 'completed', [circuit.r1r2]]])
    assert.equal(children[0].id, outcomes[0].process_id)
    const report = stepDelta(done, 'report')!.report as Record<string, { circuit: string }[]>
    assert.deepEqual(
      Object.fromEntries(Object.entries(report).filter(([k]) => k !== 'subscription_id').map(([k, v]) => [k, v.map((c) => c.circuit)])),
      { moved: [circuit.r1r2], already_maintenance: [circuit.r1r3], not_moved: [] },
    )
    for (const id of [node['drain-r1'], circuit.r1r2, circuit.r1r3]) assert.deepEqual([(await subscription(id)).locked_by, (await subscription(id)).insync], [null, true])
    await recordHistoryIfAsked(done.id, 'node', 'drain_node')
  })

  test('restore_node: only what the drain moved goes back to normal; the circuit that was in maintenance before stays; a second restore is a 409', async () => {
    const done = await runToCompletion(api, 'restore_node', { subscription_id: node['drain-r1'] })
    const outcomes = stepDelta(done, 'restore_circuits')!.restore_circuits as { subscription_id: string; status: string }[]
    assert.deepEqual(outcomes.map((o) => [o.subscription_id, o.status]), [[circuit.r1r2, 'completed']])
    assert.deepEqual(await modes(), { r1r2: 'normal', r1r3: 'maintenance', r2r3: 'normal' })
    assert.deepEqual([costOn('drain-r1', 'eth1'), costOn('drain-r2', 'eth1')], [20, 20])
    const again = await start('restore_node', { subscription_id: node['drain-r1'] })
    assert.equal(again.status, 409)
    assert.match(again.body.detail!, new RegExp(`is not drained: process ${done.id} restored it`))
    await recordHistoryIfAsked(done.id, 'node', 'restore_node')
  })

  test('an abort while the sub-processes run: each is told, stops and puts its circuit back; nothing is left to undo; every circuit as before', async () => {
    await runToCompletion(api, 'modify_circuit_mode', { subscription_id: circuit.r1r3, mode: 'normal' })
    const before: Record<string, string> = await modes()
    assert.deepEqual(before, { r1r2: 'normal', r1r3: 'normal', r2r3: 'normal' })
    // drain-r1 commits nothing until released: both sub-processes are mid-change when the abort comes.
    const release = simulator.hold('drain-r1')
    const started = await start('drain_node', { subscription_id: node['drain-r1'] })
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const children = await childrenUntil(started.body.id, (all) => all.filter((c) => c.status === 'running').length === 2)
    const aborting = api.call('PUT', `/api/processes/${started.body.id}/abort`, { reason: 'maintenance cancelled' }, as('alice'))
    for (const c of children) await signalled(c.id, 'parent_abort')
    release()
    assert.equal((await aborting).status, 200)
    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'aborted')
    assert.equal(done.steps.find((s) => s.name === 'undo_drain_circuits'), undefined, 'no sub-process had completed: nothing to undo')
    const ended = await childrenOf(started.body.id)
    assert.deepEqual(ended.map((c) => c.status), ['aborted', 'aborted'])
    assert.deepEqual(await modes(), before)
    assert.deepEqual([costOn('drain-r1', 'eth1'), costOn('drain-r1', 'eth2'), costOn('drain-r3', 'eth1')], [20, 20, 20], 'the routers run the normal cost again')
    for (const id of Object.values(circuit)) assert.equal((await subscription(id)).locked_by, null)
    await recordHistoryIfAsked(done.id, 'node', 'drain_node.aborted')
  })

  test('an abort once one sub-process has completed: undo_drain_circuits puts its circuit back by a sub-process of its own', async () => {
    // drain-r2 has two circuits in normal mode; drain-r3 commits nothing until released: one circuit drains, the other waits.
    const release = simulator.hold('drain-r3')
    const started = await start('drain_node', { subscription_id: node['drain-r2'] })
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const children = await childrenUntil(started.body.id, (c) => c.length === 2)
    const quick = children.find((c) => c.subscription_ids[0] === circuit.r1r2)!
    await api.waitForProcess(quick.id, (p) => p.status === 'completed', 30_000)
    // The drain's log shows its progress while the other sub-process runs.
    await api.waitForProcess(started.body.id, (p) => {
      const step = p.steps.find((s) => s.name === 'drain_circuits')
      return step?.status === 'running' && (step.state_delta as { ended?: number } | null)?.ended === 1
    })
    // PUT /abort answers once the drain has ended, which needs drain-r3: released once the waiting sub-process has been told.
    const slow = children.find((c) => c.subscription_ids[0] === circuit.r2r3)!
    const aborting = api.call('PUT', `/api/processes/${started.body.id}/abort`, { reason: 'maintenance cancelled' }, as('alice'))
    await signalled(slow.id, 'parent_abort')
    release()
    const aborted = await aborting
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body))
    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'aborted')
    const undo = done.steps.find((s) => s.name === 'undo_drain_circuits')
    assert.equal(undo?.status, 'success', JSON.stringify(done.steps))
    assert.deepEqual(await modes(), { r1r2: 'normal', r1r3: 'normal', r2r3: 'normal' })
    assert.deepEqual([costOn('drain-r1', 'eth1'), costOn('drain-r2', 'eth1'), costOn('drain-r2', 'eth2'), costOn('drain-r3', 'eth2')], [20, 20, 25, 25])
    const all = await childrenOf(started.body.id)
    assert.deepEqual(all.map((c) => [c.subscription_ids[0], c.status]).sort(), [[circuit.r1r2, 'completed'], [circuit.r1r2, 'completed'], [circuit.r2r3, 'aborted']].sort(), 'the drain of r1r2, its undo, and the drain of r2r3 that was told to abort')
  })

  test('restore_node leaves a circuit in maintenance while the node at its far end is drained, and says so; restoring that node puts it back', async () => {
    assert.deepEqual(await modes(), { r1r2: 'normal', r1r3: 'normal', r2r3: 'normal' })
    await runToCompletion(api, 'drain_node', { subscription_id: node['drain-r1'] }) // r1r2, r1r3
    await runToCompletion(api, 'drain_node', { subscription_id: node['drain-r2'] }) // r2r3; r1r2 already
    const r1 = await runToCompletion(api, 'restore_node', { subscription_id: node['drain-r1'] })
    const report = stepDelta(r1, 'report')!.report as { moved: { circuit: string }[]; held_by_far_end: { circuit: string; drained_node: string }[] }
    assert.deepEqual(report.moved.map((m) => m.circuit), [circuit.r1r3])
    assert.deepEqual(report.held_by_far_end.map((h) => [h.circuit, h.drained_node]), [[circuit.r1r2, node['drain-r2']]])
    assert.deepEqual(await modes(), { r1r2: 'maintenance', r1r3: 'normal', r2r3: 'maintenance' }, 'drain-r2 is still out of the traffic path')
    await runToCompletion(api, 'restore_node', { subscription_id: node['drain-r2'] })
    assert.deepEqual(await modes(), { r1r2: 'normal', r1r3: 'normal', r2r3: 'normal' })
  })

  test('a sub-process aborted by an operator is reported not moved, and its circuit is left out of sync; the drain completes with the rest', async () => {
    const release = simulator.hold('drain-r3')
    const started = await start('drain_node', { subscription_id: node['drain-r2'] }) // r1r2 and r2r3
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const children = await childrenUntil(started.body.id, (c) => c.length === 2)
    const stuck = children.find((c) => c.subscription_ids[0] === circuit.r2r3)!
    await api.waitForProcess(children.find((c) => c !== stuck)!.id, (p) => p.status === 'completed', 30_000)
    const aborting = api.call('PUT', `/api/processes/${stuck.id}/abort`, { reason: 'r3 is being replaced' }, as('olivia'))
    await inHistory(stuck.id, 'accepted the abort', (e) => e.workflowExecutionUpdateAcceptedEventAttributes !== undefined && e.workflowExecutionUpdateAcceptedEventAttributes !== null)
    release()
    assert.equal((await aborting).status, 200)
    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    const report = stepDelta(done, 'report')!.report as { moved: { circuit: string }[]; not_moved: { circuit: string; status: string; reason: string | null }[] }
    assert.deepEqual(report.moved.map((m) => m.circuit), [circuit.r1r2])
    assert.deepEqual(report.not_moved.map((m) => [m.circuit, m.status, m.reason]), [[circuit.r2r3, 'aborted', 'r3 is being replaced']])
    assert.deepEqual((await modes()).r2r3, 'normal', 'the aborted sub-process put its circuit back')
    assert.deepEqual([(await subscription(circuit.r1r2)).insync, (await subscription(circuit.r2r3)).insync], [true, false])
    await runToCompletion(api, 'restore_node', { subscription_id: node['drain-r2'] })
  })
})
