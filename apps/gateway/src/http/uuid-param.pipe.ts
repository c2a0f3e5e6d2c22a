import { Injectable, type PipeTransform } from '@nestjs/common'
import { FieldErrorsException } from './problem.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A path id that is not a UUID is a bad parameter (400), not an unknown resource. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new FieldErrorsException(400, [{ path: 'id', message: `${JSON.stringify(value)} is not a UUID` }], 'path')
    return value.toLowerCase()
  }
}
