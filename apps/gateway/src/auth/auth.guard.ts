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

/** A service identity names the schedule or task it runs for (`schedule:<id>`, `task:<process id>`)… */
export const ON_BEHALF_OF_HEADER = 'x-loom-on-behalf-of'
/** …and whom that schedule or task acts for: that person may then not approve what it starts either. */
export const ACTING_FOR_HEADER = 'x-loom-acting-for'
const SERVICE_ACTOR = /^(schedule|task):[A-Za-z0-9-]{1,64}$/
const CANONICAL_ID = /^[\x21-\x7e]{1,300}$/

/** Under LOOM_AUTH=off (loopback experiments only) every caller is this administrator. */
const AUTH_OFF: VerifiedCaller = { user: 'auth-off', roles: ['admin'], permissions: permissionsOf(['admin']), via: 'auth_off' }

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
    if (caller.acting_for && access !== AUTHENTICATED) await this.assertStillAllowed(caller, access)
    if (access !== AUTHENTICATED && !access.some((p) => caller.permissions.has(p))) throw new ForbiddenException(lacks(caller, ...access))
    return true
  }

  /**
   * A schedule or task acts with its creator's authority, as it is now: one whose keys were revoked, or whose
   * roles no longer allow this, starts nothing more. (An OIDC user's roles are known only from their tokens.)
   */
  private async assertStillAllowed(caller: VerifiedCaller, access: Permission[]): Promise<void> {
    const creator = caller.acting_for!
    if (!creator.startsWith('key:')) return
    const now = await keyOwnerPermissions(this.prisma, creator.slice('key:'.length))
    if (!access.some((p) => now.has(p))) {
      throw new ForbiddenException(`${caller.user} acts for ${creator}, whose keys no longer give permission ${access.join(' or ')} (revoked, expired or other roles): it does nothing more for them.`)
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

