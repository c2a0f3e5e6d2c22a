// Tasks: SYSTEM workflows bound to no subscription, that act on many processes through Loom's own API.
import type { TaskActivities } from '#activities/tasks/task.activities.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { TASK_RESUME_ALL, TASK_VALIDATE_SUBSCRIPTIONS } from '../names.js'

type Act = ActivityInterface<TaskActivities>

export const resumeAllDeclaration = declareWorkflow(
  { name: TASK_RESUME_ALL, target: 'SYSTEM', product: null, description: 'Retry the failed step of every suspended process (after the cause was fixed, e.g. a source of truth back up)' },
  processFlow<Record<string, never>, Act>()
    .step('find_suspended_processes', 'Find the suspended processes', async (_s, { act, step }) => act.findSuspendedProcesses(step))
    .step('resume_processes', 'Retry each (PUT /api/processes/{id}/resume)', async (s, { act, step }) => act.resumeProcesses({ ...step, process_ids: s.process_ids }), {
      // Each process is one API call; hundreds take a while.
      activity: { startToCloseTimeout: '30 minutes' },
    }),
  (s) => ({ resumed: s.resumed }),
)

export const validateSubscriptionsDeclaration = declareWorkflow(
  {
    name: TASK_VALIDATE_SUBSCRIPTIONS,
    target: 'SYSTEM',
    product: null,
    description: 'Start the validate workflow of every active subscription whose product has one; subscriptions held by another process are reported',
  },
  processFlow<Record<string, never>, Act>()
    .step('find_subscriptions', 'Find the active subscriptions with a validate workflow', async (_s, { act, step }) => act.findSubscriptionsToValidate(step))
    .step('start_validations', 'Start a validate process for each', async (s, { act, step }) => act.startValidations({ ...step, subscriptions: s.subscriptions }), {
      activity: { startToCloseTimeout: '30 minutes' },
    }),
  (s) => ({ started: s.started }),
)
