import { proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { Outcome, TaskActivities } from '#activities/tasks/task.activities.js'
import type { ActivityInterface } from '../engine/activity-interface.js'

const { startScheduledProcess } = proxyActivities<ActivityInterface<TaskActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
})

export interface ScheduledTaskArgs {
  schedule_id: string
  workflow: string
  input: Record<string, unknown>
  /** who created the schedule: its runs act for them (and they may not approve what those start) */
  created_by?: string
  /** the tenant its runs start processes in; absent on schedules made before tenancy (`default`) */
  tenant_id?: string
  /** the gateway's signature of workflow, input, created_by and tenant_id: a run whose arguments it did not sign starts nothing */
  signature?: string
}

/**
 * What a Temporal Schedule fires: starts the scheduled workflow through Loom's API, so that a scheduled process
 * is checked, locked and logged like any other (created_by `schedule:<id>`). Not a process itself.
 */
export async function runScheduledTask(args: ScheduledTaskArgs): Promise<Outcome> {
  return startScheduledProcess({ ...args, fire_id: workflowInfo().workflowId })
}
