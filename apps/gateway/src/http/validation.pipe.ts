import { type ArgumentMetadata, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common'
import type { FieldErrorDto } from '#contracts/index.js'
import { unstorable } from './input-hygiene.js'
import { undeclaredNulls } from './validator-schema.js'
import { FieldErrorsException } from './problem.js'

/** What class-validator found, before we know whether it was in the body (422) or the query/path (400). */
class InvalidFields extends Error {
  constructor(readonly errors: FieldErrorDto[]) {
    super('invalid fields')
  }
}

/**
 * class-validator on every DTO, answering in DESIGN's terms: a body that fails validation is 422,
 * a bad query or path parameter is 400; both list {path, message} per field. Unknown fields are refused.
 * One instance serves concurrent requests, so nothing per request is kept on it.
 */
@Injectable()
export class LoomValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: (errors: ValidationError[]) => new InvalidFields(flatten(errors)) })
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const unfit = unstorable(value, metadata.type === 'body' ? '' : (metadata.data ?? ''))
      if (unfit.length) throw new FieldErrorsException(400, unfit, { body: 'request body', query: 'query string', param: 'path' }[metadata.type])
    }
    try {
      const valid: unknown = await super.transform(value ?? (metadata.type === 'body' ? {} : value), metadata)
      // @IsOptional lets null through; only a field the document declares nullable takes it.
      const nulls = metadata.type === 'body' ? undeclaredNulls(valid) : []
      if (nulls.length) throw new InvalidFields(nulls.map((path) => ({ path, message: `${path} must not be null (leave it out instead)` })))
      return valid
    } catch (error) {
      if (!(error instanceof InvalidFields)) throw error
      if (metadata.type === 'body') throw new FieldErrorsException(422, error.errors, 'request body')
      throw new FieldErrorsException(400, error.errors, metadata.type === 'query' ? 'query string' : 'path')
    }
  }
}

function flatten(errors: ValidationError[], prefix = ''): FieldErrorDto[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }))
    return [...own, ...flatten(error.children ?? [], path)]
  })
}
