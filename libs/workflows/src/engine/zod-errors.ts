import type { z } from 'zod'
import type { FieldError } from './messages.js'

/** zod issues as DESIGN's {path, message} field errors (dotted paths; the root is ""). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
}
