import { escapeMarkdown } from '#domain/index.js'
import { CREATE_NODE } from '#workflows/names.js'
import { type CreateNodeInput, createNodeStartForm } from '#workflows/node/create-node.forms.js'
import type { StartForm } from '../start-form.js'

export const createNodeForm: StartForm<CreateNodeInput> = {
  workflow: CREATE_NODE,
  pages: [async (ctx) => createNodeStartForm(await ctx.freePlannedDevices(), ctx.defaultCustomerId)],
  claims: (input) => [{ resource_type: 'dcim_device', resource_key: input.router }],
  customerId: (input) => input.customer_id,
  summary: (input) => `Create node ${escapeMarkdown(input.router)} for customer ${escapeMarkdown(input.customer_id)}`,
}
