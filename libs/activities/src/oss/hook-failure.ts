import { ApplicationFailure } from '@temporalio/activity'
import { HookError } from '#integrations/hooks/hook-error.js'
import { SourceOfTruthError } from '#integrations/errors.js'

/**
 * A hook's error as Temporal should see it: what retrying can help (the other system did not answer, or answered
 * 5xx) is left to the step's retry policy; a refusal, a bad template or a missing setting fails the step at once,
 * named (the process is suspended: fix the cause, then PUT /resume {}).
 */
export async function hookCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof HookError) {
      throw error.retryable ? ApplicationFailure.retryable(error.message, error.type) : ApplicationFailure.nonRetryable(error.message, error.type)
    }
    if (error instanceof SourceOfTruthError) {
      throw error.kind === 'unavailable' ? ApplicationFailure.retryable(error.message, error.name) : ApplicationFailure.nonRetryable(error.message, error.name)
    }
    throw error
  }
}
