import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import type { PrismaClient } from '../generated/prisma/client.js'

/** Every Loom API key starts so: a scanner (or a person) tells it from a JWT or a password at a glance. */
export const API_KEY_PREFIX = 'loom_'
const KEY_SHAPE = /^loom_[A-Za-z0-9_-]{43}$/

/**
 * How an API key's owner is named wherever an identity is recorded (DESIGN.md, Identity): `key:<owner>`; a key an
 * OIDC user made for themselves acts as that same person (`<issuer>#<subject>`), so it cannot launder approvals.
 */
export const keyOwnerId = (owner: string) => (owner.includes('#') ? owner : `key:${owner}`)

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex')

export const looksLikeApiKey = (token: string) => KEY_SHAPE.test(token)

export interface NewApiKey {
  owner: string
  name: string
  roles: string[]
  createdBy: string
  expiresAt?: Date | null
  /** narrows the key to these of its owner's tenants; none: all of them */
  tenantIds?: string[]
}

/** Creates a key and records its hash: the key itself is returned once and kept nowhere. */
export async function createApiKey(prisma: Pick<PrismaClient, 'apiKey'>, key: NewApiKey): Promise<{ id: string; key: string; prefix: string }> {
  const secret = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const id = uuidv7()
  const prefix = secret.slice(0, API_KEY_PREFIX.length + 6)
  await prisma.apiKey.create({
    data: { id, prefix, hash: hashApiKey(secret), owner: key.owner, name: key.name, roles: key.roles, createdBy: key.createdBy, expiresAt: key.expiresAt ?? null, tenantIds: key.tenantIds ?? [] },
  })
  return { id, key: secret, prefix }
}

/** Whether a key is one this database knows and would accept now. */
export async function isUsableApiKey(prisma: Pick<PrismaClient, 'apiKey'>, key: string): Promise<boolean> {
  const row = await prisma.apiKey.findUnique({ where: { hash: hashApiKey(key) }, select: { revokedAt: true, expiresAt: true } })
  return !!row && !row.revokedAt && (!row.expiresAt || row.expiresAt > new Date())
}

/** Set once the first administrator key was made: it is never made again by itself (revoked means revoked). */
const ADMIN_KEY_MADE = 'first_admin_key_made'

/**
 * The first administrator key of an installation (`npm start`, the compose migrate job): made once, when the
 * database has never had one, and written with mode 600 so that only this OS user reads it. A key that was
 * revoked, or a file that was removed, is not replaced: an administrator makes the next key (`loom keys create`).
 */
export async function ensureAdminKeyFile(prisma: Pick<PrismaClient, 'apiKey' | 'loomSecret'>, file: string): Promise<{ created: boolean; missing: boolean }> {
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
  if (looksLikeApiKey(kept) && (await isUsableApiKey(prisma, kept))) return { created: false, missing: false }
  if (await prisma.loomSecret.findUnique({ where: { name: ADMIN_KEY_MADE } })) return { created: false, missing: true }
  const { key } = await createApiKey(prisma, { owner: 'admin', name: `first administrator key (${file})`, roles: ['admin'], createdBy: 'loom' })
  mkdirSync(dirname(file), { recursive: true })
  // Written whole, already private, then moved into place: never readable by others, never half-written.
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' })
  renameSync(temporary, file)
  await prisma.loomSecret.create({ data: { name: ADMIN_KEY_MADE, value: new Date().toISOString() } })
  return { created: true, missing: false }
}

/** The identity tasks and schedules act through (README, Security): it may start and retry, never approve. */
export const SERVICE_ROLE = 'service'
const DAY_MS = 86_400_000

/**
 * A worker's own key for calling the API (tasks, schedules): made in the database the worker already trusts, so
 * no secret has to be handed to it; short-lived and renewed a day before it expires.
 */
export class ServiceKey {
  private current?: Promise<{ key: string; expiresAt: Date }>

  constructor(private readonly prisma: Pick<PrismaClient, 'apiKey'>) {}

  async get(): Promise<string> {
    const held = await this.current?.catch(() => undefined)
    if (held && held.expiresAt.getTime() - Date.now() > DAY_MS) return held.key
    this.current = (async () => {
      const expiresAt = new Date(Date.now() + 7 * DAY_MS)
      const { key } = await createApiKey(this.prisma, { owner: 'loom-worker', name: `worker on ${hostname()} (pid ${process.pid})`, roles: [SERVICE_ROLE], createdBy: 'loom', expiresAt })
      return { key, expiresAt }
    })()
    return (await this.current).key
  }
}
