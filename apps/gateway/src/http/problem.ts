import { HttpException, HttpStatus } from '@nestjs/common'
import type { FieldErrorDto, ProblemDto } from '#contracts/index.js'
import type { DatabaseTrouble } from '#persistence/index.js'

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['validation-failed', 'Validation failed'],
  429: ['too-many-requests', 'Too many requests'],
  500: ['internal-error', 'Internal server error'],
  503: ['service-unavailable', 'Service unavailable'],
}

export function problem(status: number, detail: string, errors?: FieldErrorDto[]): ProblemDto {
  const [slug, title] = TITLES[status] ?? [`http-${status}`, HttpStatus[status]?.toLowerCase().replaceAll('_', ' ') ?? 'Error']
  return { type: `urn:loom:problem:${slug}`, title, status, detail, ...(errors ? { errors } : {}) }
}

/**
 * Seconds a client should wait before it tries a 503 again (the Retry-After header): a busy database is a burst
 * that passes in moments; a dependency that is down, or a stopped engine, takes longer.
 */
const RETRY_AFTER_S = { database_busy: 2, unavailable: 5 } as const

/** How the OpenAPI document describes the header on a 503. */
export const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'seconds to wait before sending the request again', schema: { type: 'integer', example: 2 } } }

const DATABASE_PROBLEMS: Record<DatabaseTrouble['kind'], [slug: string, title: string, said: string]> = {
  busy: ['database-busy', 'Database busy', 'The database is busy'],
  unavailable: ['database-unavailable', 'Database unavailable', 'The database is unavailable'],
}

/** A 503 naming the database as busy or unavailable, and why; the request can be sent again as it was. */
export function databaseProblem(trouble: DatabaseTrouble): ProblemDto {
  const [slug, title, said] = DATABASE_PROBLEMS[trouble.kind]
  const wait = trouble.kind === 'busy' ? RETRY_AFTER_S.database_busy : RETRY_AFTER_S.unavailable
  return { type: `urn:loom:problem:${slug}`, title, status: 503, detail: `${said}: ${trouble.reason}. Try again in ${wait} s.` }
}

/** The Retry-After of a 503 problem. */
export function retryAfterOf(body: ProblemDto): number {
  return body.type === 'urn:loom:problem:database-busy' ? RETRY_AFTER_S.database_busy : RETRY_AFTER_S.unavailable
}

/** The detail of the problem each response answered with, for the audit log to record why it refused. */
export const answeredProblems = new WeakMap<object, string>()

/** A 4xx whose body lists the fields at fault. */
export class FieldErrorsException extends HttpException {
  constructor(
    status: 400 | 422,
    readonly errors: FieldErrorDto[],
    where: string,
  ) {
    super(`The ${where} has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.path).join(', ')}.`, status)
  }
}
