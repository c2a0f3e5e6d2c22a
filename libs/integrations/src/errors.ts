/**
 * A source of truth (IPAM, DCIM) or a device refused a request for a reason the caller can act on. `kind`
 * decides the HTTP status in the gateway and makes the failure non-retryable in an activity: retrying an
 * exhausted pool or an unknown device cannot help.
 */
export class SourceOfTruthError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'exhausted' | 'invalid',
    message: string,
  ) {
    super(message)
    this.name = SOURCE_OF_TRUTH_ERROR_TYPES[kind]
  }
}

/** The error names activities report to Temporal (non-retryable). */
export const SOURCE_OF_TRUTH_ERROR_TYPES = {
  not_found: 'NotFound',
  conflict: 'Conflict',
  exhausted: 'Exhausted',
  invalid: 'InvalidRequest',
} as const

export const notFound = (message: string) => new SourceOfTruthError('not_found', message)
export const conflict = (message: string) => new SourceOfTruthError('conflict', message)
export const invalid = (message: string) => new SourceOfTruthError('invalid', message)
