import { escapeMarkdown } from '#domain/index.js'
import { VALIDATE_NODE } from '#workflows/names.js'
import { type ValidateNodeInput, validateNodeStartForm } from '#workflows/node/validate-node.forms.js'
import type { StartForm } from '../start-form.js'

export const validateNodeForm: StartForm<ValidateNodeInput> = {
  workflow: VALIDATE_NODE,
  pages: [async (ctx) => validateNodeStartForm(await ctx.liveSubscriptions('node'))],
  claims: () => [],
  subscriptions: (input) => [input.subscription_id],
  summary: (input) => `Validate node subscription ${escapeMarkdown(input.subscription_id)}`,
}
