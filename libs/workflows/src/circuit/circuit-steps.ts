// What every circuit workflow does with the two routers: find them from the ports, configure each from its whole
// model (with this circuit as given, or without it), and show a person what to apply when the driver cannot.
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { IpamActivities } from '#activities/ipam/ipam.activities.js'
import type { CircuitOverrides, NodeConfigActivities, NodeConfigured } from '#activities/node/node-config.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import { effectiveCost, renderLinkConfig } from '#domain/config/index.js'
import { circuitLinkConfig, type Side } from '#domain/products/circuit/circuit.model.js'
import type { CircuitInitial, CircuitProvisioning } from '#domain/products/circuit/circuit.product.js'
import type { NodeInitial } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import type { Flow, StepEnv } from '../engine/declaration.js'
import { confirmCircuitConfigApplied } from './circuit.forms.js'
import type { OssActivities } from '../shared/oss-steps.js'

export type CircuitActivities = ActivityInterface<SubscriptionActivities> &
  ActivityInterface<DcimActivities> &
  ActivityInterface<IpamActivities> &
  ActivityInterface<NodeConfigActivities> &
  OssActivities

/** One end as the routers see it: the node, its device and the port's interface. */
export interface SideEnd {
  node: string
  port: string
  device: string
  vendor: string
  interface: string
}

export type Ends = Record<Side, SideEnd>

export const sideLabel = (side: Side) => (side === 'side_a' ? 'A' : 'B')

/** Reads both ports and the nodes they are on. */
export async function endsOf(ports: Record<Side, string>, { act, step }: StepEnv<CircuitActivities>): Promise<Ends> {
  const portRows = await act.readSubscriptions({ ...step, subscription_ids: [ports.side_a, ports.side_b] })
  const portOf = (id: string) => portRows[id].domain_model.port as { node: string; port_name: string }
  const nodeRows = await act.readSubscriptions({ ...step, subscription_ids: [portOf(ports.side_a).node, portOf(ports.side_b).node] })
  const end = (portId: string): SideEnd => {
    const port = portOf(portId)
    const node = nodeRows[port.node].domain_model.node as NodeInitial
    return { node: port.node, port: portId, device: node.device_name, vendor: node.vendor, interface: port.port_name }
  }
  return { side_a: end(ports.side_a), side_b: end(ports.side_b) }
}

/** Configures one side's router from its whole model: this circuit as stored, or as `overrides` say. */
export const configureSide = (s: { ends: Ends }, { act, step }: StepEnv<CircuitActivities>, side: Side, overrides?: CircuitOverrides) =>
  act.configureNode({ ...step, node_subscription_id: s.ends[side].node, overrides })

/**
 * The last compensation of a circuit workflow (declared on its first step that knows the ends): both routers
 * configured again from the stored models, once every model is back as it was. Another process that configured one
 * of them meanwhile rendered this circuit as changed; the router ends as the models say.
 */
export const bothRoutersFromTheModels = {
  label: 'Configure both routers again from the stored models',
  run: (s: { ends: Ends }, { act, step }: StepEnv<CircuitActivities>) => act.configureNodes({ ...step, node_subscription_ids: [s.ends.side_a.node, s.ends.side_b.node] }),
}

/** The inverse of configuring a new circuit: the router configured again without it. */
export const withoutCircuit = (side: Side) => ({
  label: `Remove the circuit from the ${sideLabel(side)}-side router`,
  run: (s: { ends: Ends; subscription_id: string }, env: StepEnv<CircuitActivities>) => configureSide(s, env, side, { [s.subscription_id]: null }),
})

/** The inverse of configuring a changed circuit: the router configured again with the circuit as it was. */
export const withCircuitAsBefore = (side: Side) => ({
  label: `Configure the ${sideLabel(side)}-side router with the circuit as it was`,
  run: (s: { ends: Ends; subscription_id: string; before: CircuitInitial }, env: StepEnv<CircuitActivities>) => configureSide(s, env, side, { [s.subscription_id]: s.before }),
})

/** What a person applies by hand on each router (the manual driver): this circuit's interface, per side. */
export function sideConfigs(circuit: CircuitProvisioning, ends: Ends): Record<Side, { device: string; config: string }> {
  const side = (here: Side, there: Side) => ({
    device: ends[here].device,
    config: renderLinkConfig(ends[here].vendor, circuitLinkConfig(circuit, { interface: ends[here].interface, far_end: ends[there].device, ...circuit[here] })),
  })
  return { side_a: side('side_a', 'side_b'), side_b: side('side_b', 'side_a') }
}

/** What must hold on each router once the circuit's configuration is applied: an OSPF neighbour on its interface, at the circuit's cost. */
export const expectedOn = (circuit: Pick<CircuitInitial, 'mode' | 'igp_metric'>, ends: Ends, side: Side) => ({
  ospf_full_on: [ends[side].interface],
  ospf_cost: { [ends[side].interface]: effectiveCost(circuit) },
})

interface Configured {
  circuit: CircuitProvisioning
  ends: Ends
  configured_side_a: NodeConfigured
  configured_side_b: NodeConfigured
}

const byHand = (s: Configured) => s.configured_side_a.needs_confirmation || s.configured_side_b.needs_confirmation

/**
 * After both routers were given the circuit: a person applies it and confirms (the manual driver), or — with a
 * driver that can look — each router is checked for its neighbour across the circuit at the circuit's cost.
 */
export function confirmOrVerify<S extends Configured>(flow: Flow<S, CircuitActivities>) {
  return flow
    .when('manual_configuration', 'When the driver leaves the configuration to a person', byHand, (manual) =>
      manual.input('provide_config_to_user', 'Show both sides’ configuration; wait until they are applied', confirmCircuitConfigApplied, {
        assignee: 'noc',
        data: (s) => sideConfigs(s.circuit, s.ends),
      }),
    )
    .when('verify_on_routers', 'When the driver can look at the routers', (s) => !byHand(s), (verify) =>
      verify.parallel('verify_circuit', 'Verify the circuit on both routers: the neighbour across it, at its cost', {
        side_a: (f) =>
          f.step('verify_side_a', 'Verify the A-side router', async (s, { act, step }) => {
            await act.verifyNode({ ...step, node_subscription_id: s.ends.side_a.node, expect: expectedOn(s.circuit, s.ends, 'side_a') })
          }),
        side_b: (f) =>
          f.step('verify_side_b', 'Verify the B-side router', async (s, { act, step }) => {
            await act.verifyNode({ ...step, node_subscription_id: s.ends.side_b.node, expect: expectedOn(s.circuit, s.ends, 'side_b') })
          }),
      }),
    )
}
