import { ApplicationFailure } from '@temporalio/activity'
import { SourceOfTruthError } from '../../integrations/src/errors.js'

/**
 * A refusal of a source of truth cannot be helped by retrying: the activity fails at once, its message kept.
 * One that did not answer is left to the activity's retry policy.
 */
export async function reported<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    if (error instanceof SourceOfTruthError && error.kind !== 'unavailable') throw ApplicationFailure.nonRetryable(error.message, error.name)
    throw error
  }
}
