// The circuit workflows' forms, declared once: the gateway serves them as JSON Schema and validates with them,
// and the workflows' Update validators apply the same answer schemas.
import { z } from 'zod'
import { MAINTENANCE_METRIC } from '#domain/config/index.js'
import { DEFAULT_IGP_METRIC } from '#domain/products/circuit/circuit.model.js'
import { PORT_SPEEDS } from '#domain/products/port/port.product.js'
import { type Choice, subscriptionChoice } from '../shared/forms.js'

export const igpMetric = z
  .number({ error: 'a whole number' })
  .int('a whole number')
  .min(1)
  .max(MAINTENANCE_METRIC - 1, `below ${MAINTENANCE_METRIC}, which is the maintenance metric`)

/** Page 1: the speed and the A-side node. */
export function createCircuitSideAPage(nodes: readonly Choice[], defaultCustomerId: string) {
  return z
    .object({
      speed: z.enum(PORT_SPEEDS, { error: `choose one of ${PORT_SPEEDS.join(', ')}` }).meta({ title: 'Speed' }),
      node_a: subscriptionChoice('A-side node', 'an active node', nodes),
      customer_id: z.string().trim().min(1, 'must not be empty').max(100).default(defaultCustomerId).meta({ title: 'Customer' }),
    })
    .strict()
    .meta({ title: 'Create circuit: the A side' })
}

/** Page 2: the B-side node, never the A side's. */
export function createCircuitSideBPage(nodes: readonly Choice[]) {
  return z
    .object({ node_b: subscriptionChoice('B-side node', 'an active node other than the A side', nodes) })
    .strict()
    .meta({ title: 'Create circuit: the B side' })
}

/** Page 3: a free port of the circuit's speed on each node, and the link's IGP metric. */
export function createCircuitPortsPage(portsA: readonly Choice[], portsB: readonly Choice[], speed: string) {
  return z
    .object({
      port_a: subscriptionChoice('A-side port', `a free ${speed} port of the A-side node`, portsA),
      port_b: subscriptionChoice('B-side port', `a free ${speed} port of the B-side node`, portsB),
      igp_metric: igpMetric.default(DEFAULT_IGP_METRIC).meta({ title: 'IGP metric (used once the circuit is in normal mode)' }),
    })
    .strict()
    .meta({ title: 'Create circuit: the ports' })
}

export type CreateCircuitInput = z.output<ReturnType<typeof createCircuitSideAPage>> &
  z.output<ReturnType<typeof createCircuitSideBPage>> &
  z.output<ReturnType<typeof createCircuitPortsPage>>

/** Answer to provide_config_to_user: both sides' configuration is on the routers. */
export const confirmCircuitConfigApplied = z
  .object({
    confirm_config_applied: z.literal(true, { error: 'confirm (true) once both sides are configured' }).meta({ title: 'Both configurations have been applied' }),
  })
  .strict()
  .meta({ title: 'Apply the configuration of both sides' })

/** Which circuit a modify or terminate workflow changes: a live one, by its description. */
export function circuitChoicePage<E extends z.ZodRawShape = Record<never, never>>(circuits: readonly Choice[], title: string, extra: E = {} as E) {
  return z
    .object({ subscription_id: subscriptionChoice('Circuit', 'an active circuit', circuits), ...extra })
    .strict()
    .meta({ title })
}

export const modifyCircuitModePage = (circuits: readonly Choice[]) =>
  circuitChoicePage(circuits, 'Modify circuit mode', { mode: z.enum(['maintenance', 'normal'], { error: 'choose maintenance or normal' }).meta({ title: 'Mode' }) })
export type ModifyCircuitModeInput = z.output<ReturnType<typeof modifyCircuitModePage>>

export const modifyCircuitMetricPage = (circuits: readonly Choice[]) => circuitChoicePage(circuits, 'Modify circuit metric', { igp_metric: igpMetric.meta({ title: 'IGP metric' }) })
export type ModifyCircuitMetricInput = z.output<ReturnType<typeof modifyCircuitMetricPage>>

export const terminateCircuitPage = (circuits: readonly Choice[]) => circuitChoicePage(circuits, 'Terminate circuit')
export type TerminateCircuitInput = z.output<ReturnType<typeof terminateCircuitPage>>

/** validate_circuit: any circuit that is not terminated. */
export const validateCircuitPage = (circuits: readonly Choice[]) =>
  z.object({ subscription_id: subscriptionChoice('Circuit', 'a circuit that can be validated', circuits) }).strict().meta({ title: 'Validate circuit' })
export type ValidateCircuitInput = z.output<ReturnType<typeof validateCircuitPage>>

/** Answer to the termination's manual step: both sides' circuit configuration is gone from the routers. */
export const confirmConfigRemoved = z
  .object({ confirm_config_removed: z.literal(true, { error: 'confirm (true) once both interfaces are cleared' }).meta({ title: 'Both configurations have been removed' }) })
  .strict()
  .meta({ title: 'Remove the circuit from both routers' })

