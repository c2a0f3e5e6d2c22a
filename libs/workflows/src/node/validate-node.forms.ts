// The validate_node start form, declared once (gateway: JSON Schema and validation).
import { z } from 'zod'

/** `nodes` are the node subscriptions that can be validated (not terminated), by id with their description. */
export function validateNodeStartForm(nodes: readonly { id: string; description: string }[]) {
  const ids = nodes.map((n) => n.id)
  return z
    .object({
      subscription_id: z
        .string({ error: 'choose a node subscription' })
        .refine((id) => ids.includes(id), {
          error: (issue) => `${JSON.stringify(issue.input)} is not a node subscription that can be validated`,
        })
        .meta({ title: 'Node', oneOf: nodes.map((n) => ({ const: n.id, title: n.description })) }),
    })
    .strict()
    .meta({ title: 'Validate node' })
}

export type ValidateNodeInput = z.output<ReturnType<typeof validateNodeStartForm>>
