// The forms of the workflows that act on a live port (terminate_port, validate_port), declared once: the gateway
// serves and checks them, and the workflow's Update validator applies the answer schema.
import { z } from 'zod'
import { type Choice, subscriptionChoice } from '../shared/forms.js'

export const terminatePortPage = (ports: readonly Choice[]) =>
  z.object({ subscription_id: subscriptionChoice('Port', 'an active port', ports) }).strict().meta({ title: 'Terminate port' })
export type TerminatePortInput = z.output<ReturnType<typeof terminatePortPage>>

export const validatePortPage = (ports: readonly Choice[]) =>
  z.object({ subscription_id: subscriptionChoice('Port', 'a port that can be validated', ports) }).strict().meta({ title: 'Validate port' })
export type ValidatePortInput = z.output<ReturnType<typeof validatePortPage>>

/** Answer to terminate_port's manual step: the cable left on the interface is gone from the router. */
export const confirmCableRemoved = z
  .object({ confirm_cable_removed: z.literal(true, { error: 'confirm (true) once the cable is unplugged' }).meta({ title: 'The cable has been removed' }) })
  .strict()
  .meta({ title: 'Remove the cable from the interface' })
