import { ApplicationFailure } from '@temporalio/workflow'

/** A step throws this (from workflow code or an activity) to end the process `failed`: a business outcome, not an error to retry. */
export const PROCESS_FAILED = 'ProcessFailed'

export function failProcess(message: string): never {
  throw ApplicationFailure.nonRetryable(message, PROCESS_FAILED)
}
