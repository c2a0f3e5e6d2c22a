import { Inject, Injectable, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common'
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose'
import type { LoomConfig } from '#config/index.js'
import { TENANT_ID } from '#contracts/index.js'
import { hashApiKey, keyOwnerId, looksLikeApiKey, PrismaService, SERVICE_ROLE } from '#persistence/index.js'
import { KnownApiKeys } from './known-api-keys.js'
import { LOOM_CONFIG } from '../tokens.js'
import type { VerifiedCaller } from './caller.js'
import { type Permission, permissionsOf } from './permissions.js'
import { tenantsOf } from './tenant-scope.js'

/** Tokens issued a little in the future or just expired by another clock are still taken. */
const CLOCK_TOLERANCE_S = 5
/** last_used_at is written at most this often per key: a busy key must not turn every read into a write. */
const LAST_USE_PRECISION_MS = 60_000
/** identities longer than this are refused, not stored (an 8 KiB `sub` is no one's name) */
const MAX_IDENTITY = 256
const MAX_ROLES = 64
/** asymmetric signatures only: a shared-secret (HS*) or unsigned token is never an issuer's */
const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']
/** after rotation, a token signed with a new key is taken once the keys are fetched again: at most this often */
const JWKS_COOLDOWN_MS = 5000

/** Who a bearer credential is: a Loom API key or, when an issuer is configured, an OIDC access token. */
@Injectable()
export class Authenticator {
  private jwks?: Promise<ReturnType<typeof createRemoteJWKSet>>

  constructor(
    private readonly prisma: PrismaService,
    private readonly keys: KnownApiKeys,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
  ) {}

  async verify(authorization: string | undefined): Promise<VerifiedCaller> {
    const token = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? '')?.[1]
    if (!token) throw new UnauthorizedException(authorization ? 'The Authorization header must be "Bearer <API key or OIDC token>".' : 'Authentication required: send Authorization: Bearer <API key or OIDC token>.')
    if (token.startsWith('loom_')) return this.apiKey(token)
    if (this.config.auth.oidc) return this.oidcToken(token)
    throw new UnauthorizedException('Not a Loom API key (loom_…), and no OIDC issuer is configured (LOOM_OIDC_ISSUER).')
  }

  private async apiKey(token: string): Promise<VerifiedCaller> {
    if (!looksLikeApiKey(token)) throw new UnauthorizedException('Not a valid Loom API key.')
    const key = await this.keys.byHash(hashApiKey(token))
    if (!key) throw new UnauthorizedException('Unknown API key.')
    if (key.revokedAt) throw new UnauthorizedException(`API key ${key.prefix}… was revoked.`)
    if (key.expiresAt && key.expiresAt <= new Date()) throw new UnauthorizedException(`API key ${key.prefix}… expired at ${key.expiresAt.toISOString()}.`)
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USE_PRECISION_MS) {
      // On the row the requests sharing this read see too, so that they do not write it again.
      key.lastUsedAt = new Date()
      await this.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: key.lastUsedAt } }).catch(() => undefined)
    }
    const permissions = permissionsOf(key.roles)
    return { user: keyOwnerId(key.owner), roles: key.roles, permissions, via: 'api_key', ...this.tenancy(permissions, key.memberOf, key.tenantIds) }
  }

  private async oidcToken(token: string): Promise<VerifiedCaller> {
    const oidc = this.config.auth.oidc!
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, await this.issuerKeys(), { issuer: oidc.issuer, audience: oidc.audience, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp'], algorithms: SIGNING_ALGORITHMS }))
    } catch (error) {
      throw this.tokenRefusal(error)
    }
    const subject = payload[oidc.userClaim]
    if (typeof subject !== 'string' || !subject || subject.length > MAX_IDENTITY) {
      throw new UnauthorizedException(`The token's ${oidc.userClaim} claim (LOOM_OIDC_USER_CLAIM) must be a name of 1 to ${MAX_IDENTITY} characters.`)
    }
    const claimed = payload[oidc.rolesClaim] ?? []
    // The service role is the workers' own: no group at an identity provider confers it.
    const roles = (Array.isArray(claimed) ? claimed : [claimed]).filter((r): r is string => typeof r === 'string' && r.length > 0 && r.length <= MAX_IDENTITY && r !== SERVICE_ROLE)
    if (roles.length > MAX_ROLES) throw new UnauthorizedException(`The token carries more than ${MAX_ROLES} roles in ${oidc.rolesClaim}.`)
    // Canonical: the same subject at another issuer is another person, and case is significant (OIDC Core 5.7).
    const user = `${oidc.issuer}#${subject}`
    const permissions = permissionsOf(roles)
    return { user, roles, permissions, via: 'oidc', ...this.tenancy(permissions, await this.memberships(user, payload), null) }
  }

  /** A person's tenants: their memberships by canonical id, and the tenants claim when LOOM_OIDC_TENANTS_CLAIM names one. */
  private async memberships(user: string, payload: JWTPayload): Promise<string[]> {
    const claim = this.config.auth.oidc?.tenantsClaim
    const claimed = claim ? payload[claim] : undefined
    const fromClaim = (Array.isArray(claimed) ? claimed : claimed === undefined ? [] : [claimed]).filter((t): t is string => typeof t === 'string' && TENANT_ID.test(t))
    const [members, named] = await Promise.all([
      this.prisma.tenantMember.findMany({ where: { kind: 'user', member: user }, select: { tenantId: true } }),
      // A claimed tenant Loom does not know is no tenant to act in: nothing could be written there.
      fromClaim.length ? this.prisma.tenant.findMany({ where: { id: { in: fromClaim } }, select: { id: true } }) : [],
    ])
    return [...new Set([...members.map((m) => m.tenantId), ...named.map((t) => t.id)])].sort()
  }

  private tenancy(permissions: ReadonlySet<Permission>, memberOf: readonly string[], narrowedTo: readonly string[] | null) {
    // The service identity acts in the tenant its schedule or task names (X-Loom-Tenant), so it may act in any.
    const allTenants = permissions.has('tenants.all') || permissions.has('tenant.assume')
    return { tenants: tenantsOf(memberOf, narrowedTo, this.config.auth.unassignedCallers), allTenants }
  }

  /**
   * The issuer's signing keys, found through its discovery document once; jose fetches them again when a token
   * names a key it has not seen (rotation).
   */
  private issuerKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const issuer = this.config.auth.oidc!.issuer
    this.jwks ??= (async () => {
      const discovery = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { redirect: 'error', signal: AbortSignal.timeout(5000) })
      const document = discovery.ok ? ((await discovery.json()) as { jwks_uri?: unknown; issuer?: unknown }) : {}
      if (typeof document.jwks_uri !== 'string') throw new ServiceUnavailableException(`The OIDC issuer ${issuer} publishes no usable discovery document (${discovery.status}); try again.`)
      // OIDC Discovery 4.3: the document must name the issuer it was fetched for, or its keys are not that issuer's.
      if (document.issuer !== issuer) throw new ServiceUnavailableException(`The discovery document at ${issuer} names another issuer (${String(document.issuer)}); check LOOM_OIDC_ISSUER.`)
      const jwksUri = document.jwks_uri
      return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: JWKS_COOLDOWN_MS, timeoutDuration: 5000 })
    })()
    this.jwks.catch(() => (this.jwks = undefined)) // a failed discovery is tried again by the next request
    return this.jwks
  }

  private tokenRefusal(error: unknown): Error {
    if (error instanceof ServiceUnavailableException) return error
    if (error instanceof joseErrors.JWTExpired) return new UnauthorizedException('The token has expired.')
    if (error instanceof joseErrors.JWTClaimValidationFailed) return new UnauthorizedException(`The token's ${error.claim} claim is not accepted: ${error.reason === 'check_failed' ? `it must be ${this.expected(error.claim)}` : error.reason}.`)
    if (error instanceof joseErrors.JWKSTimeout || error instanceof TypeError) {
      return new ServiceUnavailableException(`The OIDC issuer's keys could not be fetched (${this.config.auth.oidc!.issuer}); try again.`)
    }
    if (error instanceof joseErrors.JOSEError) return new UnauthorizedException(`The token is not valid (${error.code}).`)
    return new UnauthorizedException('The token is not valid.')
  }

  private expected(claim: string): string {
    const oidc = this.config.auth.oidc!
    return claim === 'iss' ? oidc.issuer : claim === 'aud' ? `for ${oidc.audience}` : 'valid'
  }
}
