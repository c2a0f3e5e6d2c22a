import { escapeMarkdown } from '#domain/index.js'
import { PORT_SPEEDS, portProductOf } from '#domain/products/port/port.product.js'
import { TERMINATE_PORT, VALIDATE_PORT } from '#workflows/names.js'
import { type TerminatePortInput, terminatePortPage, type ValidatePortInput, validatePortPage } from '#workflows/port/port-change.forms.js'
import { notInUse } from '../checks.js'
import type { FormContext, StartForm } from '../start-form.js'

/** Ports of every speed: active ones, or every one not terminated. */
const ports = async (ctx: FormContext, lifecycle?: 'active') => (await Promise.all(PORT_SPEEDS.map((speed) => ctx.liveSubscriptions(portProductOf(speed), lifecycle)))).flat()

export const terminatePortForm: StartForm<TerminatePortInput> = {
  workflow: TERMINATE_PORT,
  pages: [async (ctx) => terminatePortPage(await ports(ctx, 'active'))],
  claims: () => [],
  subscriptions: (input) => [input.subscription_id],
  // A circuit on it (or a create_circuit that holds it) keeps it alive.
  check: (ctx, input) => notInUse(ctx, 'port', input.subscription_id, { resource_type: 'port_subscription' }),
  summary: (input) => `Terminate port ${escapeMarkdown(input.subscription_id)}`,
}

export const validatePortForm: StartForm<ValidatePortInput> = {
  workflow: VALIDATE_PORT,
  pages: [async (ctx) => validatePortPage(await ports(ctx))],
  claims: () => [],
  subscriptions: (input) => [input.subscription_id],
  summary: (input) => `Validate port subscription ${escapeMarkdown(input.subscription_id)}`,
}
