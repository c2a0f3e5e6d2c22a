// Steps and compensations every product's workflows share: they act on the subscription, not on a product.
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import type { StepEnv } from '../engine/declaration.js'

type Act = Pick<ActivityInterface<SubscriptionActivities>, 'setLifecycle'>

/** The inverse of store_process_subscription in a create workflow: the subscription that never went live is terminated (its claims go when the process ends). */
export const terminateNewSubscription = {
  label: 'Terminate the subscription that never went live',
  run: (s: { subscription_id: string }, { act, step }: StepEnv<Act>) => act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'terminated' }),
} as const
