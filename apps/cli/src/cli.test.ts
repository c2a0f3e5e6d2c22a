import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { freePort, projectRoot } from '#runtime/index.js'
import { gatewayOnFreshDatabase } from '../../../test/support/gateway.js'
import { adminKey, authorized } from '../../../test/support/api.js'

const CLI = join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js')
/** Runs the CLI without blocking this process, which serves the gateway it talks to. */
const loom = (...args: string[]) => loomWith({}, ...args)
const loomWith = (env: Record<string, string>, ...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 30_000, env: { ...process.env, LOOM_API_KEY: adminKey(), ...env } }, (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }))
  })

describe('loom health', () => {
  const gw = gatewayOnFreshDatabase()

  test('prints each dependency and exits 0 when all are ok', async () => {
    const run = await loom('--api', gw.url, 'health')
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^status +ok$/m)
    assert.match(run.stdout, /^temporal +ok$/m)
    assert.match(run.stdout, /^database +ok$/m)
  })

  test('exits 1 naming the URL when the API cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const run = await loom('--api', url, 'health')
    assert.equal(run.status, 1)
    assert.match(run.stderr, new RegExp(`cannot reach ${url}`))
  })
})

describe('loom workflow list', () => {
  const gw = gatewayOnFreshDatabase()

  test('prints every workflow by name with its target, product and whether the API starts it; --json gives the lists (code and custom)', async () => {
    const run = await loom('--api', gw.url, 'workflow', 'list')
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^name +kind +target +product +startable +description$/m)
    assert.match(run.stdout, /^create_node +code +CREATE +node +yes +Enrol a planned router/m)
    assert.match(run.stdout, /^create_port +code +CREATE +port +yes /m)
    const json = await loom('--api', gw.url, 'workflow', 'list', '--json')
    assert.equal(json.status, 0, json.stderr)
    const listed = (JSON.parse(json.stdout) as { code: { name: string }[] }).code
    const api = (await (await fetch(`${gw.url}/api/workflows`, { headers: authorized() })).json()) as { items: { name: string }[] }
    assert.deepEqual(listed.map((w) => w.name), api.items.map((w) => w.name))
  })
})

describe('loom keys and whoami', () => {
  const gw = gatewayOnFreshDatabase()

  test('an administrator makes a key for someone, who sees themselves with it; listed without the key; revoked, it stops working', async () => {
    const made = await loom('--api', gw.url, 'keys', 'create', '--name', 'night shift', '--owner', 'nina', '--roles', 'operator,change-board', '--json')
    assert.equal(made.status, 0, made.stderr)
    const key = JSON.parse(made.stdout) as { id: string; key: string; owner: string; roles: string[] }
    assert.match(key.key, /^loom_/)
    assert.deepEqual([key.owner, key.roles], ['key:nina', ['operator', 'change-board']])

    const me = await loomWith({ LOOM_API_KEY: key.key }, '--api', gw.url, 'whoami')
    assert.equal(me.status, 0, me.stderr)
    assert.match(me.stdout, /^key:nina \(api_key\)$/m)
    assert.match(me.stdout, /^permissions .*processes\.start/m)

    const list = await loom('--api', gw.url, 'keys', 'list')
    assert.equal(list.status, 0, list.stderr)
    assert.match(list.stdout, new RegExp(`^${key.id} +loom_\\S+… +key:nina +operator,change-board +active`, 'm'))
    assert.doesNotMatch(list.stdout, new RegExp(key.key))

    const revoked = await loom('--api', gw.url, 'keys', 'revoke', key.id)
    assert.equal(revoked.status, 0, revoked.stderr)
    const refused = await loomWith({ LOOM_API_KEY: key.key }, '--api', gw.url, 'whoami')
    assert.equal(refused.status, 1)
    assert.match(refused.stderr, /the API refused the key from LOOM_API_KEY: API key loom_\S+… was revoked/)
  })

  test('without a key: exit 2 saying where it looked', async () => {
    const run = await loomWith({ LOOM_API_KEY: '', LOOM_DATA_DIR: '/nonexistent-loom' }, '--api', gw.url, 'workflow', 'list')
    assert.equal(run.status, 2)
    assert.match(run.stderr, /no API key: set LOOM_API_KEY, or run where `npm start` wrote \/nonexistent-loom\/admin-api-key/)
  })
})

describe('loom fleet seed', () => {
  const gw = gatewayOnFreshDatabase()

  test('loads the ACME fleet into the built-in DCIM, once; the DCIM then lists its devices', async () => {
    const run = await loom('--api', gw.url, 'fleet', 'seed')
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, 'ACME fleet: 848 devices (848 added)\n')
    const again = await loom('--api', gw.url, 'fleet', 'seed', '--fleet', 'acme', '--json')
    assert.equal(again.status, 0, again.stderr)
    assert.deepEqual(JSON.parse(again.stdout), { fleet: 'acme', added: 0, total: 848 })

    const earth = (await (await fetch(`${gw.url}/api/dcim/devices?site=earth`, { headers: authorized() })).json()) as { items: { name: string; role: string; rack: string | null; os_version: string | null }[]; total: number }
    assert.equal(earth.total, 106)
    const leaf = earth.items.find((d) => d.name === 'leaf99.earth')!
    assert.deepEqual([leaf.role, leaf.rack, leaf.os_version], ['leaf', 'rack49', '5.2.3'])
    const spines = (await (await fetch(`${gw.url}/api/dcim/devices?role=spine`, { headers: authorized() })).json()) as { total: number }
    assert.equal(spines.total, 32)
  })

  test("an unknown fleet: exit 1 with the API's 404", async () => {
    const run = await loom('--api', gw.url, 'fleet', 'seed', '--fleet', 'globex')
    assert.equal(run.status, 1)
    assert.match(run.stderr, /^fleet seed: 404 Not found: Loom has no demo fleet globex \(it has acme\)$/m)
  })
})

