// The circuit's modify workflows (seed 002's exercise: maintenance → normal traffic): the model changes as a new
// version of the subscription, both routers get their whole configuration again (the driver applies only the
// difference), and the IGP cost is verified on each router. An abort puts model and routers back as they were.
import type { CircuitProvisioning } from '#domain/products/circuit/circuit.product.js'
import { declareWorkflow, processFlow, type WorkflowDeclaration } from '../engine/declaration.js'
import { MODIFY_CIRCUIT_METRIC, MODIFY_CIRCUIT_MODE } from '../names.js'
import { type ModifyCircuitMetricInput, type ModifyCircuitModeInput } from './circuit.forms.js'
import { bothRoutersFromTheModels, type CircuitActivities, configureSide, confirmOrVerify, endsOf, withCircuitAsBefore } from './circuit-steps.js'

/** Reads the circuit and its routers: the state every circuit workflow that changes a live circuit starts from. */
export function liveCircuitFlow<I>() {
  return processFlow<I, CircuitActivities>().step(
    'read_circuit',
    'Read the circuit and its two routers',
    async (s, env) => {
      const rows = await env.act.readSubscriptions({ ...env.step, subscription_ids: [s.subscription_id] })
      const before = rows[s.subscription_id].domain_model.circuit as CircuitProvisioning
      const ends = await endsOf({ side_a: before.side_a.port as string, side_b: before.side_b.port as string }, env)
      return { before, ends }
    },
    { compensate: bothRoutersFromTheModels },
  )
}

function modifyCircuit<I>(meta: { name: string; description: string }, change: (circuit: CircuitProvisioning, input: I) => CircuitProvisioning): WorkflowDeclaration {
  return declareWorkflow(
    { ...meta, target: 'MODIFY', product: 'circuit', activity: { startToCloseTimeout: '3 minutes', heartbeatTimeout: '30 seconds' } },
    liveCircuitFlow<I>()
      .step(
        'update_circuit_model',
        'Store the changed model (a new version of the subscription)',
        async (s, { act, step }) => {
          const circuit = change(s.before, s.input)
          const { version } = await act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { circuit } })
          return { circuit, version }
        },
        {
          compensate: {
            label: 'Put the model back as it was',
            run: (s, { act, step }) => act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { circuit: s.before } }),
          },
        },
      )
      .parallel('configure_circuit', 'Configure both routers', {
        side_a: (f) => f.step('configure_side_a', 'Configure the A-side router', async (s, env) => ({ configured_side_a: await configureSide(s, env, 'side_a') }), { compensate: withCircuitAsBefore('side_a') }),
        side_b: (f) => f.step('configure_side_b', 'Configure the B-side router', async (s, env) => ({ configured_side_b: await configureSide(s, env, 'side_b') }), { compensate: withCircuitAsBefore('side_b') }),
      })
      .pipe(confirmOrVerify),
    (s) => ({ subscription_id: s.subscription_id, version: s.version, before: { mode: s.before.mode, igp_metric: s.before.igp_metric }, after: { mode: s.circuit.mode, igp_metric: s.circuit.igp_metric } }),
  )
}

export const modifyCircuitModeDeclaration = modifyCircuit<ModifyCircuitModeInput>(
  { name: MODIFY_CIRCUIT_MODE, description: 'Move a circuit between maintenance mode (drained: the highest IGP cost) and normal traffic mode (its IGP metric), on both routers' },
  (circuit, input) => ({ ...circuit, mode: input.mode }),
)

export const modifyCircuitMetricDeclaration = modifyCircuit<ModifyCircuitMetricInput>(
  { name: MODIFY_CIRCUIT_METRIC, description: 'Give a circuit a new IGP metric, on both routers (in effect once the circuit is in normal mode)' },
  (circuit, input) => ({ ...circuit, igp_metric: input.igp_metric }),
)
