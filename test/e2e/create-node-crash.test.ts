// kill -9 of the worker while create_node waits or runs: a new worker finishes the process with exactly one
// subscription, one DCIM update and every step logged once.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { configToEnv, type LoomConfig } from '#config/index.js'
import type { ProcessDto } from '#contracts/index.js'
import { projectRoot } from '#runtime/index.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { childEnv, testConfig } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { type Child, readyOf, spawnNode, stopChild } from '../support/processes.js'

const WORKER_MAIN = join(projectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js')

let db: TestDatabase
let config: LoomConfig & { databaseUrl: string }
let gw: RunningGateway
let api: ApiClient
let sql: pg.Client
const workers: Child[] = []

function startWorker(): Child {
  const worker = spawnNode(WORKER_MAIN, childEnv(configToEnv(config)))
  workers.push(worker)
  return worker
}

before(async () => {
  db = await cloneDatabase()
  await seed(db.url, plannedRouters('crash', 2))
  config = testConfig(db.url)
  gw = await startGateway(config)
  api = apiClient(gw.url)
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

after(async () => {
  await Promise.all(workers.map((w) => stopChild(w, 'SIGKILL')))
  await sql?.end()
  await gw?.close()
  await db?.drop()
})

async function assertExactlyOnce(processId: string, router: string) {
  const done = await api.waitForProcess(processId, (p) => p.status === 'completed', 60_000)
  assert.ok(done.steps.every((s) => s.status === 'success'), JSON.stringify(done.steps))
  const subscriptions = await sql.query(`SELECT lifecycle::text, insync FROM subscriptions s JOIN process_subscriptions ps ON ps.subscription_id = s.id WHERE ps.process_id = $1`, [processId])
  assert.deepEqual(subscriptions.rows, [{ lifecycle: 'active', insync: true }], 'exactly one subscription, active')
  const device = await sql.query(`SELECT status::text, version FROM dcim_devices WHERE name = $1`, [router])
  assert.deepEqual(device.rows, [{ status: 'active', version: 2 }], 'exactly one DCIM update')
  const steps = await sql.query(`SELECT name, count(*)::int AS n FROM process_steps WHERE process_id = $1 GROUP BY name`, [processId])
  assert.equal(steps.rows.length, 11, "ten steps and the group of the input step")
  assert.ok(steps.rows.every((r: { n: number }) => r.n === 1), JSON.stringify(steps.rows))
  const allocations = await sql.query(`SELECT purpose FROM ipam_allocations WHERE subscription_id = (SELECT subscription_id FROM process_subscriptions WHERE process_id = $1) ORDER BY purpose`, [processId])
  assert.deepEqual(allocations.rows.map((r: { purpose: string }) => r.purpose), ['loopback_ipv4', 'loopback_ipv6'], 'one loopback of each family, however often retried')
  return done
}

describe('create_node survives kill -9 of its worker', () => {
  test('killed while waiting for input: a new worker takes the answer and completes', async () => {
    const first = startWorker()
    await readyOf(first)
    const started = await api.call<{ id: string }>('POST', '/api/processes/create_node', { router: 'crash-r1' })
    assert.equal(started.status, 201)
    await api.waitForProcess(started.body.id, (p) => p.pending_input !== null)
    first.child.kill('SIGKILL')
    await first.exited

    // With no worker at all, the process still shows what it waits for (from the permanent log).
    const orphaned = await api.get<ProcessDto>(`/api/processes/${started.body.id}`)
    assert.equal(orphaned.body.status, 'waiting')
    assert.equal(orphaned.body.pending_input?.step, 'provide_config_to_user')
    assert.match(String(orphaned.body.pending_input?.data.config), /^hostname crash-r1$/m)

    await readyOf(startWorker())
    const answered = await api.call<ProcessDto>('PUT', `/api/processes/${started.body.id}/resume`, { confirm_config_applied: true }, as('carol'))
    assert.equal(answered.status, 200, JSON.stringify(answered.body))
    const done = await assertExactlyOnce(started.body.id, 'crash-r1')
    assert.equal(done.steps.find((s) => s.name === 'provide_config_to_user')!.answered_by, 'key:carol')
  })

  test('killed while its steps run: a new worker retries them and nothing happens twice', async () => {
    const first = startWorker()
    await readyOf(first)
    const started = await api.call<{ id: string }>('POST', '/api/processes/create_node', { router: 'crash-r2' })
    await api.waitForProcess(started.body.id, (p) => p.pending_input !== null)
    const answered = await api.call('PUT', `/api/processes/${started.body.id}/resume`, { confirm_config_applied: true })
    assert.equal(answered.status, 200)
    first.child.kill('SIGKILL') // the remaining steps were running or about to
    await first.exited

    await readyOf(startWorker())
    await assertExactlyOnce(started.body.id, 'crash-r2')
  })
})
