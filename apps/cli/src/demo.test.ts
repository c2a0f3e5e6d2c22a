// `loom demo` against a gateway and a worker on npm start's demo data (the manual driver, as npm start runs):
// seed 002's story completes, each process's steps printed, and the API shows what it made.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { demoDevices } from '#persistence/index.js'
import { projectRoot } from '#runtime/index.js'
import { adminKey, apiClient } from '../../../test/support/api.js'
import { loomStack } from '../../../test/support/loom.js'

const CLI = join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js')
const loom = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 300_000, env: { ...process.env, LOOM_API_KEY: adminKey() } }, (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }))
  })

const product = loomStack({ devices: demoDevices(projectRoot()) })
before(() => product.start())
after(() => product.stop())

describe('loom demo', () => {
  test("runs seed 002's story on the demo routers, printing every process and step; the API shows the result", async () => {
    const run = await loom('--api', product.url, 'demo')
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`)
    for (const workflow of ['create_node', 'create_port', 'create_circuit', 'modify_circuit_mode', 'validate_node', 'drain_node', 'restore_node', 'terminate_circuit']) assert.match(run.stdout, new RegExp(`^▶ ${workflow}: `, 'm'))
    assert.match(run.stdout, /^ {2}\? provide_config_to_user: answered/m, 'the manual driver: configuration confirmed as the NOC would')
    assert.match(run.stdout, /^ {2}\? approve_termination: answered/m)
    assert.match(run.stdout, /^ {2}✓ set_status_active$/m)
    // ams-pe1 is on two circuits of the ring: both drained by sub-processes (confirmed as the NOC would), then restored.
    assert.match(run.stdout, /^ {4}\? provide_config_to_user: answered/m, 'a sub-process waits for its configuration too')
    assert.equal(run.stdout.match(/^ {4}↳ modify_circuit_mode [\da-f-]+: completed/gm)?.length, 4, run.stdout)
    assert.match(run.stdout, /^ {2}= 2 circuits moved$/m)
    assert.match(run.stdout, /^done: 3 nodes, 3 circuits \(2 in service, 1 terminated\)/m)

    const api = apiClient(product.url)
    const circuits = (await api.get<{ items: { lifecycle: string; domain_model: { circuit: { mode: string } } }[] }>('/api/subscriptions?product=circuit_10g')).body.items
    assert.deepEqual(circuits.map((c) => c.lifecycle).sort(), ['active', 'active', 'terminated'])
    assert.equal((await api.get<{ total: number }>('/api/subscriptions?product=node&lifecycle=active')).body.total, 3)

    // Again: what exists is reused, and another circuit ring is made from what is free.
    const again = await loom('--api', product.url, 'demo', '--routers', 'ams-pe1,fra-pe1')
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`)
    assert.match(again.stdout, /^= node ams-pe1 is enrolled already/m)
  })

  test('a router that does not exist: exit 1 naming the refusal', async () => {
    const run = await loom('--api', product.url, 'demo', '--routers', 'ams-pe1,nowhere-pe9')
    assert.equal(run.status, 1)
    assert.match(run.stderr, /create_node \(enrol nowhere-pe9\) was refused: 422/)
  })
})
