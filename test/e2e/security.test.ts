// Identity and authorisation, tried as an attacker would: every operation of the OpenAPI document without
// credentials and with too few permissions, the old identity headers, browser-style bodies, API keys (hashed,
// revoked, expired, not handed out beyond one's own roles), the audit log and its append-only table, and OIDC
// access tokens from a real provider (npm oidc-provider): expired, for another audience, after key rotation.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import pg from 'pg'
import type { ProcessStartedDto } from '#contracts/index.js'
import { demoDevices } from '#persistence/index.js'
import { projectRoot, waitFor } from '#runtime/index.js'
import { adminKey, anonymously, apiClient, as, asOnly } from '../support/api.js'
import { cloneDatabase } from '../support/database.js'
import { testConfig, testTemporalAddress } from '../support/env.js'
import { startGateway } from '../support/gateway.js'
import { isBookkeeping, payloadsOf } from '../support/history-scan.js'
import { loomStack } from '../support/loom.js'
import { type OidcProviderHandle, startOidcProvider } from '../support/oidc-provider.js'

const AUDIENCE = 'loom-api'
let oidc: OidcProviderHandle
const product = loomStack({
  devices: demoDevices(projectRoot()),
  config: () => ({ auth: { enabled: true, rateLimitPerMinute: 0, scheduleMinSeconds: 60, oidc: { issuer: oidc.issuer, audience: AUDIENCE, userClaim: 'sub', rolesClaim: 'groups' } } }),
})
before(async () => {
  oidc = await startOidcProvider({ audience: AUDIENCE })
  await product.start()
})
after(async () => {
  await product.stop()
  await oidc?.stop()
})

interface Operation {
  method: string
  path: string
  secured: boolean
  /** the permission its 403 names, if it documents one */
  permission: string | undefined
}

/** Every operation of the served OpenAPI document, with its path parameters filled in. */
async function operations(): Promise<Operation[]> {
  const doc = (await (await fetch(`${product.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { description?: string }> }>> }
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{[^}]+\}/g, '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b'),
      secured: (op.security?.length ?? 0) > 0,
      permission: /permission `([a-z.]+)`/.exec(op.responses['403']?.description ?? '')?.[1],
    })),
  )
}

const send = (op: Operation, headers: Record<string, string>) => product.api.call(op.method, op.path, op.method === 'GET' || op.method === 'DELETE' ? undefined : {}, headers)

describe('every operation of the OpenAPI document', () => {
  test('answers 401 without credentials, except the two that are public (health, and a callback, which its token authorises)', async () => {
    const ops = await operations()
    assert.ok(ops.length >= 60, `only ${ops.length} operations`)
    assert.deepEqual(ops.filter((o) => !o.secured).map((o) => `${o.method} ${o.path}`).sort(), [
      'GET /api/health',
      'POST /api/processes/019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b/callback/019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b',
    ])
    const open: string[] = []
    for (const op of ops.filter((o) => o.secured)) {
      const res = await send(op, anonymously)
      if (res.status !== 401) open.push(`${op.method} ${op.path} → ${res.status}`)
      else assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="loom"')
    }
    assert.deepEqual(open, [])
    // Metrics, outside /api, too.
    assert.equal((await product.api.call('GET', '/metrics', undefined, anonymously)).status, 401)
  })

  test('answers 403 to credentials without the permission: everything beyond reading for a viewer, everything for a key with no role', async () => {
    const ops = (await operations()).filter((o) => o.secured && o.permission)
    assert.ok(ops.filter((o) => o.method !== 'GET').length >= 25, 'the writes document the permission their 403 needs')
    const allowed: string[] = []
    for (const op of ops) {
      const none = await send(op, asOnly('nobody'))
      if (none.status !== 403) allowed.push(`no role: ${op.method} ${op.path} → ${none.status}`)
      if (!['read', 'metrics'].includes(op.permission!)) {
        const viewer = await send(op, asOnly('vera', 'viewer'))
        if (viewer.status !== 403) allowed.push(`viewer: ${op.method} ${op.path} → ${viewer.status}`)
        else assert.match(String(viewer.body.detail), /needs permission [a-z.]+/)
      }
    }
    assert.deepEqual(allowed, [])
  })
})

describe('bypasses that used to work', () => {
  test('X-Loom-User and X-Loom-Roles decide nothing: no credentials is still 401, a viewer claiming admin is still a viewer', async () => {
    const claimed = { 'x-loom-user': 'admin', 'x-loom-roles': 'admin,change-board' }
    assert.equal((await product.api.call('PUT', '/api/settings/engine', { running: false }, { ...anonymously, ...claimed })).status, 401)
    const viewer = await product.api.call<{ detail: string }>('PUT', '/api/settings/engine', { running: false }, { ...asOnly('vera', 'viewer'), ...claimed })
    assert.equal(viewer.status, 403)
    assert.match(viewer.body.detail, /needs permission engine.switch .* key:vera holds roles viewer/)
    assert.equal((await product.api.get<{ running: boolean }>('/api/settings/engine')).body.running, true)
    // An operator may not stop the engine either; an administrator may.
    assert.equal((await product.api.call('PUT', '/api/settings/engine', { running: false }, as('olivia'))).status, 403)
    const me = await product.api.get<{ user: string; roles: string[] }>('/api/auth/me')
    assert.deepEqual([me.body.user, me.body.roles], ['key:test-admin', ['admin']])
  })

  test('schedules run at most once a minute (LOOM_SCHEDULE_MIN_SECONDS): every 1 second and a seconds field are 422', async () => {
    const fast = await product.api.call<{ errors: { path: string; message: string }[] }>('POST', '/api/schedules', { workflow: 'task_resume_all', every: '1 second' }, as('olivia'))
    assert.equal(fast.status, 422)
    assert.match(fast.body.errors[0].message, /at least 60 s/)
    const cron = await product.api.call<{ errors: { path: string }[] }>('POST', '/api/schedules', { workflow: 'task_resume_all', cron: '* * * * * *' }, as('olivia'))
    assert.deepEqual(cron.body.errors.map((e) => e.path), ['cron'])
  })

  test('schedules: anonymous create and delete are 401, a viewer 403', async () => {
    const body = { workflow: 'task_resume_all', every: '1 second' }
    assert.equal((await product.api.call('POST', '/api/schedules', body, anonymously)).status, 401)
    assert.equal((await product.api.call('POST', '/api/schedules', body, asOnly('vera', 'viewer'))).status, 403)
    assert.equal((await product.api.call('DELETE', '/api/schedules/loom-anything', undefined, anonymously)).status, 401)
  })

  test('a form post or a text/plain body (what a browser sends cross-site without asking) is a 415 and starts nothing', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'router=ams-pe1'],
      ['text/plain', '{"router":"ams-pe1"}'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="router"\r\n\r\nams-pe1\r\n--x--'],
    ]) {
      const res = await fetch(`${product.url}/api/processes/create_node`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${adminKey()}` }, body })
      assert.equal(res.status, 415, type)
      assert.match(((await res.json()) as { detail: string }).detail, /must be application\/json/)
    }
    assert.equal((await product.api.get<{ total: number }>('/api/processes?workflow=create_node')).body.total, 0)
  })

  test('a team approver may read and answer their approvals: not start, not answer input steps', async () => {
    const res = await product.api.call<{ detail: string }>('POST', '/api/processes/task_resume_all', {}, asOnly('carol', 'change-board'))
    assert.equal(res.status, 403)
    assert.match(res.body.detail, /processes.start/)
    assert.equal((await product.api.call('GET', '/api/processes', undefined, asOnly('carol', 'change-board'))).status, 200)
    // An approver of a team answers the approvals naming their role, not the input steps of operators.
    const started = await product.api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: 'fra-pe1' }, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    await product.api.waitForProcess(started.body.id, (p) => p.status === 'waiting')
    const input = await product.api.call<{ detail: string }>('PUT', `/api/processes/${started.body.id}/resume`, { confirm_config_applied: true }, asOnly('carol', 'change-board'))
    assert.equal(input.status, 403)
    assert.match(input.body.detail, /processes.answer/)
    assert.equal((await product.api.call('PUT', `/api/processes/${started.body.id}/abort`, {}, as('olivia'))).status, 200)
  })
})

describe('API keys', () => {
  test('stored only as a hash; a revoked or expired key is refused, saying which', async () => {
    const made = await product.api.call<{ id: string; key: string; prefix: string }>('POST', '/api/auth/keys', { name: 'short-lived', owner: 'erin', roles: ['viewer'], expires_at: new Date(Date.now() + 1500).toISOString() })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const sql = new pg.Client({ connectionString: product.databaseUrl })
    await sql.connect()
    try {
      const rows = (await sql.query<{ row: string }>('SELECT row_to_json(k)::text AS row FROM api_keys k')).rows.map((r) => r.row).join('\n')
      assert.ok(!rows.includes(made.body.key), 'the key itself is nowhere in the table')
      assert.ok(!rows.includes(made.body.key.slice(12)), 'nor any long part of it')
    } finally {
      await sql.end()
    }
    const bearer = { authorization: `Bearer ${made.body.key}` }
    assert.equal((await product.api.call('GET', '/api/auth/me', undefined, bearer)).status, 200)
    await waitFor(async () => (await product.api.call('GET', '/api/auth/me', undefined, bearer)).status === 401, { timeoutMs: 10_000, describe: () => 'the key never expired' })
    assert.match(String((await product.api.call('GET', '/api/auth/me', undefined, bearer)).body.detail), new RegExp(`API key ${made.body.prefix}… expired`))

    const other = await product.api.call<{ id: string; key: string }>('POST', '/api/auth/keys', { name: 'to revoke', owner: 'erin', roles: ['viewer'] })
    assert.equal((await product.api.call('DELETE', `/api/auth/keys/${other.body.id}`)).status, 200)
    const revoked = await product.api.call('GET', '/api/auth/me', undefined, { authorization: `Bearer ${other.body.key}` })
    assert.equal(revoked.status, 401)
    assert.match(String(revoked.body.detail), /was revoked/)
    assert.equal((await product.api.call('GET', '/api/auth/me', undefined, { authorization: 'Bearer loom_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status, 401)
  })

  test('a person makes keys for themselves with roles they hold; not for others, not with more roles, never the service role', async () => {
    const olivia = as('olivia')
    const own = await product.api.call<{ owner: string; roles: string[]; expires_at: string | null }>('POST', '/api/auth/keys', { name: 'laptop' }, olivia)
    assert.equal(own.status, 201)
    assert.deepEqual([own.body.owner, own.body.roles], ['key:olivia', ['operator']])
    // Made for oneself, a key ends within 90 days.
    assert.ok(own.body.expires_at && new Date(own.body.expires_at).getTime() <= Date.now() + 90 * 86_400_000)
    const forever = await product.api.call<{ errors: { path: string; message: string }[] }>('POST', '/api/auth/keys', { name: 'x', expires_at: '2099-01-01T00:00:00Z' }, olivia)
    assert.deepEqual(forever.body.errors, [{ path: 'expires_at', message: 'a key you make for yourself lasts at most 90 days' }])
    assert.equal((await product.api.call('POST', '/api/auth/keys', { name: 'x', owner: 'mallory' }, olivia)).status, 403)
    const more = await product.api.call<{ errors: { path: string; message: string }[] }>('POST', '/api/auth/keys', { name: 'x', roles: ['admin'] }, olivia)
    assert.equal(more.status, 422)
    assert.deepEqual(more.body.errors, [{ path: 'roles', message: '"admin" is not a role key:olivia holds' }])
    assert.equal((await product.api.call('POST', '/api/auth/keys', { name: 'x', owner: 'w', roles: ['service'] })).status, 422)
    // Lists show one's own keys, never the keys themselves; someone else's key is not theirs to revoke.
    const mine = await product.api.call<{ owner: string; key?: string }[]>('GET', '/api/auth/keys', undefined, olivia)
    assert.ok(mine.body.length >= 2 && mine.body.every((k) => k.owner === 'key:olivia' && k.key === undefined))
    const all = await product.api.call<{ id: string; owner: string }[]>('GET', '/api/auth/keys')
    const othersKey = all.body.find((k) => k.owner !== 'key:olivia')!
    assert.equal((await product.api.call('DELETE', `/api/auth/keys/${othersKey.id}`, undefined, olivia)).status, 404)
  })
})

describe('the audit log', () => {
  test('records every write with who, roles, target, request id and outcome, refusals and failed logins too; the table refuses changes', async () => {
    const started = await product.api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: 'ams-pe1' }, as('alice'))
    assert.equal(started.status, 201)
    const aborted = await product.api.call('PUT', `/api/processes/${started.body.id}/abort`, { reason: 'wrong router' }, as('olivia'))
    assert.equal(aborted.status, 200)
    await product.api.call('PUT', '/api/settings/engine', { running: false }, as('olivia'))
    await product.api.call('GET', '/api/processes', undefined, { authorization: 'Bearer loom_forged' })

    type Event = { actor: string; roles: string[]; action: string; target: string | null; outcome: number; request_id: string; detail: Record<string, unknown> | null }
    const events = async (query: string) => (await product.api.get<{ items: Event[] }>(`/api/audit?${query}`)).body.items
    await waitFor(async () => (await events('action=GET%20/api/processes')).length > 0, { timeoutMs: 5000, describe: () => 'the refused login was not recorded' })
    const [start] = await events(`action=${encodeURIComponent('POST /api/processes/{workflow}')}&actor=key:alice`)
    assert.deepEqual([start.roles, start.target, start.outcome, start.detail?.request], [['operator'], 'create_node', 201, { router: 'ams-pe1' }])
    assert.ok(start.request_id)
    const [abort] = await events(`target=${started.body.id}`)
    assert.deepEqual([abort.actor, abort.action, abort.outcome, abort.detail?.request], ['key:olivia', 'PUT /api/processes/{id}/abort', 200, { reason: 'wrong router' }])
    const [switched] = await events(`action=${encodeURIComponent('PUT /api/settings/engine')}&actor=key:olivia`)
    assert.equal(switched.outcome, 403)
    assert.match(String(switched.detail?.refused), /engine.switch/)
    const [login] = await events('actor=unauthenticated')
    assert.deepEqual([login.action, login.outcome, login.detail?.refused], ['GET /api/processes', 401, 'Not a valid Loom API key.'])
    // Reading the log is for administrators.
    assert.equal((await product.api.call('GET', '/api/audit', undefined, as('olivia'))).status, 403)

    const sql = new pg.Client({ connectionString: product.databaseUrl })
    await sql.connect()
    try {
      await assert.rejects(sql.query("UPDATE audit_events SET actor = 'someone-else'"), /append-only/)
      await assert.rejects(sql.query('DELETE FROM audit_events'), /append-only/)
    } finally {
      await sql.end()
    }
  })
})

describe('OIDC access tokens from a real provider', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  test('a token is a person (issuer + subject) with the roles of its groups claim', async () => {
    const token = await oidc.token({ subject: 'Alice', roles: ['operator', 'change-board'] })
    const me = await product.api.call<{ user: string; roles: string[]; via: string }>('GET', '/api/auth/me', undefined, bearer(token))
    assert.equal(me.status, 200, JSON.stringify(me.body))
    assert.deepEqual(me.body, { ...me.body, user: `${oidc.issuer}#Alice`, roles: ['operator', 'change-board'], via: 'oidc' })
    const viewer = await oidc.token({ subject: 'vic', roles: ['viewer'] })
    assert.equal((await product.api.call('PUT', '/api/settings/engine', { running: true }, bearer(viewer))).status, 403)
  })

  test("a token's user is in the tenants their issuer#subject is a member of, and in those LOOM_OIDC_TENANTS_CLAIM names that exist", async () => {
    assert.equal((await product.api.call('POST', '/api/tenants', { id: 'oidc-red', name: 'red' })).status, 201)
    assert.equal((await product.api.call('POST', '/api/tenants/oidc-red/members', { kind: 'user', member: `${oidc.issuer}#Olga` })).status, 201)
    const me = (token: string, api = product.api) => api.call<{ tenants: string[]; all_tenants: boolean }>('GET', '/api/auth/me', undefined, bearer(token))
    const olga = (await me(await oidc.token({ subject: 'Olga', roles: ['operator'] }))).body
    assert.deepEqual([olga.tenants, olga.all_tenants], [['oidc-red'], false])
    // Another subject of the same name elsewhere, or in other case, is another person: in no tenant, so in default.
    assert.deepEqual((await me(await oidc.token({ subject: 'olga', roles: ['operator'] }))).body.tenants, ['default'])
    // With the claim configured (here the groups claim itself), its values that name a tenant count; the others do not.
    const config = testConfig(product.databaseUrl)
    const claiming = await startGateway({ ...config, auth: { ...config.auth, oidc: { issuer: oidc.issuer, audience: AUDIENCE, userClaim: 'sub', rolesClaim: 'groups', tenantsClaim: 'groups' } } })
    try {
      const token = await oidc.token({ subject: 'Nina', roles: ['operator', 'oidc-red', 'no-such-tenant'] })
      assert.deepEqual((await me(token, apiClient(claiming.url))).body.tenants, ['oidc-red'])
      assert.deepEqual((await me(token)).body.tenants, ['default'], 'without the claim configured, groups are roles only')
    } finally {
      await claiming.close()
    }
  })

  test('expired, for another audience, or signed by a stranger: 401 saying why', async () => {
    const short = await oidc.token({ subject: 'sam', roles: ['viewer'], expiresInSeconds: 1 })
    // The gateway allows 5 s of clock skew: this token is refused once that has passed too.
    const foreign = await oidc.token({ subject: 'sam', roles: ['viewer'], audience: 'another-api' })
    const wrongAudience = await product.api.call<{ detail: string }>('GET', '/api/auth/me', undefined, bearer(foreign))
    assert.equal(wrongAudience.status, 401)
    assert.match(wrongAudience.body.detail, /aud claim is not accepted/)
    const [header, payload] = short.split('.')
    const forged = await product.api.call<{ detail: string }>('GET', '/api/auth/me', undefined, bearer(`${header}.${payload}.AAAA`))
    assert.equal(forged.status, 401)
    await waitFor(async () => (await product.api.call('GET', '/api/auth/me', undefined, bearer(short))).status === 401, { timeoutMs: 20_000, intervalMs: 500, describe: () => 'the token never expired' })
    assert.match(String((await product.api.call('GET', '/api/auth/me', undefined, bearer(short))).body.detail), /expired/)
  })

  test('after the issuer rotates its key, new tokens are accepted (and tokens of the old key still are)', async () => {
    const before = await oidc.token({ subject: 'rita', roles: ['viewer'] })
    assert.equal((await product.api.call('GET', '/api/auth/me', undefined, bearer(before))).status, 200)
    await oidc.rotateKeys()
    const rotated = await oidc.token({ subject: 'rita', roles: ['viewer'] })
    await waitFor(async () => (await product.api.call('GET', '/api/auth/me', undefined, bearer(rotated))).status === 200, { timeoutMs: 15_000, intervalMs: 500, describe: () => 'a token of the new key was never accepted' })
    assert.equal((await product.api.call('GET', '/api/auth/me', undefined, bearer(before))).status, 200)
  })
})

describe('rate limit', () => {
  test('one caller past LOOM_RATE_LIMIT requests a minute gets 429 with Retry-After; another caller is not held up', async () => {
    const db = await cloneDatabase()
    const gw = await startGateway(testConfig(db.url, { auth: { enabled: true, rateLimitPerMinute: 3, scheduleMinSeconds: 60 } }))
    try {
      const api = apiClient(gw.url)
      // The test client makes someone-else's key with the admin's: that is the admin's first request of three.
      assert.equal((await api.call('GET', '/api/auth/me', undefined, as('someone-else'))).status, 200)
      for (let i = 0; i < 2; i++) assert.equal((await api.get('/api/auth/me')).status, 200)
      const limited = await api.get<{ detail: string }>('/api/products')
      assert.equal(limited.status, 429)
      assert.ok(Number(limited.headers.get('retry-after')) > 0)
      assert.match(limited.body.detail, /More than 3 requests a minute from one caller/)
      assert.equal((await api.call('GET', '/api/auth/me', undefined, as('someone-else'))).status, 200)
    } finally {
      await gw.close()
      await db.drop()
    }
  })
})

describe('Temporal holds only ciphertext', () => {
  test("a whole create_node's history: every payload encrypted, no configuration, answer or key in the clear; the codec endpoint opens them for readers only", async () => {
    const started = await product.api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: 'lon-pe1' }, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const id = started.body.id
    await product.api.waitForProcess(id, (p) => p.status === 'waiting')
    assert.equal((await product.api.call('PUT', `/api/processes/${id}/resume`, { confirm_config_applied: true }, as('bob'))).status, 200)
    await product.api.waitForProcess(id, (p) => p.status === 'completed')

    // As Temporal's operators and its Web UI see it: a client without Loom's keys.
    const connection = await Connection.connect({ address: testTemporalAddress() })
    let history: string
    try {
      history = historyToJSON(await new Client({ connection }).workflow.getHandle(id).fetchHistory())
    } finally {
      await connection.close()
    }
    const payloads = payloadsOf(JSON.parse(history))
    assert.ok(payloads.length > 20, `only ${payloads.length} payloads`)
    // The SDK's own bookkeeping (which patches a run took, a local activity's sequence number) is not a payload of
    // Loom's: Temporal must read it and it carries nothing of a customer's (the checks below look at all of it).
    const clear = payloads.filter((p) => !isBookkeeping(p) && Buffer.from(p.metadata?.encoding ?? '', 'base64').toString() !== 'binary/encrypted')
    assert.deepEqual(clear.map((p) => `${p.path}: ${Buffer.from(p.metadata?.encoding ?? '', 'base64').toString()} ${Buffer.from(p.data ?? '', 'base64').toString().slice(0, 60)}`), [])
    for (const secret of ['frr defaults', 'confirm_config_applied', 'hostname lon-pe1', adminKey()]) assert.ok(!history.includes(secret), `${secret} is in the history`)

    const sample = { payloads: payloads.filter((p) => !isBookkeeping(p)).slice(0, 3).map(({ path: _, ...p }) => p) }
    const decoded = await product.api.call<{ payloads: { metadata: Record<string, string>; data: string }[] }>('POST', '/codec/decode', sample, as('vera'))
    assert.equal(decoded.status, 200, JSON.stringify(decoded.body))
    assert.ok(decoded.body.payloads.every((p) => Buffer.from(p.metadata.encoding, 'base64').toString().startsWith('json/')))
    assert.ok(decoded.body.payloads.some((p) => Buffer.from(p.data, 'base64').toString().includes(id)))
    assert.equal((await product.api.call('POST', '/codec/decode', sample, anonymously)).status, 401)
    // A viewer reads what the API shows, not activity inputs (configurations): the codec is for operators.
    assert.equal((await product.api.call('POST', '/codec/decode', sample, asOnly('vic', 'viewer'))).status, 403)
  })
})
