import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { freePort, projectRoot } from '#runtime/index.js'
import { gatewayOnFreshDatabase } from '../../../test/support/gateway.js'

const CLI = join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js')
/** Runs the CLI without blocking this process, which serves the gateway it talks to. */
const loom = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }))
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

  test('prints every workflow by name with its target, product and whether the API starts it; --json gives the list', async () => {
    const run = await loom('--api', gw.url, 'workflow', 'list')
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^name +target +product +startable +description$/m)
    assert.match(run.stdout, /^create_node +CREATE +node +yes +Enrol a planned router/m)
    assert.match(run.stdout, /^create_port +CREATE +port +yes /m)
    const json = await loom('--api', gw.url, 'workflow', 'list', '--json')
    assert.equal(json.status, 0, json.stderr)
    const listed = JSON.parse(json.stdout) as { name: string }[]
    const api = (await (await fetch(`${gw.url}/api/workflows`)).json()) as { items: { name: string }[] }
    assert.deepEqual(listed.map((w) => w.name), api.items.map((w) => w.name))
  })
})
