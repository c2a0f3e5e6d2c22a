import { escapeMarkdown } from '#domain/index.js'
import { TERMINATE_NODE } from '#workflows/names.js'
import { type TerminateNodeInput, terminateNodePage } from '#workflows/node/terminate-node.forms.js'
import { notInUse } from '../checks.js'
import type { StartForm } from '../start-form.js'

export const terminateNodeForm: StartForm<TerminateNodeInput> = {
  workflow: TERMINATE_NODE,
  pages: [async (ctx) => terminateNodePage(await ctx.liveSubscriptions('node', 'active'))],
  claims: () => [],
  subscriptions: (input) => [input.subscription_id],
  // Its ports keep it alive.
  check: (ctx, input) => notInUse(ctx, 'node', input.subscription_id),
  summary: (input) => `Terminate node ${escapeMarkdown(input.subscription_id)}`,
}
