import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common'
import type { ApiKeyCreatedDto, ApiKeyCreateDto, ApiKeyDto } from '#contracts/index.js'
import { createApiKey, keyOwnerId, PrismaService, SERVICE_ROLE } from '#persistence/index.js'
import { FieldErrorsException } from '../http/problem.js'
import type { VerifiedCaller } from './caller.js'
import { KnownApiKeys } from './known-api-keys.js'

const SELF_MADE_KEY_DAYS = 90

type ApiKeyRow = Awaited<ReturnType<PrismaService['apiKey']['findUniqueOrThrow']>>

/**
 * API keys: anyone may make keys for themselves with roles they hold; an administrator (keys.manage) for anyone,
 * with any roles — except the service role, which only workers give themselves.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly known: KnownApiKeys,
  ) {}

  async create(body: ApiKeyCreateDto, caller: VerifiedCaller): Promise<ApiKeyCreatedDto> {
    const admin = caller.permissions.has('keys.manage')
    const own = ownerName(caller.user)
    const owner = body.owner ?? own
    if (owner === undefined) throw new ForbiddenException(`${caller.user} cannot make keys for themselves (only people with an API key or a token can); ask an administrator.`)
    if (!admin && owner !== own) throw new ForbiddenException(`Only an administrator (permission keys.manage) makes keys for someone else; ${caller.user} may make keys for key:${own}.`)
    const roles = body.roles ?? [...caller.roles]
    const refused = roles.filter((r) => r === SERVICE_ROLE || (!admin && !caller.roles.includes(r)))
    if (refused.length) {
      throw new FieldErrorsException(422, refused.map((r) => ({ path: 'roles', message: r === SERVICE_ROLE ? `"${r}" is the workers' own role` : `"${r}" is not a role ${caller.user} holds` })), 'key')
    }
    // A key outlives the session it was made in: one that a person made for themselves ends, at the latest, after
    // SELF_MADE_KEY_DAYS (an identity provider that removes them cannot reach the keys they made).
    const latest = admin ? null : new Date(Date.now() + SELF_MADE_KEY_DAYS * 86_400_000)
    const expiresAt = body.expires_at ? new Date(body.expires_at) : latest
    if (expiresAt && expiresAt <= new Date()) throw new FieldErrorsException(422, [{ path: 'expires_at', message: 'must be in the future' }], 'key')
    if (expiresAt && latest && expiresAt > latest) throw new FieldErrorsException(422, [{ path: 'expires_at', message: `a key you make for yourself lasts at most ${SELF_MADE_KEY_DAYS} days` }], 'key')
    const tenants = [...new Set(body.tenants ?? [])]
    const foreign = caller.allTenants ? await this.unknownTenants(tenants) : tenants.filter((t) => !caller.tenants.includes(t))
    if (foreign.length) throw new FieldErrorsException(422, foreign.map((t) => ({ path: 'tenants', message: caller.allTenants ? `no tenant ${t}` : `${caller.user} is not a member of tenant ${t}` })), 'key')
    const made = await createApiKey(this.prisma, { owner, name: body.name, roles: [...new Set(roles)], createdBy: caller.user, expiresAt, tenantIds: tenants })
    return { ...toDto(await this.prisma.apiKey.findUniqueOrThrow({ where: { id: made.id } })), key: made.key }
  }

  private async unknownTenants(ids: string[]): Promise<string[]> {
    const known = new Set((await this.prisma.tenant.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((t) => t.id))
    return ids.filter((t) => !known.has(t))
  }

  /** The caller's own keys; every key for an administrator. */
  async list(caller: VerifiedCaller): Promise<ApiKeyDto[]> {
    const own = ownerName(caller.user)
    if (!caller.permissions.has('keys.manage') && own === undefined) return [] // a schedule or task has no keys of its own
    const where = caller.permissions.has('keys.manage') ? {} : { owner: own }
    return (await this.prisma.apiKey.findMany({ where, orderBy: { createdAt: 'desc' } })).map(toDto)
  }

  async revoke(id: string, caller: VerifiedCaller): Promise<ApiKeyDto> {
    const key = await this.prisma.apiKey.findUnique({ where: { id } })
    // Someone else's key is as unknown to a non-administrator as a key that does not exist.
    if (!key || (!caller.permissions.has('keys.manage') && key.owner !== ownerName(caller.user))) throw new NotFoundException(`No API key ${id} of yours.`)
    if (key.revokedAt) return toDto(key)
    const revoked = await this.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } })
    this.known.forget(key.hash)
    return toDto(revoked)
  }
}

/** The owner name a caller's own keys carry: `key:alice` → alice; an OIDC user's whole canonical id. */
function ownerName(user: string): string | undefined {
  if (user.startsWith('key:')) return user.slice(4)
  if (user.includes('#')) return user
  return undefined
}

function toDto(k: ApiKeyRow): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    owner: keyOwnerId(k.owner),
    roles: k.roles,
    tenants: k.tenantIds ?? [],
    prefix: k.prefix,
    created_by: k.createdBy,
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
  }
}
