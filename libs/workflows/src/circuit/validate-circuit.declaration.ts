// Checks a circuit against its sources of truth and its routers: the API locked it at the start; it ends in sync
// when DCIM has its cable between the two interfaces (connected), IPAM holds its link subnets, and both routers run
// on its interface what the model renders there (the whole configuration rendered as every configuration step
// renders it, diffed by the driver against the running one). Otherwise it fails naming each difference, and the
// circuit stays out of sync. A driver that cannot read the routers (manual) is said so in the result.
import { CIRCUIT_LINK_PURPOSES } from '#domain/products/circuit/circuit.model.js'
import type { CircuitProvisioning } from '#domain/products/circuit/circuit.product.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { VALIDATE_CIRCUIT } from '../names.js'
import type { ValidateCircuitInput } from './circuit.forms.js'
import { cableProblems, linkSubnetProblems, notRead, runningConfigProblems } from './circuit-checks.js'
import { type CircuitActivities, endsOf } from './circuit-steps.js'

/** The device activities heartbeat while they work: a worker that died is noticed, and a cancellation reaches them. */
const DEVICE_STEP = { activity: { heartbeatTimeout: '20 seconds' } } as const

export const validateCircuitDeclaration = declareWorkflow(
  {
    name: VALIDATE_CIRCUIT,
    target: 'VALIDATE',
    product: 'circuit',
    description:
      'Check a circuit against DCIM (its cable between the two interfaces, connected), IPAM (its link subnets) and both routers’ running configuration of its interfaces; in sync when all agree',
  },
  processFlow<ValidateCircuitInput, CircuitActivities>()
    .step('read_circuit', 'Read the circuit and its two routers', async (s, env) => {
      const rows = await env.act.readSubscriptions({ ...env.step, subscription_ids: [s.subscription_id] })
      const circuit = rows[s.subscription_id].domain_model.circuit as CircuitProvisioning
      const ends = await endsOf({ side_a: circuit.side_a.port as string, side_b: circuit.side_b.port as string }, env)
      return { circuit, ends, circuit_lifecycle: rows[s.subscription_id].lifecycle }
    })
    .step('check_dcim_cable', 'Compare the circuit with its cable in DCIM', async (s, { act, step }) => {
      const [side_a, side_b] = await act.readInterfaces({ ...step, refs: [s.ends.side_a, s.ends.side_b].map((e) => ({ device: e.device, interface: e.interface })) })
      return { dcim_problems: cableProblems(s.circuit, s.circuit_lifecycle, s.ends, { side_a, side_b }) }
    })
    .step('check_ipam_subnets', 'Compare the circuit’s link subnets with what IPAM holds for it', async (s, { act, step }) => {
      const held = await act.readAllocations({ ...step, owners: CIRCUIT_LINK_PURPOSES.map((purpose) => ({ subscription_id: s.subscription_id, purpose })) })
      return { ipam_problems: linkSubnetProblems(s.circuit, held) }
    })
    .parallel('check_routers', 'Compare both routers’ running configuration with the model', {
      side_a: (f) =>
        f.step('check_config_side_a', 'Diff the A-side router against its model', async (s, { act, step }) => ({
          diff_side_a: await act.readConfigDiff({ ...step, node_subscription_id: s.ends.side_a.node }),
        }), DEVICE_STEP),
      side_b: (f) =>
        f.step('check_config_side_b', 'Diff the B-side router against its model', async (s, { act, step }) => ({
          diff_side_b: await act.readConfigDiff({ ...step, node_subscription_id: s.ends.side_b.node }),
        }), DEVICE_STEP),
    })
    .step('compare', 'Name every difference: in sync when there is none', (s) => {
      const problems = [...s.dcim_problems, ...s.ipam_problems, ...runningConfigProblems(s.ends, 'side_a', s.diff_side_a), ...runningConfigProblems(s.ends, 'side_b', s.diff_side_b)]
      if (problems.length) failProcess(`circuit ${s.subscription_id} is out of sync: ${problems.join('; ')}`)
      return Promise.resolve({ problems, not_checked: [...notRead(s.diff_side_a), ...notRead(s.diff_side_b)] })
    }),
  (s) => ({ subscription_id: s.subscription_id, in_sync: true, problems: s.problems, not_checked: s.not_checked }),
)
