import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common'
import { ApiParam } from '@nestjs/swagger'
import { validate as isUuid } from 'uuid'
import { FieldErrorsException } from './problem.js'

/** A path id that is not a UUID is a bad parameter (400), not an unknown resource. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata?: ArgumentMetadata): string {
    if (!isUuid(value)) throw new FieldErrorsException(400, [{ path: metadata?.data ?? 'id', message: `${JSON.stringify(value)} is not a UUID` }], 'path')
    return value.toLowerCase()
  }
}

/** Declares a path parameter that UuidParamPipe checks: documented as a UUID, so that nothing else is sent as one. */
export const ApiUuidParam = (name = 'id') => ApiParam({ name, type: String, format: 'uuid', description: 'a UUID' })
