import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common'
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger'
import type { Request } from 'express'
import { ProblemDto } from '#contracts/index.js'
import type { Identity } from '#workflows/engine/messages.js'
import type { VerifiedCaller } from './caller.js'
import { type Permission, PERMISSIONS } from './permissions.js'

export const PERMISSION_KEY = 'loom:permission'
/** a route anyone may call, credentials or not */
export const PUBLIC = 'public'
/** a route any verified caller may call (their own keys, who they are) */
export const AUTHENTICATED = 'authenticated'
export type RouteAccess = Permission[] | typeof PUBLIC | typeof AUTHENTICATED

const CALLER = Symbol('caller')

export function callerOf(req: Request): VerifiedCaller | undefined {
  return (req as unknown as Record<symbol, VerifiedCaller>)[CALLER]
}

export function setCaller(req: Request, caller: VerifiedCaller): void {
  ;(req as unknown as Record<symbol, VerifiedCaller>)[CALLER] = caller
}

/** The permission a route needs (any one of several); documented in OpenAPI with the 401 and 403 it answers. */
export function RequirePermission(access: Permission | typeof AUTHENTICATED, ...orElse: Permission[]) {
  const needs =
    access === AUTHENTICATED ? 'any valid credentials' : [access, ...orElse].map((p) => `permission \`${p}\` (${PERMISSIONS[p]})`).join(' or ')
  return applyDecorators(
    SetMetadata(PERMISSION_KEY, access === AUTHENTICATED ? access : [access, ...orElse]),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ProblemDto, description: 'no credentials, or credentials that are not valid (unknown, revoked or expired key; bad token)' }),
    ...(access === AUTHENTICATED ? [] : [ApiForbiddenResponse({ type: ProblemDto, description: `the caller lacks ${needs}` })]),
  )
}

export const Public = () => SetMetadata(PERMISSION_KEY, PUBLIC)

/** The verified caller of a route that declared a permission (AuthGuard put it there). */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): VerifiedCaller => {
  const caller = callerOf(context.switchToHttp().getRequest<Request>())
  if (!caller) throw new Error('Caller used on a route without a permission: declare one with RequirePermission')
  return caller
})

/** Only what a workflow needs to know of a caller: the permissions and how they were verified stay here. */
export const identityOf = (caller: VerifiedCaller): Identity => ({ user: caller.user, roles: [...caller.roles] })
