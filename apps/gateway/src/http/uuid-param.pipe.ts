import { Injectable, type PipeTransform } from '@nestjs/common'
import { validate as isUuid } from 'uuid'
import { FieldErrorsException } from './problem.js'


/** A path id that is not a UUID is a bad parameter (400), not an unknown resource. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new FieldErrorsException(400, [{ path: 'id', message: `${JSON.stringify(value)} is not a UUID` }], 'path')
    return value.toLowerCase()
  }
}
