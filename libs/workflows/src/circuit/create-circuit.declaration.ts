// Seed 002's create_circuit, declared: a core link between free ports of two nodes. The circuit refers to its two
// port subscriptions, takes a /31 and a /127 from IPAM, has its planned cable in DCIM, and starts drained
// (maintenance mode) — a modify moves it to normal traffic once it is checked.
import type { DcimActivities } from '../../../activities/src/dcim/dcim.activities.js'
import type { IpamActivities } from '../../../activities/src/ipam/ipam.activities.js'
import type { NodeConfigActivities } from '../../../activities/src/node/node-config.activities.js'
import type { SubscriptionActivities } from '../../../activities/src/subscriptions/subscription.activities.js'
import { renderLinkConfig } from '../../../domain/src/config/index.js'
import {
  CIRCUIT_LINK_POOLS,
  CIRCUIT_START_MODE,
  circuitDescription,
  circuitLinkConfig,
  circuitProductOf,
  type Side,
  sideAddresses,
} from '../../../domain/src/products/circuit/circuit.model.js'
import type { CircuitInitial, CircuitProvisioning } from '../../../domain/src/products/circuit/circuit.product.js'
import type { NodeInitial } from '../../../domain/src/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow, type StepEnv } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { CREATE_CIRCUIT } from '../names.js'
import { terminateNewSubscription } from '../shared/subscription-steps.js'
import { confirmCircuitConfigApplied, type CreateCircuitInput } from './circuit.forms.js'

type Act = ActivityInterface<SubscriptionActivities> & ActivityInterface<DcimActivities> & ActivityInterface<IpamActivities> & ActivityInterface<NodeConfigActivities>

/** One end as the routers see it: the node, its device and the port's interface. */
export interface SideEnd {
  node: string
  port: string
  device: string
  vendor: string
  interface: string
  igp_area: string
}

const PURPOSES = { ipv4: 'link_ipv4', ipv6: 'link_ipv6' } as const

/** Reads both ports and their nodes: the interfaces to configure and cable. */
async function endsOf(input: CreateCircuitInput, { act, step }: StepEnv<Act>): Promise<Record<Side, SideEnd>> {
  const ports = await act.readSubscriptions({ ...step, subscription_ids: [input.port_a, input.port_b] })
  const nodes = await act.readSubscriptions({ ...step, subscription_ids: [input.node_a, input.node_b] })
  const end = (nodeId: string, portId: string): SideEnd => {
    const port = ports[portId].domain_model.port as { node: string; port_name: string }
    const node = nodes[nodeId].domain_model.node as NodeInitial
    if (port.node !== nodeId) failProcess(`port ${portId} is not on node ${nodeId}`)
    return { node: nodeId, port: portId, device: node.device_name, vendor: node.vendor, interface: port.port_name, igp_area: node.igp_area ?? '0.0.0.0' }
  }
  return { side_a: end(input.node_a, input.port_a), side_b: end(input.node_b, input.port_b) }
}

const sideLabel = (side: Side) => (side === 'side_a' ? 'A' : 'B')

/** Configures one side's router: its whole configuration, this circuit included. */
const configure = (s: { ends: Record<Side, SideEnd> }, { act, step }: StepEnv<Act>, side: Side) => act.configureNode({ ...step, node_subscription_id: s.ends[side].node })

/** Undoes `configure`: the router configured again without the circuit. */
const unconfigure = (side: Side) => ({
  label: `Remove the circuit from the ${sideLabel(side)}-side router`,
  run: (s: { ends: Record<Side, SideEnd>; subscription_id: string }, { act, step }: StepEnv<Act>) =>
    act.configureNode({ ...step, node_subscription_id: s.ends[side].node, overrides: { [s.subscription_id]: null } }),
})

function provisioningFlow() {
  return processFlow<CreateCircuitInput, Act>()
    .step('construct_circuit_model', 'Construct the circuit model from its two ports', async (s, env) => {
      const ends = await endsOf(s.input, env)
      const circuit: CircuitInitial = { side_a: { port: s.input.port_a }, side_b: { port: s.input.port_b }, igp_metric: s.input.igp_metric, mode: CIRCUIT_START_MODE }
      return { ends, circuit, product: circuitProductOf(s.input.speed) }
    })
    .step(
      'plan_cable',
      'Plan the cable between the two ports in DCIM',
      async (s, { act, step }) => {
        const cable = await act.planCable({
          ...step,
          a: { device: s.ends.side_a.device, interface: s.ends.side_a.interface },
          b: { device: s.ends.side_b.device, interface: s.ends.side_b.interface },
          description: `circuit ${s.subscription_id}`,
        })
        return { cable_id: cable.id }
      },
      { compensate: { label: 'Remove the planned cable from DCIM', run: (s, { act, step }) => act.deleteCable({ ...step, cable_id: s.cable_id }) } },
    )
    .step(
      'store_process_subscription',
      'Store the subscription (lifecycle initial)',
      async (s, { act, step }) => {
        await act.storeProcessSubscription({
          ...step,
          subscription: {
            id: s.subscription_id,
            product: s.product,
            customer_id: s.input.customer_id,
            description: `${circuitDescription(s.input.speed, ends(s.ends.side_a), ends(s.ends.side_b))} (planned)`,
            domain_model: { circuit: s.circuit },
          },
          claims: [s.input.port_a, s.input.port_b].map((port) => ({ resource_type: 'port_subscription', resource_key: port })),
        })
        return { lifecycle: 'initial' as const }
      },
      { compensate: terminateNewSubscription },
    )
    .step(
      'reserve_ips_in_ipam',
      'Reserve the next free /31 and /127 for the link in IPAM',
      async (s, { act, step }) => {
        const [v4, v6] = await act.allocatePrefixes({
          ...step,
          requests: [
            { subscription_id: s.subscription_id, purpose: PURPOSES.ipv4, pool: CIRCUIT_LINK_POOLS.ipv4.pool, length: CIRCUIT_LINK_POOLS.ipv4.length, description: `circuit ${s.subscription_id}` },
            { subscription_id: s.subscription_id, purpose: PURPOSES.ipv6, pool: CIRCUIT_LINK_POOLS.ipv6.pool, length: CIRCUIT_LINK_POOLS.ipv6.length, description: `circuit ${s.subscription_id}` },
          ],
        })
        const a4 = sideAddresses(v4.prefix)
        const a6 = sideAddresses(v6.prefix)
        const circuit: CircuitProvisioning = {
          ...s.circuit,
          side_a: { port: s.input.port_a, ipv4_address: a4.side_a, ipv6_address: a6.side_a },
          side_b: { port: s.input.port_b, ipv4_address: a4.side_b, ipv6_address: a6.side_b },
          link_subnet_ipv4: v4.prefix,
          link_subnet_ipv6: v6.prefix,
        }
        return { circuit }
      },
      {
        compensate: {
          label: 'Release the link subnets to IPAM',
          run: (s, { act, step }) => act.releaseAllocations({ ...step, owners: Object.values(PURPOSES).map((purpose) => ({ subscription_id: s.subscription_id, purpose })) }),
        },
      },
    )
    .step('store_link_addresses', 'Store the link addresses in the subscription, so that both routers’ configurations include them', async (s, { act, step }) => {
      await act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { circuit: s.circuit } })
    })
}

const ends = (e: SideEnd) => ({ device: e.device, port: e.interface })

/** What a person applies by hand on each router (the manual driver): this circuit's interface, per side. */
function linkConfigs(s: { circuit: CircuitProvisioning; ends: Record<Side, SideEnd> }) {
  const side = (here: Side, there: Side) => ({
    device: s.ends[here].device,
    config: renderLinkConfig(
      s.ends[here].vendor,
      circuitLinkConfig(s.circuit, { interface: s.ends[here].interface, far_end: s.ends[there].device, ...s.circuit[here] }, s.ends[here].igp_area),
    ),
  })
  return { side_a: side('side_a', 'side_b'), side_b: side('side_b', 'side_a') }
}

export const createCircuitDeclaration = declareWorkflow(
  {
    name: CREATE_CIRCUIT,
    target: 'CREATE',
    product: 'circuit',
    description:
      'Join two nodes with a core link between free ports of the same speed: plan the cable, store the circuit, reserve its link subnets, configure both routers (in maintenance mode) or show both configurations to a person, connect the cable and activate it',
    // Configuring a router may wait for another process that is configuring it.
    activity: { startToCloseTimeout: '3 minutes', heartbeatTimeout: '30 seconds' },
  },
  provisioningFlow()
    .parallel('configure_circuit', 'Configure both routers', {
      side_a: (f) => f.step('configure_side_a', 'Configure the A-side router through the device driver', async (s, env) => ({ configured_side_a: await configure(s, env, 'side_a') }), { compensate: unconfigure('side_a') }),
      side_b: (f) => f.step('configure_side_b', 'Configure the B-side router through the device driver', async (s, env) => ({ configured_side_b: await configure(s, env, 'side_b') }), { compensate: unconfigure('side_b') }),
    })
    .when(
      'manual_configuration',
      'When the driver leaves the configuration to a person',
      (s) => s.configured_side_a.needs_confirmation || s.configured_side_b.needs_confirmation,
      (manual) =>
        manual.input('provide_config_to_user', 'Show both sides’ configuration; wait until they are applied', confirmCircuitConfigApplied, {
          assignee: 'noc',
          data: (s) => linkConfigs(s),
        }),
    )
    .step('set_status_provisioning', 'Set the subscription to provisioning', async (s, { act, step }) => {
      await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'provisioning' })
      return { lifecycle: 'provisioning' as const }
    })
    .step(
      'connect_cable',
      'Set the DCIM cable from planned to connected',
      async (s, { act, step }) => {
        await act.setCableStatus({ ...step, cable_id: s.cable_id, status: 'connected' })
      },
      { compensate: { label: 'Set the DCIM cable back to planned', run: (s, { act, step }) => act.setCableStatus({ ...step, cable_id: s.cable_id, status: 'planned' }) } },
    )
    .step('update_subscription_description', 'Update the description of the subscription', async (s, { act, step }) => {
      const description = `${circuitDescription(s.input.speed, ends(s.ends.side_a), ends(s.ends.side_b))}, ${s.circuit.link_subnet_ipv4}`
      await act.updateSubscription({ ...step, subscription_id: s.subscription_id, description })
      return { description }
    })
    .step('set_status_active', 'Set the subscription to active', async (s, { act, step }) => {
      await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'active' })
      return { lifecycle: 'active' as const }
    }),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle, link_subnet_ipv4: s.circuit.link_subnet_ipv4, link_subnet_ipv6: s.circuit.link_subnet_ipv6, mode: s.circuit.mode }),
)
