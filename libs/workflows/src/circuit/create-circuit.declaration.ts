// Seed 002's create_circuit, declared: a core link between free ports of two nodes. The circuit refers to its two
// port subscriptions, takes a /31 and a /127 from IPAM, has its planned cable in DCIM, and starts drained
// (maintenance mode) — a modify moves it to normal traffic once it is checked.
import {
  CIRCUIT_LINK_POOLS,
  CIRCUIT_LINK_PURPOSES,
  CIRCUIT_START_MODE,
  circuitDescription,
  circuitProductOf,
  sideAddresses,
} from '#domain/products/circuit/circuit.model.js'
import type { CircuitInitial, CircuitProvisioning } from '#domain/products/circuit/circuit.product.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { CREATE_CIRCUIT } from '../names.js'
import { closeChangeTicket, notify, openChangeTicket } from '../shared/oss-steps.js'
import { storeProcessSubscription } from '../shared/subscription-steps.js'
import type { CreateCircuitInput } from './circuit.forms.js'
import { bothRoutersFromTheModels, type CircuitActivities, configureSide, confirmOrVerify, endsOf, withoutCircuit } from './circuit-steps.js'

/** The OSS/BSS hooks were added to create_circuit later: processes started before skip them (see oss-steps.ts). */
const OSS_HOOKS = 'create-circuit-oss-hooks'

function provisioningFlow() {
  return processFlow<CreateCircuitInput, CircuitActivities>()
    .step(
      'construct_circuit_model',
      'Construct the circuit model from its two ports',
      async (s, env) => {
        const ends = await endsOf({ side_a: s.input.port_a, side_b: s.input.port_b }, env)
        if (ends.side_a.node !== s.input.node_a || ends.side_b.node !== s.input.node_b) failProcess('a port is not on the node chosen for its side')
        return { ends, product: circuitProductOf(s.input.speed) }
      },
      { compensate: bothRoutersFromTheModels },
    )
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
        const circuit: CircuitInitial = { side_a: { port: s.input.port_a }, side_b: { port: s.input.port_b }, igp_metric: s.input.igp_metric, mode: CIRCUIT_START_MODE, cable_id: cable.id }
        return { cable_id: cable.id, circuit }
      },
      { compensate: { label: 'Remove the planned cable from DCIM', run: (s, { act, step }) => act.deleteCable({ ...step, cable_id: s.cable_id }) } },
    )
    .pipe(
      storeProcessSubscription((s) => ({
        product: s.product,
        description: `${circuitDescription(s.input.speed, s.ends)} (planned)`,
        domain_model: { circuit: s.circuit },
        claims: [s.input.port_a, s.input.port_b].map((port) => ({ resource_type: 'port_subscription', resource_key: port })),
      })),
    )
    .pipe(openChangeTicket({ since: OSS_HOOKS, summary: (s) => `Create circuit ${circuitDescription(s.input.speed, s.ends)} (${s.subscription_id})` }))
    .step(
      'reserve_ips_in_ipam',
      'Reserve the next free /31 and /127 for the link in IPAM',
      async (s, { act, step }) => {
        const [v4, v6] = await act.allocatePrefixes({
          ...step,
          requests: [
            { subscription_id: s.subscription_id, purpose: CIRCUIT_LINK_PURPOSES[0], pool: CIRCUIT_LINK_POOLS.ipv4.pool, length: CIRCUIT_LINK_POOLS.ipv4.length, description: `circuit ${s.subscription_id}` },
            { subscription_id: s.subscription_id, purpose: CIRCUIT_LINK_PURPOSES[1], pool: CIRCUIT_LINK_POOLS.ipv6.pool, length: CIRCUIT_LINK_POOLS.ipv6.length, description: `circuit ${s.subscription_id}` },
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
          run: (s, { act, step }) => act.releaseAllocations({ ...step, owners: CIRCUIT_LINK_PURPOSES.map((purpose) => ({ subscription_id: s.subscription_id, purpose })) }),
        },
      },
    )
    .step('store_link_addresses', 'Store the link addresses in the subscription, so that both routers’ configurations include them', async (s, { act, step }) => {
      await act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { circuit: s.circuit } })
    })
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
      side_a: (f) => f.step('configure_side_a', 'Configure the A-side router through the device driver', async (s, env) => ({ configured_side_a: await configureSide(s, env, 'side_a') }), { compensate: withoutCircuit('side_a') }),
      side_b: (f) => f.step('configure_side_b', 'Configure the B-side router through the device driver', async (s, env) => ({ configured_side_b: await configureSide(s, env, 'side_b') }), { compensate: withoutCircuit('side_b') }),
    })
    .pipe(confirmOrVerify)
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
      const description = `${circuitDescription(s.input.speed, s.ends)}, ${s.circuit.link_subnet_ipv4}`
      await act.updateSubscription({ ...step, subscription_id: s.subscription_id, description })
      return { description }
    })
    .step(
      'set_status_active',
      'Set the subscription to active',
      async (s, { act, step }) => {
        await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'active' })
        return { lifecycle: 'active' as const }
      },
      // A live circuit is not taken down because the mail about it could not be sent.
      { irreversible: true },
    )
    .pipe(notify('send_confirmation_email', { since: OSS_HOOKS, data: (s) => ({ link_subnet_ipv4: s.circuit.link_subnet_ipv4, link_subnet_ipv6: s.circuit.link_subnet_ipv6, mode: s.circuit.mode }) }))
    .pipe(closeChangeTicket({ since: OSS_HOOKS, summary: (s) => `Circuit active in ${s.circuit.mode} mode; link subnets ${s.circuit.link_subnet_ipv4}, ${s.circuit.link_subnet_ipv6}` })),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle, link_subnet_ipv4: s.circuit.link_subnet_ipv4, link_subnet_ipv6: s.circuit.link_subnet_ipv6, mode: s.circuit.mode }),
)
