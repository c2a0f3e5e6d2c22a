import { proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { DatabaseCheck, SystemActivities } from '#activities/system/system.activities.js'
import type { ActivityInterface } from '../engine/activity-interface.js'

const { checkDatabase } = proxyActivities<ActivityInterface<SystemActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '200 ms' },
})

export interface SystemPingResult extends DatabaseCheck {
  workflow_id: string
}

/** One activity that reaches the database: proves gateway → Temporal → worker → PostgreSQL. */
export async function systemPing(): Promise<SystemPingResult> {
  const check = await checkDatabase()
  return { ...check, workflow_id: workflowInfo().workflowId }
}
