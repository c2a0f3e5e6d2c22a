import { escapeMarkdown } from '#domain/index.js'
import { circuitProductOf } from '#domain/products/circuit/circuit.model.js'
import { portProductOf } from '#domain/products/port/port.product.js'
import { type CreateCircuitInput, createCircuitPortsPage, createCircuitSideAPage, createCircuitSideBPage } from '#workflows/circuit/circuit.forms.js'
import { CREATE_CIRCUIT } from '#workflows/names.js'
import { notBeingTerminated } from '../checks.js'
import type { FormContext, StartForm } from '../start-form.js'

/** Nodes a circuit can join: active ones (a node still being enrolled has no configuration to add a link to). */
const activeNodes = (ctx: FormContext) => ctx.liveSubscriptions('node', 'active')

export const createCircuitForm: StartForm<CreateCircuitInput> = {
  workflow: CREATE_CIRCUIT,
  pages: [
    async (ctx) => createCircuitSideAPage(await activeNodes(ctx), ctx.defaultCustomerId),
    async (ctx, answers) => createCircuitSideBPage((await activeNodes(ctx)).filter((n) => n.id !== answers.node_a)),
    async (ctx, answers) => {
      const product = portProductOf(answers.speed as CreateCircuitInput['speed'])
      const [a, b] = await Promise.all([ctx.freePorts(String(answers.node_a), product), ctx.freePorts(String(answers.node_b), product)])
      return createCircuitPortsPage(a, b, String(answers.speed))
    },
  ],
  // Held from the start, so that two circuits never race for one port; the circuit keeps them while it lives.
  claims: (input) => [input.port_a, input.port_b].map((port) => ({ resource_type: 'port_subscription', resource_key: port })),
  // A port (or its node) that a process is terminating is not to be built on.
  check: (ctx, input) =>
    notBeingTerminated(ctx, [
      { what: 'port', id: input.port_a },
      { what: 'port', id: input.port_b },
      { what: 'node', id: input.node_a },
      { what: 'node', id: input.node_b },
    ]),
  customerId: (input) => input.customer_id,
  product: (input) => circuitProductOf(input.speed),
  summary: (input) => `Create circuit (${escapeMarkdown(input.speed)}) between node ${escapeMarkdown(input.node_a)} and node ${escapeMarkdown(input.node_b)}`,
}
