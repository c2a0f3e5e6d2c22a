// Draining a node for maintenance: every circuit on it to maintenance mode (the highest IGP cost, so traffic takes
// other paths), each by its own modify_circuit_mode sub-process, in parallel, under one lock set taken at the start
// (the node and all its active circuits); one report. restore_node is its inverse: each circuit of the node that a
// drain (of this node or of its far end) put in maintenance goes back to normal — unless its far end is drained. What none of the anchors do well: orchestrator-core runs one subscription
// per process, nornir has no durable state, AWX no model of what depends on what.
import type { ProcessActivities } from '#activities/processes/process.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import type { LastProcess } from '#persistence/index.js'
import type { CircuitActive } from '#domain/products/circuit/circuit.product.js'
import { NODE_PRODUCT } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, type FanOutOutcome, processFlow, type StepEnv } from '../engine/declaration.js'
import { DRAIN_NODE, MODIFY_CIRCUIT_MODE, RESTORE_NODE } from '../names.js'
import type { DrainNodeInput, RestoreNodeInput } from './drain-node.forms.js'

type Act = ActivityInterface<SubscriptionActivities> & ActivityInterface<Pick<ProcessActivities, 'lastCompletedProcesses'>>
type Mode = CircuitActive['mode']

interface NodeCircuit {
  id: string
  description: string
  mode: Mode
  /** the node at the circuit's other end */
  far_node: string
}

const MODIFY_MODE = { name: MODIFY_CIRCUIT_MODE, target: 'MODIFY' } as const

/** The active circuits on the node's ports, with their modes and far-end nodes. */
async function circuitsOn(node: string, { act, step }: StepEnv<Act>): Promise<NodeCircuit[]> {
  const ports = new Set((await act.readUsers({ ...step, subscription_ids: [node] })).map((p) => p.id))
  const users = ports.size ? await act.readUsers({ ...step, subscription_ids: [...ports] }) : []
  const circuits = users.flatMap((u) => {
    const circuit = u.domain_model.circuit as CircuitActive | undefined
    if (u.lifecycle !== 'active' || !circuit) return []
    const farPort = [circuit.side_a.port, circuit.side_b.port].find((p) => !ports.has(p as string)) as string
    return [{ id: u.id, description: u.description, mode: circuit.mode, far_port: farPort }]
  })
  const farPorts = circuits.length ? await act.readSubscriptions({ ...step, subscription_ids: [...new Set(circuits.map((c) => c.far_port))] }) : {}
  return circuits.map(({ far_port, ...c }) => ({ ...c, far_node: (farPorts[far_port].domain_model.port as { node: string }).node }))
}

/** Every circuit of the node moved `from` one mode `to` the other: a sub-process each; the inverse on abort. */
function moveCircuits<S extends { circuits: NodeCircuit[] }>(from: Mode, to: Mode) {
  return {
    items: (s: S) => s.circuits.filter((c) => c.mode === from).map((c) => ({ subscription_id: c.id, input: { subscription_id: c.id, mode: to } })),
    compensate: { label: `Put the circuits moved to ${to} back in ${from} mode`, input: (moved: FanOutOutcome) => ({ subscription_id: moved.subscription_id, mode: from }) },
  }
}

/** The report: which circuits moved (by which sub-process), which were already there, which did not move and why. */
function report(node: string, circuits: NodeCircuit[], outcomes: FanOutOutcome[], already: Record<string, NodeCircuit[]> = {}) {
  const named = (id: string) => circuits.find((c) => c.id === id)?.description ?? id
  return {
    subscription_id: node,
    moved: outcomes.filter((o) => o.status === 'completed').map((o) => ({ circuit: o.subscription_id, description: named(o.subscription_id), process_id: o.process_id })),
    ...Object.fromEntries(Object.entries(already).map(([key, list]) => [key, list.map((c) => ({ circuit: c.id, description: c.description }))])),
    not_moved: outcomes
      .filter((o) => o.status !== 'completed')
      .map((o) => ({ circuit: o.subscription_id, description: named(o.subscription_id), process_id: o.process_id, status: o.status, reason: o.reason ?? null })),
  }
}

export const drainNodeDeclaration = declareWorkflow(
  {
    name: DRAIN_NODE,
    target: 'MODIFY',
    product: NODE_PRODUCT,
    description: 'Drain a node for maintenance: every active circuit on it to maintenance mode, a modify_circuit_mode sub-process each, in parallel; one report',
  },
  processFlow<DrainNodeInput, Act>()
    .step('find_circuits', 'Find the node’s active circuits and their modes', async (s, env) => ({ circuits: await circuitsOn(s.subscription_id, env) }))
    .fanOut('drain_circuits', 'Move each circuit in normal mode to maintenance (modify_circuit_mode), in parallel', MODIFY_MODE, moveCircuits('normal', 'maintenance'))
    .step('report', 'Report what moved, what was in maintenance already, what did not move', (s) => Promise.resolve({ report: report(s.subscription_id, s.circuits, s.drain_circuits, { already_maintenance: s.circuits.filter((c) => c.mode === 'maintenance') }) })),
  (s) => s.report,
)

export const restoreNodeDeclaration = declareWorkflow(
  {
    name: RESTORE_NODE,
    target: 'MODIFY',
    product: NODE_PRODUCT,
    description: 'Undo a node’s drain: each of its circuits that a drain put in maintenance back to normal mode, in parallel, unless its far end is drained; one report',
  },
  processFlow<RestoreNodeInput, Act>()
    .step('find_drained_circuits', 'Find the circuits a drain put in maintenance whose far end is not drained', async (s, env) => {
      const inMaintenance = (await circuitsOn(s.subscription_id, env)).filter((c) => c.mode === 'maintenance')
      const ids = inMaintenance.map((c) => c.id)
      const farNodes = [...new Set(inMaintenance.map((c) => c.far_node))]
      const none: Record<string, LastProcess | null> = {}
      const [lastModeChange, farState] = await Promise.all([
        ids.length ? env.act.lastCompletedProcesses({ subscription_ids: ids, workflows: [MODIFY_CIRCUIT_MODE] }) : none,
        farNodes.length ? env.act.lastCompletedProcesses({ subscription_ids: farNodes, workflows: [DRAIN_NODE, RESTORE_NODE] }) : none,
      ])
      // Put in maintenance by a drain (not by hand, not new); a far end drained still holds it.
      const drained = inMaintenance.filter((c) => lastModeChange[c.id]?.parent_workflow === DRAIN_NODE)
      const heldByFarEnd = drained.filter((c) => farState[c.far_node]?.workflow === DRAIN_NODE)
      return {
        circuits: drained.filter((c) => !heldByFarEnd.includes(c)),
        held: heldByFarEnd.map((c) => ({ circuit: c.id, description: c.description, drained_node: c.far_node, by_process: farState[c.far_node]!.process_id })),
      }
    })
    .fanOut('restore_circuits', 'Move each drained circuit still in maintenance back to normal (modify_circuit_mode), in parallel', MODIFY_MODE, moveCircuits('maintenance', 'normal'))
    .step('report', 'Report what moved, what stays in maintenance for the far end’s drain, what did not move', (s) =>
      Promise.resolve({ report: { ...report(s.subscription_id, s.circuits, s.restore_circuits), held_by_far_end: s.held } }),
    ),
  (s) => s.report,
)
