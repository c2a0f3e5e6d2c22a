import { escapeMarkdown } from '#domain/index.js'
import { PORT_SPEEDS } from '#domain/products/port/port.product.js'
import { circuitProductOf } from '#domain/products/circuit/circuit.model.js'
import {
  type ModifyCircuitMetricInput,
  modifyCircuitMetricPage,
  type ModifyCircuitModeInput,
  modifyCircuitModePage,
  type TerminateCircuitInput,
  terminateCircuitPage,
  type ValidateCircuitInput,
  validateCircuitPage,
} from '#workflows/circuit/circuit.forms.js'
import { MODIFY_CIRCUIT_METRIC, MODIFY_CIRCUIT_MODE, TERMINATE_CIRCUIT, VALIDATE_CIRCUIT } from '#workflows/names.js'
import type { FormContext, StartForm } from '../start-form.js'

/** Active circuits of every speed (or, without `lifecycle`, every one not terminated). */
const activeCircuits = async (ctx: FormContext, lifecycle: 'active' | undefined = 'active') =>
  (await Promise.all(PORT_SPEEDS.map((speed) => ctx.liveSubscriptions(circuitProductOf(speed), lifecycle)))).flat()

/** A workflow that changes one live circuit: locked with the process, so a second change on it is a 409. */
function circuitChange<I extends { subscription_id: string }>(workflow: string, page: (circuits: Awaited<ReturnType<typeof activeCircuits>>) => unknown, summary: (input: I) => string): StartForm<I> {
  return {
    workflow,
    pages: [async (ctx) => page(await activeCircuits(ctx)) as Awaited<ReturnType<StartForm['pages'][number]>>],
    claims: () => [],
    subscriptions: (input) => [input.subscription_id],
    summary,
  }
}

export const modifyCircuitModeForm = circuitChange<ModifyCircuitModeInput>(MODIFY_CIRCUIT_MODE, modifyCircuitModePage, (i) => `Circuit ${escapeMarkdown(i.subscription_id)} to ${escapeMarkdown(i.mode)} mode`)
export const modifyCircuitMetricForm = circuitChange<ModifyCircuitMetricInput>(MODIFY_CIRCUIT_METRIC, modifyCircuitMetricPage, (i) => `Circuit ${escapeMarkdown(i.subscription_id)}: IGP metric ${escapeMarkdown(String(i.igp_metric))}`)
export const terminateCircuitForm = circuitChange<TerminateCircuitInput>(TERMINATE_CIRCUIT, terminateCircuitPage, (i) => `Terminate circuit ${escapeMarkdown(i.subscription_id)}`)

export const validateCircuitForm: StartForm<ValidateCircuitInput> = {
  workflow: VALIDATE_CIRCUIT,
  pages: [async (ctx) => validateCircuitPage(await activeCircuits(ctx, undefined))],
  claims: () => [],
  subscriptions: (input) => [input.subscription_id],
  summary: (input) => `Validate circuit subscription ${escapeMarkdown(input.subscription_id)}`,
}
