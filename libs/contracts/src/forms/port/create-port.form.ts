import { escapeMarkdown } from '#domain/index.js'
import { CREATE_PORT } from '#workflows/names.js'
import { portProductOf } from '#domain/products/port/port.product.js'
import { type CreatePortInput, createPortInterfacePage, createPortNodePage } from '#workflows/port/create-port.forms.js'
import { notBeingTerminated } from '../checks.js'
import type { StartForm } from '../start-form.js'

const SPEED_MBPS: Record<string, number> = { '10G': 10_000, '100G': 100_000 }

export const createPortForm: StartForm<CreatePortInput> = {
  workflow: CREATE_PORT,
  pages: [
    async (ctx) => createPortNodePage(await ctx.liveSubscriptions('node'), ctx.defaultCustomerId),
    async (ctx, answers) => {
      const node = await ctx.subscription(String(answers.node))
      const device = String((node?.domain_model.node as { device_name?: string } | undefined)?.device_name)
      const [interfaces, held] = await Promise.all([ctx.interfaces(device), ctx.claimedKeys('dcim_interface')])
      const free = interfaces.filter((i) => i.status === 'planned' && i.speed_mbps === SPEED_MBPS[String(answers.speed)] && !held.has(`${device}:${i.interface}`)).map((i) => i.interface)
      return createPortInterfacePage(device, free)
    },
  ],
  claims: () => [],
  // A node that a process is terminating gets no new port.
  check: (ctx, input) => notBeingTerminated(ctx, [{ what: 'node', id: input.node }]),
  customerId: (input) => input.customer_id,
  product: (input) => portProductOf(input.speed),
  summary: (input) => `Create port ${escapeMarkdown(input.port_name)} (${escapeMarkdown(input.speed)}) on node ${escapeMarkdown(input.node)}`,
}
