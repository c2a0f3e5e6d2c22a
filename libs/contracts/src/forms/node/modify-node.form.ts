import { escapeMarkdown } from '#domain/index.js'
import { type ModifyNodeInput, modifyNodeStartForm } from '#workflows/node/create-node.forms.js'
import { MODIFY_NODE } from '#workflows/names.js'
import type { StartForm } from '../start-form.js'

export const modifyNodeForm: StartForm<ModifyNodeInput> = {
  workflow: MODIFY_NODE,
  pages: [async (ctx) => modifyNodeStartForm(await ctx.liveSubscriptions('node', 'active'))],
  claims: () => [],
  subscriptions: (input) => [input.subscription_id],
  summary: (input) => `Modify node ${escapeMarkdown(input.subscription_id)}`,
}
