// The create_port start form, two pages declared once: pick a node (and the port's speed), then one of that
// node's free interfaces of that speed. The gateway computes the choices; the workflow never does.
import { z } from 'zod'
import { PORT_SPEEDS } from '#domain/products/port/port.product.js'

export function createPortNodePage(nodes: readonly { id: string; description: string }[], defaultCustomerId: string) {
  const ids = nodes.map((n) => n.id)
  return z
    .object({
      node: z
        .string({ error: 'choose a node' })
        .refine((id) => ids.includes(id), { error: (issue) => `${JSON.stringify(issue.input)} is not a live node subscription` })
        .meta({ title: 'Node', oneOf: nodes.map((n) => ({ const: n.id, title: n.description })) }),
      speed: z.enum(PORT_SPEEDS, { error: `choose one of ${PORT_SPEEDS.join(', ')}` }).meta({ title: 'Speed' }),
      customer_id: z.string().trim().min(1, 'must not be empty').max(100).default(defaultCustomerId).meta({ title: 'Customer' }),
    })
    .strict()
    .meta({ title: 'Create port: the node' })
}

/** `free` are the interfaces of the chosen node's device at the chosen speed that nothing holds yet. */
export function createPortInterfacePage(device: string, free: readonly string[]) {
  return z
    .object({
      port_name: z
        .string({ error: 'choose an interface' })
        .refine((p) => free.includes(p), {
          error: (issue) => `${JSON.stringify(issue.input)} is not a free interface of ${device} at that speed; choose one of: ${free.join(', ') || '(none)'}`,
        })
        .meta({ title: 'Interface', enum: [...free] }),
      port_description: z.string().trim().min(1, 'must not be empty').max(200).meta({ title: 'Description (pushed to the device)' }),
    })
    .strict()
    .meta({ title: `Create port: an interface of ${device}` })
}

export type CreatePortInput = z.output<ReturnType<typeof createPortNodePage>> & z.output<ReturnType<typeof createPortInterfacePage>>
