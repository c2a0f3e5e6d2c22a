import type { z } from 'zod'

/** What a start form may ask the gateway to compute its choices: the sources of truth, never workflow code. */
export interface FormContext {
  /** names of planned DCIM devices that no process or subscription claims */
  freePlannedDevices(): Promise<string[]>
  /** subscriptions of a product that are not terminated, by description */
  liveSubscriptions(product: string): Promise<{ id: string; description: string }[]>
  defaultCustomerId: string
}

export interface ResourceClaim {
  resource_type: string
  resource_key: string
}

/** How the API starts a workflow: its form, the resources it must hold exclusively, and how it reads in lists. */
export interface StartForm<I = unknown> {
  workflow: string
  schema(ctx: FormContext): Promise<z.ZodType<I>>
  /** taken atomically with the process row: a second process for the same resource gets a 409 */
  claims(input: I): ResourceClaim[]
  /**
   * The existing subscriptions the process changes (a modify, terminate or validate workflow): locked with the
   * process row, all or none, so that a second process on one of them gets a 409 naming the holder.
   */
  subscriptions?(input: I): string[]
  /** the customer the process is for; absent: the customer of the first subscription it changes */
  customerId?(input: I): string
  summary(input: I): string
}
