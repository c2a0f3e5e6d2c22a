import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker'
import type { ProcessActivities, StepRecord } from '#activities/processes/process.activities.js'
import { PENDING_LOG } from '#workflows/engine/messages.js'

/**
 * Writes the process-log entries an activity call carries (the engine's step records since its last call)
 * before the activity runs, and hands the activity its arguments without them. Writing the log this way costs
 * no workflow task of its own; a retried activity writes them again, which changes nothing.
 */
export function stepLogInterceptor(processes: ProcessActivities): () => { inbound: ActivityInboundCallsInterceptor } {
  return () => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        const [first, ...rest] = input.args as [Record<string, unknown> | undefined, ...unknown[]]
        if (!first || typeof first !== 'object' || !(PENDING_LOG in first)) return next(input)
        const { [PENDING_LOG]: records, ...args } = first
        await processes.recordSteps(records as StepRecord[])
        return next({ ...input, args: [args, ...rest] })
      },
    },
  })
}
