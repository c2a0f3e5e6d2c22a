import { ApiHeader } from '@nestjs/swagger'
import { FieldErrorsException } from './problem.js'

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

/** The Idempotency-Key header a start takes (IETF draft-ietf-httpapi-idempotency-key-header), as documented. */
export const ApiIdempotencyKey = (description: string) =>
  ApiHeader({ name: 'Idempotency-Key', required: false, description, schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source } })

/** A key that is not 1 to 255 printable characters is a bad header (400), whichever route it came to. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new FieldErrorsException(400, [{ path: 'Idempotency-Key', message: 'must be 1 to 255 printable characters without spaces, e.g. a UUID' }], 'request')
  }
}
