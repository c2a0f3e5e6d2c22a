// Tenants of a request: which ones a read sees, which one a write acts in. Rows outside the scope are answered
// as if they did not exist (404), so that nothing tells one tenant what another holds.
import { applyDecorators, BadRequestException, createParamDecorator, type ExecutionContext, ForbiddenException, SetMetadata } from '@nestjs/common'
import { ApiExtension, ApiHeader } from '@nestjs/swagger'
import type { Request } from 'express'
import { DEFAULT_TENANT, TENANT_ID } from '#contracts/index.js'
import type { VerifiedCaller } from './caller.js'
import { callerOf } from './auth.decorators.js'
import type { Params } from '../http/sql.js'

export { DEFAULT_TENANT }

/** What a read sees: every tenant (no predicate at all), or these. */
export type TenantScope = { all: true } | { tenants: readonly string[] }

/** names the tenant a write acts in, and narrows a read to it */
export const TENANT_HEADER = 'x-loom-tenant'
/** says on every scoped answer which tenants it covers: `all`, or their ids */
export const SCOPE_HEADER = 'Loom-Tenant-Scope'
export const TENANT_SCOPED = 'loom:tenant-scoped'
/** the mark in /openapi.json that the tenant matrix test walks */
export const TENANT_SCOPED_EXTENSION = 'x-loom-tenant-scoped'

/**
 * A route whose rows belong to tenants. AuthGuard resolves the request's scope before the handler runs (a 403
 * for a tenant the caller is not in); read it with `@Scope()`, and the tenant a write acts in with `@ActingTenant()`.
 */
export function TenantScoped() {
  return applyDecorators(
    SetMetadata(TENANT_SCOPED, true),
    ApiExtension(TENANT_SCOPED_EXTENSION, true),
    ApiHeader({
      name: 'X-Loom-Tenant',
      required: false,
      schema: { type: 'string', pattern: TENANT_ID.source },
      description: `the tenant to act in (needed by a member of several), and the only one a read sees; the answer's ${SCOPE_HEADER} header names the tenants it covers`,
    }),
  )
}

/** The tenants a caller holds: their memberships (narrowed by a key's own list), `default` for one who has none unless refused. */
export function tenantsOf(memberOf: readonly string[], narrowedTo: readonly string[] | null | undefined, unassigned: 'default' | 'refuse' = 'default'): string[] {
  const held = memberOf.length ? [...memberOf] : unassigned === 'refuse' ? [] : [DEFAULT_TENANT]
  return narrowedTo?.length ? held.filter((t) => narrowedTo.includes(t)) : held
}

/** A tenant list from `?tenant=a,b` or the X-Loom-Tenant header; a malformed one is a 400. */
export function namedTenants(query: unknown, header: string | undefined): string[] | undefined {
  const raw = typeof query === 'string' ? query : header
  if (raw === undefined) return undefined
  const named = [...new Set(raw.split(',').map((t) => t.trim()))]
  const bad = named.filter((t) => !TENANT_ID.test(t))
  if (bad.length) throw new BadRequestException(`${typeof query === 'string' ? '?tenant=' : 'X-Loom-Tenant'}: ${bad.map((t) => JSON.stringify(t)).join(', ')} is not a tenant id (${TENANT_ID.source}).`)
  return named
}

/** What a read sees: the tenants named (each one the caller's), else all of the caller's; an admin's is everything. */
export function readScope(caller: VerifiedCaller, named: readonly string[] | undefined): TenantScope {
  if (named) {
    const outside = caller.allTenants ? [] : named.filter((t) => !caller.tenants.includes(t))
    if (outside.length) throw new ForbiddenException(`${caller.user} is not a member of tenant ${outside.join(', ')}.`)
    return { tenants: named }
  }
  if (caller.allTenants) return { all: true }
  if (!caller.tenants.length) throw new ForbiddenException(`${caller.user} is a member of no tenant (LOOM_UNASSIGNED_CALLERS=refuse): ask an administrator to add them to one.`)
  return { tenants: caller.tenants }
}

/**
 * The one tenant a write acts in: the one named, else the caller's only tenant, else `default` for one who
 * may act in all. A member of several who names none gets a 400 listing them.
 */
export function actingTenant(caller: VerifiedCaller, named: string | undefined): string {
  if (named !== undefined) {
    if (caller.allTenants || caller.tenants.includes(named)) return named
    throw new ForbiddenException(`${caller.user} may not act in tenant ${named}.`)
  }
  if (caller.tenants.length === 1) return caller.tenants[0]
  if (caller.allTenants) return DEFAULT_TENANT
  if (!caller.tenants.length) throw new ForbiddenException(`${caller.user} is a member of no tenant (LOOM_UNASSIGNED_CALLERS=refuse): ask an administrator to add them to one.`)
  throw new BadRequestException(`${caller.user} is a member of tenants ${caller.tenants.join(', ')}: send X-Loom-Tenant naming the one to act in.`)
}

/** How an answer names its scope: in the Loom-Tenant-Scope header and a list's `tenant_scope`. */
export const scopeLabel = (scope: TenantScope): 'all' | string[] => ('all' in scope ? 'all' : [...scope.tenants])
export const scopeHeaderValue = (scope: TenantScope): string => ('all' in scope ? 'all' : scope.tenants.join(','))

export const inScope = (scope: TenantScope, tenantId: string): boolean => 'all' in scope || scope.tenants.includes(tenantId)

/** The scope as an SQL condition on `column`; undefined for all (no predicate, so the plans stay as they were). */
export function tenantPredicate(scope: TenantScope, column: string, params: Params): string | undefined {
  if ('all' in scope) return undefined
  if (scope.tenants.length === 1) return `${column} = ${params.add(scope.tenants[0])}`
  return `${column} = ANY(${params.add([...scope.tenants])}::text[])`
}

/** The scope as a Prisma `where` fragment on a model with `tenantId`. */
export const tenantWhere = (scope: TenantScope): { tenantId?: { in: string[] } } => ('all' in scope ? {} : { tenantId: { in: [...scope.tenants] } })

const SCOPE = Symbol('tenant-scope')

export function setScope(req: Request, scope: TenantScope): void {
  ;(req as unknown as Record<symbol, TenantScope>)[SCOPE] = scope
}

function scopeOf(context: ExecutionContext): { req: Request; scope: TenantScope } {
  const req = context.switchToHttp().getRequest<Request>()
  const scope = (req as unknown as Record<symbol, TenantScope | undefined>)[SCOPE]
  if (!scope) throw new Error('Scope used on a route that is not TenantScoped(): mark it, or it reads every tenant')
  return { req, scope }
}

/** The tenants a read of this request sees (AuthGuard resolved them: the route must be `TenantScoped()`). */
export const Scope = createParamDecorator((_: unknown, context: ExecutionContext): TenantScope => scopeOf(context).scope)

/** The tenant a write of this request acts in (400 when a member of several names none; 403 for one not theirs). */
export const ActingTenant = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const { req } = scopeOf(context)
  const named = namedTenants(undefined, req.header(TENANT_HEADER))
  if (named && named.length !== 1) throw new BadRequestException('X-Loom-Tenant names one tenant to act in.')
  return actingTenant(callerOf(req)!, named?.[0])
})
