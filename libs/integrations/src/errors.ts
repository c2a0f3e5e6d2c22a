/**
 * A source of truth (IPAM, DCIM) or a device refused a request for a reason the caller can act on. `kind`
 * decides the HTTP status in the gateway and whether an activity retries: an exhausted pool or an unknown
 * device fails at once, a source that does not answer (`unavailable`) is tried again.
 */
export class SourceOfTruthError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'exhausted' | 'invalid' | 'unavailable',
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
  unavailable: 'Unavailable',
} as const

export const notFound = (message: string) => new SourceOfTruthError('not_found', message)
export const conflict = (message: string) => new SourceOfTruthError('conflict', message)
export const invalid = (message: string) => new SourceOfTruthError('invalid', message)
