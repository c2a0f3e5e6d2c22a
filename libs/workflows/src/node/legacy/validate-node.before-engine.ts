// How validate_node ran before the step engine, kept so that processes started then replay (its recorded histories
// do). Reached only through patched() in the workflow; delete once no such process can still be running.
import { ApplicationFailure, proxyActivities, TemporalFailure, workflowInfo } from '@temporalio/workflow'
import type { NodeValidationActivities } from '#activities/node/node-validation.activities.js'
import type { ProcessActivities } from '#activities/processes/process.activities.js'
import type { ActivityInterface } from '../../engine/activity-interface.js'
import { ProcessRun } from '../../engine/legacy/process-run.js'
import type { ProcessArgs } from '../../engine/declaration.js'
import type { ValidateNodeInput } from '../validate-node.forms.js'

const act = proxyActivities<ActivityInterface<NodeValidationActivities> & ActivityInterface<ProcessActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['DomainError', 'NotFound'] },
})

/**
 * The seed's validate workflow for a node: the gateway locked the subscription at start; it ends in sync when
 * the sources of truth agree with it, and out of sync — the process failed, naming each disagreement — when not.
 */
export async function validateNodeBeforeEngine(args: ProcessArgs<ValidateNodeInput>): Promise<{ problems: string[] }> {
  const run = new ProcessRun(workflowInfo().workflowId, { name: 'validate_node', steps: [{ name: 'check_sources_of_truth', label: 'Compare the node with DCIM and IPAM' }] })
  try {
    const { problems } = await act.validateNode({ ...run.enter('check_sources_of_truth'), subscription_id: args.input.subscription_id })
    if (problems.length) throw ApplicationFailure.nonRetryable(`node ${args.input.subscription_id} is out of sync: ${problems.join('; ')}`, 'OutOfSync')
    await act.finishProcess({ process_id: run.processId, status: 'completed' })
    return { problems }
  } catch (error) {
    const failure = error instanceof TemporalFailure ? error : ApplicationFailure.nonRetryable((error as Error).message, (error as Error).name)
    await act.finishProcess({ process_id: run.processId, status: 'failed', failure: { message: failure.message } })
    throw failure
  }
}
