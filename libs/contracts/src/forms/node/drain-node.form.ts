import { escapeMarkdown } from '#domain/index.js'
import { PORT_SPEEDS } from '#domain/products/port/port.product.js'
import { circuitProductOf } from '#domain/products/circuit/circuit.model.js'
import { DRAIN_NODE, RESTORE_NODE } from '#workflows/names.js'
import { type DrainNodeInput, drainNodePage, type RestoreNodeInput, restoreNodePage } from '#workflows/node/drain-node.forms.js'
import type { StartCheckContext, StartForm } from '../start-form.js'

type FormPageSchema = Awaited<ReturnType<StartForm['pages'][number]>>

const CIRCUIT_PRODUCTS = PORT_SPEEDS.map(circuitProductOf)

/** The node's active circuits (users of its ports): locked with the node, so that no other change runs on one meanwhile. */
async function activeCircuitsOf(ctx: StartCheckContext, node: string): Promise<string[]> {
  const ports = await ctx.usersOf(node)
  const circuits = (await Promise.all(ports.map((p) => ctx.usersOf(p.id)))).flat()
  return [...new Set(circuits.filter((c) => c.lifecycle === 'active' && CIRCUIT_PRODUCTS.includes(c.product)).map((c) => c.id))]
}

/** A workflow on a node and all its active circuits: both locked at its start. */
function nodeWithCircuits<I extends { subscription_id: string }>(workflow: string, page: (nodes: { id: string; description: string }[]) => FormPageSchema, verb: string): StartForm<I> {
  return {
    workflow,
    pages: [async (ctx) => page(await ctx.liveSubscriptions('node', 'active'))],
    claims: () => [],
    subscriptions: (input) => [input.subscription_id],
    foundSubscriptions: (ctx, input) => activeCircuitsOf(ctx, input.subscription_id),
    summary: (input) => `${verb} node ${escapeMarkdown(input.subscription_id)}`,
  }
}

export const drainNodeForm = nodeWithCircuits<DrainNodeInput>(DRAIN_NODE, drainNodePage, 'Drain')

export const restoreNodeForm: StartForm<RestoreNodeInput> = {
  ...nodeWithCircuits<RestoreNodeInput>(RESTORE_NODE, restoreNodePage, 'Restore'),
  // Only what a drain did is undone: a node never drained, or restored since, has nothing to restore.
  check: async (ctx, input) => {
    const last = await ctx.lastCompleted(input.subscription_id, [DRAIN_NODE, RESTORE_NODE])
    if (last?.workflow === DRAIN_NODE) return []
    return [`node ${input.subscription_id} is not drained: ${last ? `process ${last.process_id} restored it at ${last.completed_at}` : 'no drain_node has completed on it'}`]
  },
}
