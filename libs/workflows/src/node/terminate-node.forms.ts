// The terminate_node forms, declared once (gateway: JSON Schema and validation; workflow: the Update validator).
import { z } from 'zod'
import { type Choice, subscriptionChoice } from '../shared/forms.js'

export const terminateNodePage = (nodes: readonly Choice[]) =>
  z.object({ subscription_id: subscriptionChoice('Node', 'an active node', nodes) }).strict().meta({ title: 'Terminate node' })
export type TerminateNodeInput = z.output<ReturnType<typeof terminateNodePage>>

/** Answer to provide_config_to_user (the manual driver): Loom's configuration is gone from the router. */
export const confirmNodeConfigRemoved = z
  .object({
    confirm_config_removed: z.literal(true, { error: 'confirm (true) once the router runs the decommissioned configuration' }).meta({ title: 'The configuration has been removed' }),
  })
  .strict()
  .meta({ title: 'Remove Loom’s configuration from the router' })
