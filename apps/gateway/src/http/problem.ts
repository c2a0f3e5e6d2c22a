import { HttpException, HttpStatus } from '@nestjs/common'
import type { FieldErrorDto, ProblemDto } from '../../../../libs/contracts/src/index.js'

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['bad-request', 'Bad request'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['validation-failed', 'Validation failed'],
  500: ['internal-error', 'Internal server error'],
  503: ['service-unavailable', 'Service unavailable'],
}

export function problem(status: number, detail: string, errors?: FieldErrorDto[]): ProblemDto {
  const [slug, title] = TITLES[status] ?? [`http-${status}`, HttpStatus[status]?.toLowerCase().replaceAll('_', ' ') ?? 'Error']
  return { type: `urn:loom:problem:${slug}`, title, status, detail, ...(errors ? { errors } : {}) }
}

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
