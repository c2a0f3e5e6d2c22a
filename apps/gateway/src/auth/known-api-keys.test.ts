// An API key's row is read once for requests that come while it is being read, and again for any request after:
// sharing must never keep a revoked or unknown key.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PrismaService } from '#persistence/index.js'
import { type KnownApiKey, KnownApiKeys } from './known-api-keys.js'

const ROW: KnownApiKey = { id: 'k1', prefix: 'loom_abcdef', owner: 'alice', roles: ['viewer'], expiresAt: null, lastUsedAt: null, revokedAt: null, memberOf: [], tenantIds: null }

/** KnownApiKeys on a pool that answers with `answer()` and counts the reads. */
function keysOn(answer: () => Promise<KnownApiKey | undefined>) {
  const reads = { count: 0 }
  const pool = { query: async () => (reads.count++, { rows: [await answer()].filter(Boolean) }) }
  return { keys: new KnownApiKeys({ pool } as unknown as PrismaService), reads }
}

test('requests that come while a key is read share the read; the next request reads it again', async () => {
  const { keys, reads } = keysOn(() => Promise.resolve({ ...ROW }))
  const rows = await Promise.all(Array.from({ length: 16 }, () => keys.byHash('h')))
  assert.equal(reads.count, 1)
  assert.deepEqual(rows[15], ROW)
  await keys.byHash('h')
  assert.equal(reads.count, 2)
})

test('a key revoked while it was being read is read again by the next request', async () => {
  let revokedAt: Date | null = null
  const releases: (() => void)[] = []
  const { keys, reads } = keysOn(async () => {
    const seen = revokedAt
    await new Promise<void>((resolve) => releases.push(resolve))
    return { ...ROW, revokedAt: seen }
  })
  const before = keys.byHash('h')
  revokedAt = new Date()
  keys.forget('h')
  const after = keys.byHash('h')
  for (const release of releases) release()
  assert.equal((await before)?.revokedAt, null)
  assert.equal((await after)?.revokedAt, revokedAt)
  assert.equal(reads.count, 2)
})

test('neither an unknown key nor a failed read is kept', async () => {
  let answer: () => Promise<KnownApiKey | undefined> = () => Promise.resolve(undefined)
  const { keys, reads } = keysOn(() => answer())
  assert.equal(await keys.byHash('h'), undefined)
  answer = () => Promise.reject(new Error('connection lost'))
  await assert.rejects(keys.byHash('h'), /connection lost/)
  answer = () => Promise.resolve({ ...ROW })
  assert.deepEqual(await keys.byHash('h'), ROW)
  assert.equal(reads.count, 3)
})
