import { Injectable } from '@nestjs/common'
import { PrismaService } from '#persistence/index.js'

/** What the gateway needs of an API key's row to take or refuse it. */
export interface KnownApiKey {
  id: string
  prefix: string
  owner: string
  roles: string[]
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
  /** the tenants its owner (`user` memberships) or the key itself (`api_key` memberships) is a member of */
  memberOf: string[]
  /** the tenants the key is narrowed to; empty: all of memberOf */
  tenantIds: string[] | null
}

// The memberships ride along in the key's one statement: the hot path stays one round trip.
const BY_HASH = `SELECT k.id, k.prefix, k.owner, k.roles, k.expires_at AS "expiresAt", k.last_used_at AS "lastUsedAt", k.revoked_at AS "revokedAt",
    k.tenant_ids AS "tenantIds",
    array(SELECT DISTINCT m.tenant_id FROM tenant_members m
      WHERE (m.kind = 'user' AND m.member = 'key:' || k.owner) OR (m.kind = 'api_key' AND m.member = k.id::text) ORDER BY 1) AS "memberOf"
  FROM api_keys k WHERE k.hash = $1`

/**
 * API keys by the hash of the key. Every request with a key needs its row: read through Prisma, the lookup cost the
 * gateway more CPU than the subscription page it authorised, so it is one SQL statement on Prisma's pool. Requests
 * that come while a read of the same key is under way share it; none is kept after it answers, so a revocation
 * holds for the next request on every gateway.
 */
@Injectable()
export class KnownApiKeys {
  private readonly reading = new Map<string, Promise<KnownApiKey | undefined>>()

  constructor(private readonly prisma: PrismaService) {}

  byHash(hash: string): Promise<KnownApiKey | undefined> {
    const underWay = this.reading.get(hash)
    if (underWay) return underWay
    const row = this.prisma.pool.query<KnownApiKey>(BY_HASH, [hash]).then((r) => r.rows[0])
    this.reading.set(hash, row)
    const done = () => void this.reading.delete(hash)
    row.then(done, done)
    return row
  }

  /** After a revocation: a read under way (begun before it) is not shared any more. */
  forget(hash: string): void {
    this.reading.delete(hash)
  }
}
