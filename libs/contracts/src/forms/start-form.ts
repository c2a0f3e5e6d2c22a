import type { z } from 'zod'

/** What a start form may ask the gateway to compute its choices: the sources of truth, never workflow code. */
export interface FormContext {
  /** names of planned DCIM devices that no process or subscription claims */
  freePlannedDevices(): Promise<string[]>
  /** subscriptions of a product that are not terminated (or are in `lifecycle`), by description */
  liveSubscriptions(product: string, lifecycle?: 'active'): Promise<{ id: string; description: string }[]>
  /** one subscription with its domain model; null when there is none */
  subscription(id: string): Promise<{ id: string; product: string; lifecycle: string; customer_id: string; domain_model: Record<string, unknown> } | null>
  /** active port subscriptions of `product` on `node` that no circuit (or process creating one) holds */
  freePorts(node: string, product: string): Promise<{ id: string; description: string }[]>
  /** a DCIM device's interfaces */
  interfaces(device: string): Promise<{ interface: string; speed_mbps: number; status: string; description: string }[]>
  /** the keys of a resource type that processes or subscriptions hold (e.g. dcim_interface `router:eth1`) */
  claimedKeys(resourceType: string): Promise<Set<string>>
  defaultCustomerId: string
}

/**
 * One page of a start form: its schema, built from the sources of truth and the (parsed) answers to the pages
 * before it — page 2 may offer the free ports of the node chosen on page 1.
 */
export type FormPage = (ctx: FormContext, answers: Record<string, unknown>) => Promise<z.ZodObject>

/** A subscription that uses another (refers to one of its blocks): what keeps the other from being terminated. */
export interface SubscriptionUser {
  id: string
  product: string
  lifecycle: string
  description: string
  /** where its model refers to the used subscription, e.g. circuit.side_a.port */
  path: string
}

/** A process that holds a resource claim (a create_circuit holds its ports from its start, before its circuit is stored). */
export interface ClaimHolder {
  process_id: string
  workflow: string
  subscription_id: string | null
}

/** A process that has locked a subscription. */
export interface LockHolder {
  process_id: string
  workflow: string
  target: string
}

/**
 * What a start check may read. It runs inside the transaction that records the process, after its claims and locks
 * are taken: what it reads cannot change under it unnoticed (a concurrent start that locks or claims the same
 * things waits, or is seen).
 */
export interface StartCheckContext {
  /** the live (not terminated) subscriptions that refer to `subscriptionId`, by id */
  usersOf(subscriptionId: string): Promise<SubscriptionUser[]>
  /** the process holding a claim on a resource, if any */
  claimHolder(resourceType: string, resourceKey: string): Promise<ClaimHolder | null>
  /** the process that has locked a subscription, if any; a start that is locking it meanwhile is waited for */
  lockHolder(subscriptionId: string): Promise<LockHolder | null>
  /** the last completed process of one of `workflows` that changed the subscription, if any */
  lastCompleted(subscriptionId: string, workflows: readonly string[]): Promise<{ process_id: string; workflow: string; completed_at: string } | null>
}

export interface ResourceClaim {
  resource_type: string
  resource_key: string
}

/** How the API starts a workflow: its form, the resources it must hold exclusively, and how it reads in lists. */
export interface StartForm<I = unknown> {
  workflow: string
  /** one or more pages; the input is what all of them parse to together */
  pages: FormPage[]
  /** taken atomically with the process row: a second process for the same resource gets a 409 */
  claims(input: I): ResourceClaim[]
  /**
   * The existing subscriptions the process changes (a modify, terminate or validate workflow): locked with the
   * process row, all or none, so that a second process on one of them gets a 409 naming the holder.
   */
  subscriptions?(input: I): string[]
  /**
   * Subscriptions the process also changes that only the stored relations name (every circuit of a node): found
   * and locked in the start transaction, after those of `subscriptions`, all or none — one lock set for the process
   * and its sub-processes, which borrow it.
   */
  foundSubscriptions?(ctx: StartCheckContext, input: I): Promise<string[]>
  /** the customer the process is for; absent: the customer of the first subscription it changes */
  customerId?(input: I): string
  /**
   * the product the process is for (search attribute LoomProduct), when the input decides it — create_port makes a
   * port_10g or a port_100g; absent: the product of the first subscription it changes, else the workflow's product
   */
  product?(input: I): string
  /** the workflow's staticSummary: Markdown that the Temporal Web UI renders, so every input value in it goes through escapeMarkdown */
  summary(input: I): string
  /**
   * Why the process may not start now although its form is valid — the state of other subscriptions forbids it
   * (a subscription to terminate is still used by live ones). Each reason names what stands in the way; any reason
   * refuses the start with a 409 and nothing is left behind. Runs in the start transaction (see StartCheckContext).
   */
  check?(ctx: StartCheckContext, input: I): Promise<string[]>
}
