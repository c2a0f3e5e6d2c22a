import { Injectable, type PipeTransform } from '@nestjs/common'
import { TENANT_ID } from '#contracts/index.js'
import { FieldErrorsException } from '../http/problem.js'

/** A path tenant id that is not a slug is a bad parameter (400): no tenant could have it. */
@Injectable()
export class TenantIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!TENANT_ID.test(value)) throw new FieldErrorsException(400, [{ path: 'id', message: `${JSON.stringify(value)} is not a tenant id (${TENANT_ID.source})` }], 'path')
    return value
  }
}
