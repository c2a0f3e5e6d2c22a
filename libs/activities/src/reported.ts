import { ApplicationFailure } from '@temporalio/activity'
import { DeviceError } from '#integrations/devices/driver.js'
import { SourceOfTruthError } from '#integrations/errors.js'

/**
 * A refusal of a source of truth or a device (a conflict, a refused configuration, a failed check) cannot be
 * helped by retrying: the activity fails at once, its message kept. One that did not answer (unavailable,
 * unreachable) is left to the activity's retry policy.
 */
export async function reported<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    const refused = (error instanceof SourceOfTruthError && error.kind !== 'unavailable') || (error instanceof DeviceError && error.kind !== 'unreachable')
    if (refused) throw ApplicationFailure.nonRetryable((error as Error).message, (error as Error).name)
    throw error
  }
}
