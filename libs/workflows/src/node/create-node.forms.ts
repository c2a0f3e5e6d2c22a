// The create_node forms, declared once: the gateway serves them as JSON Schema and validates with them,
// and the workflow's Update validator applies the same answer schema.
import { z } from 'zod'

/** Start form. `routers` are the planned DCIM devices no process or subscription holds yet. */
export function createNodeStartForm(routers: readonly string[], defaultCustomerId: string) {
  return z
    .object({
      router: z
        .string({ error: 'choose a router' })
        .refine((r) => routers.includes(r), {
          error: (issue) => `${JSON.stringify(issue.input)} is not a planned router that is free to enrol; choose one of: ${routers.join(', ') || '(none)'}`,
        })
        .meta({ title: 'Router', enum: [...routers] }),
      customer_id: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(100)
        .default(defaultCustomerId)
        .meta({ title: 'Customer' }),
    })
    .strict()
    .meta({ title: 'Create node' })
}

export type CreateNodeInput = z.output<ReturnType<typeof createNodeStartForm>>

/** Answer to provide_config_to_user: the person confirms the configuration is on the router. */
export const confirmConfigApplied = z
  .object({
    confirm_config_applied: z.literal(true, { error: 'confirm (true) once the configuration has been applied to the router' }).meta({
      title: 'The configuration has been applied',
    }),
  })
  .strict()
  .meta({ title: 'Apply the configuration' })

const DOTTED_AREA = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/

/** modify_node: a live node, and what changes — its description, its IGP area (at least one). */
export function modifyNodeStartForm(nodes: readonly { id: string; description: string }[]) {
  const ids = nodes.map((n) => n.id)
  return z
    .object({
      subscription_id: z
        .string({ error: 'choose a node' })
        .refine((id) => ids.includes(id), { error: (issue) => `${JSON.stringify(issue.input)} is not an active node` })
        .meta({ title: 'Node', oneOf: nodes.map((n) => ({ const: n.id, title: n.description })) }),
      description: z.string().trim().min(1, 'must not be empty').max(200).optional().meta({ title: 'Description' }),
      igp_area: z.string().regex(DOTTED_AREA, 'must be a dotted OSPF area, like 0.0.0.0').optional().meta({ title: 'IGP area of the loopback' }),
    })
    .strict()
    .refine((i) => i.description !== undefined || i.igp_area !== undefined, { error: 'change the description, the IGP area, or both', path: ['description'] })
    .meta({ title: 'Modify node' })
}

export type ModifyNodeInput = z.output<ReturnType<typeof modifyNodeStartForm>>
