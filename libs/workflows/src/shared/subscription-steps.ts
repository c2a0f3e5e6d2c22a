// Steps and compensations every product's workflows share: they act on the subscription, not on a product.
import type { Claim, SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import type { Flow, StepEnv } from '../engine/declaration.js'

type Act = Pick<ActivityInterface<SubscriptionActivities>, 'setLifecycle' | 'storeProcessSubscription'>

/** The inverse of store_process_subscription in a create workflow: the subscription that never went live is terminated (its claims go when the process ends). */
export const terminateNewSubscription = {
  label: 'Terminate the subscription that never went live',
  run: (s: { subscription_id: string }, { act, step }: StepEnv<Pick<Act, 'setLifecycle'>>) => act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'terminated' }),
} as const

/** What a create workflow's new subscription is, from the state at the step that stores it. */
export interface NewSubscriptionOf {
  product: string
  description: string
  domain_model: Record<string, unknown>
  /** the resources it holds while it lives (a device, an interface, ports) */
  claims: Claim[]
}

/**
 * The seed's store_process_subscription, for any create workflow: the subscription in lifecycle initial, for the
 * customer of the start form, holding its claims; terminated again if the process is aborted.
 */
export function storeProcessSubscription<S extends { subscription_id: string; input: { customer_id: string } }, A extends Act>(of: (state: S) => NewSubscriptionOf) {
  return (flow: Flow<S, A>) =>
    flow.step(
      'store_process_subscription',
      'Store the subscription (lifecycle initial)',
      async (s, { act, step }) => {
        const { claims, ...subscription } = of(s)
        await act.storeProcessSubscription({ ...step, subscription: { id: s.subscription_id, customer_id: s.input.customer_id, ...subscription }, claims })
        return { lifecycle: 'initial' as const }
      },
      { compensate: terminateNewSubscription, local: true },
    )
}

/**
 * The terminate workflows' set_status_terminated: the subscription ends (end_date set; what it used is offered
 * again). Their point of no return — an abort after it (a hook that suspends) undoes nothing before it.
 */
export function setStatusTerminated<S extends { subscription_id: string }, A extends Pick<Act, 'setLifecycle'>>(label: string) {
  return (flow: Flow<S, A>) =>
    flow.step(
      'set_status_terminated',
      label,
      async (s, { act, step }) => {
        await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'terminated' })
        return { lifecycle: 'terminated' as const }
      },
      { irreversible: true, local: true },
    )
}
