// Form fields every product's forms share.
import { z } from 'zod'

export interface Choice {
  id: string
  description: string
}

/** A field that takes one of `choices` by id, each shown with its description; `what` names the kind in errors. */
export function subscriptionChoice(title: string, what: string, choices: readonly Choice[]) {
  const ids = choices.map((c) => c.id)
  return z
    .string({ error: `choose ${what}` })
    .refine((id) => ids.includes(id), {
      error: (issue) => `${JSON.stringify(issue.input)} is not ${what}; choose one of: ${choices.map((c) => `${c.id} (${c.description})`).join(', ') || '(none)'}`,
    })
    .meta({ title, oneOf: choices.map((c) => ({ const: c.id, title: c.description })) })
}
