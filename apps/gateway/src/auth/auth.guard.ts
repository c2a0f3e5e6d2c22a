import { BadRequestException, type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import type { Request } from 'express'
import type { LoomConfig } from '#config/index.js'
import { PrismaService } from '#persistence/index.js'
import { LOOM_CONFIG } from '../tokens.js'
import { AUTHENTICATED, PERMISSION_KEY, PUBLIC, type RouteAccess, setCaller } from './auth.decorators.js'
import { Authenticator } from './authenticator.service.js'
import type { VerifiedCaller } from './caller.js'
import { lacks, type Permission, permissionsOf } from './permissions.js'
import { DEFAULT_TENANT, namedTenants, readScope, SCOPE_HEADER, scopeHeaderValue, setScope, TENANT_HEADER, TENANT_SCOPED, tenantsOf } from './tenant-scope.js'

/** A service identity names the schedule or task it runs for (`schedule:<id>`, `task:<process id>`)… */
export const ON_BEHALF_OF_HEADER = 'x-loom-on-behalf-of'
/** …and whom that schedule or task acts for: that person may then not approve what it starts either. */
export const ACTING_FOR_HEADER = 'x-loom-acting-for'
const SERVICE_ACTOR = /^(schedule|task):[A-Za-z0-9-]{1,64}$/
const CANONICAL_ID = /^[\x21-\x7e]{1,300}$/

/** Under LOOM_AUTH=off (loopback experiments only) every caller is this administrator. */
const AUTH_OFF: VerifiedCaller = { user: 'auth-off', roles: ['admin'], permissions: permissionsOf(['admin']), via: 'auth_off', tenants: [DEFAULT_TENANT], allTenants: true }

/**
 * The one gate of the API: verifies the bearer credential and checks the permission the route declares. A route
 * that declares none is refused to everyone, so a route added without thought is closed, not open.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly prisma: PrismaService,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true
    const req = context.switchToHttp().getRequest<Request>()
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(PERMISSION_KEY, [context.getHandler(), context.getClass()])
    if (access === PUBLIC) return true
    if (!access) throw new ForbiddenException(`${req.method} ${req.path} declares no permission, so it is refused to everyone.`)
    const verified = this.config.auth.enabled ? await this.authenticator.verify(req.header('authorization')) : AUTH_OFF
    const caller = this.onBehalf(req, verified)
    setCaller(req, caller)
    if (caller.acting_for && access !== AUTHENTICATED) await this.assertStillAllowed(caller, access, req.header(TENANT_HEADER))
    if (access !== AUTHENTICATED && !access.some((p) => caller.permissions.has(p))) throw new ForbiddenException(lacks(caller, ...access))
    if (this.reflector.getAllAndOverride<boolean | undefined>(TENANT_SCOPED, [context.getHandler(), context.getClass()])) await this.scope(req, caller)
    return true
  }

  /**
   * The tenants the request sees (`?tenant=`, else X-Loom-Tenant, else all of the caller's), said in the answer's
   * Loom-Tenant-Scope header. A tenant one may act in everywhere must still exist: an unknown one is refused as
   * any tenant one is not in.
   */
  private async scope(req: Request, caller: VerifiedCaller): Promise<void> {
    const named = namedTenants(req.query.tenant, req.header(TENANT_HEADER))
    const scope = readScope(caller, named)
    const header = req.header(TENANT_HEADER)
    if (header !== undefined && caller.allTenants && !(await this.prisma.tenant.findUnique({ where: { id: header.trim() }, select: { id: true } }))) {
      throw new ForbiddenException(`${caller.user} may not act in tenant ${header.trim()}: there is no such tenant.`)
    }
    setScope(req, scope)
    req.res?.setHeader(SCOPE_HEADER, scopeHeaderValue(scope))
  }

  /**
   * A schedule or task acts with its creator's authority, as it is now: one whose keys were revoked, or whose
   * roles no longer allow this, starts nothing more. (An OIDC user's roles are known only from their tokens.)
   */
  private async assertStillAllowed(caller: VerifiedCaller, access: Permission[], tenant: string | undefined): Promise<void> {
    const creator = caller.acting_for!
    if (!creator.startsWith('key:')) return
    const now = await keyOwnerPermissions(this.prisma, creator.slice('key:'.length))
    if (!access.some((p) => now.has(p))) {
      throw new ForbiddenException(`${caller.user} acts for ${creator}, whose keys no longer give permission ${access.join(' or ')} (revoked, expired or other roles): it does nothing more for them.`)
    }
    // …and in a tenant they are still in: one removed from it starts nothing more there.
    if (tenant === undefined || now.has('tenants.all')) return
    const memberOf = (await this.prisma.tenantMember.findMany({ where: { kind: 'user', member: creator }, select: { tenantId: true } })).map((m) => m.tenantId)
    if (!tenantsOf(memberOf, null, this.config.auth.unassignedCallers).includes(tenant.trim())) {
      throw new ForbiddenException(`${caller.user} acts for ${creator}, who is no longer a member of tenant ${tenant.trim()}: it does nothing more there for them.`)
    }
  }

  /** Only a service identity may say for whom it acts; anyone else's such headers mean nothing. */
  private onBehalf(req: Request, caller: VerifiedCaller): VerifiedCaller {
    if (!caller.permissions.has('act.for')) return caller
    const actor = req.header(ON_BEHALF_OF_HEADER)
    const actingFor = req.header(ACTING_FOR_HEADER)
    if (actor === undefined) return caller
    if (!SERVICE_ACTOR.test(actor)) throw new BadRequestException(`${ON_BEHALF_OF_HEADER} must name a schedule or task (schedule:<id>, task:<id>).`)
    if (actingFor !== undefined && !CANONICAL_ID.test(actingFor)) throw new BadRequestException(`${ACTING_FOR_HEADER} must be a canonical user id.`)
    return { ...caller, user: actor, ...(actingFor ? { acting_for: actingFor } : {}) }
  }
}

/** The permissions the unrevoked, unexpired keys of `key:<owner>` give now. */
async function keyOwnerPermissions(prisma: PrismaService, owner: string): Promise<ReadonlySet<Permission>> {
  const keys = await prisma.apiKey.findMany({ where: { owner, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] }, select: { roles: true } })
  return permissionsOf(keys.flatMap((k) => k.roles))
}

