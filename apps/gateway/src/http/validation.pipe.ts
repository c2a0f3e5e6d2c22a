import { type ArgumentMetadata, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common'
import type { FieldErrorDto } from '../../../../libs/contracts/src/index.js'
import { FieldErrorsException } from './problem.js'

/**
 * class-validator on every DTO, answering in DESIGN's terms: a body that fails validation is 422,
 * a bad query or path parameter is 400; both list {path, message} per field. Unknown fields are refused.
 */
@Injectable()
export class LoomValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true })
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    this.exceptionFactory = (errors: ValidationError[]) =>
      metadata.type === 'body'
        ? new FieldErrorsException(422, flatten(errors), 'request body')
        : new FieldErrorsException(400, flatten(errors), metadata.type === 'query' ? 'query string' : 'path')
    return super.transform(value ?? (metadata.type === 'body' ? {} : value), metadata)
  }
}

function flatten(errors: ValidationError[], prefix = ''): FieldErrorDto[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }))
    return [...own, ...flatten(error.children ?? [], path)]
  })
}
