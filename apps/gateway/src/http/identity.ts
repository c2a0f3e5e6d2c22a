import { createParamDecorator, type ExecutionContext } from '@nestjs/common'
import type { Request } from 'express'
import { ANONYMOUS_USER, ROLES_HEADER, USER_HEADER } from '#domain/index.js'
import type { Identity } from '#workflows/engine/messages.js'

/**
 * Who calls, from X-Loom-User and X-Loom-Roles: the seam where real authentication will plug in (it will set
 * the same two things from a verified token).
 */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Identity => {
  const req = context.switchToHttp().getRequest<Request>()
  const user = req.header(USER_HEADER)?.trim() || ANONYMOUS_USER
  const roles = (req.header(ROLES_HEADER) ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
  return { user, roles }
})

/** The identity headers as OpenAPI documents them (`@ApiHeader(userHeader)`). */
export const userHeader = { name: 'X-Loom-User', required: false, description: 'who acts; recorded as created_by / answered_by' }
export const rolesHeader = { name: 'X-Loom-Roles', required: false, description: 'the roles the caller acts in, comma-separated; approval steps need theirs' }
