// A workflow closed outside Loom — here terminated with the real Temporal CLI, as an operator would from a shell —
// must not leave its process waiting forever with its claims and locks: the worker's reconciler ends it `failed`,
// naming what Temporal reports, and gives back what it held.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { Client, Connection } from '@temporalio/client'
import pg from 'pg'
import { v7 as uuidv7 } from 'uuid'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import { waitFor } from '#runtime/index.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { quietTemporalRuntime, testConfig, testTemporalAddress, testTemporalCli, uniqueTaskQueue } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'

const run = promisify(execFile)

let db: TestDatabase
let loom: LoomWorker
let running: Promise<void>
let gw: RunningGateway
let api: ApiClient
let sql: pg.Client

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  await seed(db.url, plannedRouters('rec', 2))
  const config = testConfig(db.url)
  // Short, so that the test need not wait for the production interval; nothing below is timed against it.
  loom = await createLoomWorker(config, { reconciler: { intervalMs: 300, minAgeMs: 500, notFoundGraceMs: 1500 } })
  running = loom.run()
  gw = await startGateway(config)
  api = apiClient(gw.url)
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

after(async () => {
  await sql?.end()
  await gw?.close()
  loom?.shutdown()
  await running
  await db?.drop()
})

const start = (router: string) => api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router }, as('alice'))
const terminate = (id: string, reason: string) =>
  run(testTemporalCli(), ['workflow', 'terminate', '--address', testTemporalAddress(), '--namespace', 'default', '--workflow-id', id, '--reason', reason])

async function heldBy(id: string): Promise<{ claims: string[]; locked: { id: string; insync: boolean }[] }> {
  const claims = await sql.query<{ key: string }>(`SELECT resource_type || ':' || resource_key AS key FROM resource_claims WHERE process_id = $1 ORDER BY 1`, [id])
  const locked = await sql.query<{ id: string; insync: boolean }>(`SELECT id::text, insync FROM subscriptions WHERE locked_by = $1`, [id])
  return { claims: claims.rows.map((r) => r.key), locked: locked.rows }
}

describe('the reconciler', () => {
  test('a process whose workflow is terminated with the Temporal CLI ends failed, naming the reason, and releases its claims and locks', async () => {
    const started = await start('rec-r1')
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const id = started.body.id
    const waiting = await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input !== null, 60_000)
    assert.equal(waiting.current_step, 'provide_config_to_user')
    const [subscriptionId] = waiting.subscription_ids

    const held = await heldBy(id)
    assert.ok(held.claims.includes('dcim_device:rec-r1'), JSON.stringify(held))
    assert.deepEqual(held.locked, [{ id: subscriptionId, insync: false }])
    assert.equal((await start('rec-r1')).status, 422, 'a router being enrolled is not free')

    await terminate(id, 'operator cleanup')

    // Meanwhile (before or after the reconciler has come by) an abort is refused at once: there is no workflow to abort.
    const abort = await api.call<ProcessDto & { detail?: string }>('PUT', `/api/processes/${id}/abort`, { reason: 'too late' }, as('olivia'))
    assert.equal(abort.status, 409, JSON.stringify(abort.body))
    assert.match(String(abort.body.detail), /has ended|has already ended \(failed\)/)

    const ended = await api.waitForProcess(id, (p) => p.completed_at !== null, 60_000)
    assert.equal(ended.status, 'failed')
    const failure = ended.failure as { message: string; step: unknown; type: string; details: Record<string, unknown> }
    assert.equal(failure.type, 'WorkflowClosedOutsideLoom')
    assert.equal(failure.step, null)
    assert.match(failure.message, /^the workflow was terminated in Temporal: operator cleanup \(by .+\)$/)
    assert.equal(failure.details.temporal_status, 'TERMINATED')
    assert.equal(failure.details.reason, 'operator cleanup')
    assert.equal(ended.pending_input, null)
    const step = ended.steps.find((s) => s.name === 'provide_config_to_user')!
    assert.equal(step.status, 'failed', 'the step it waited at is not left waiting')

    assert.deepEqual(await heldBy(id), { claims: [], locked: [] })
    const subscription = await sql.query<{ locked_by: string | null; insync: boolean; lifecycle: string }>(`SELECT locked_by::text, insync, lifecycle::text FROM subscriptions WHERE id = $1`, [
      subscriptionId,
    ])
    assert.deepEqual(subscription.rows, [{ locked_by: null, insync: false, lifecycle: 'initial' }])

    // Ended, it stays ended: a second abort says so.
    const again = await api.call<{ detail?: string }>('PUT', `/api/processes/${id}/abort`, {}, as('olivia'))
    assert.equal(again.status, 409)
    assert.match(String(again.body.detail), /has already ended \(failed\)/)

    // The router is free again: a new create_node for it is accepted.
    const retried = await start('rec-r1')
    assert.equal(retried.status, 201, JSON.stringify(retried.body))
    await api.waitForProcess(retried.body.id, (p) => p.status === 'waiting', 60_000)
    await terminate(retried.body.id, 'test over')
  })

  test('a process Temporal has no workflow for is ended once old enough; a sub-process only once its parent has ended', async () => {
    const started = await start('rec-r2')
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const parent = started.body.id
    await api.waitForProcess(parent, (p) => p.status === 'waiting', 60_000)
    // A fan-out step records its sub-processes before it starts their workflows: one waiting for its start.
    const child = uuidv7()
    await sql.query(`INSERT INTO processes (id, workflow, target, status, created_by, parent_id, updated_at) VALUES ($1, 'create_node', 'CREATE', 'created', 'alice', $2, now())`, [child, parent])
    // A process whose workflow is gone (deleted in Temporal, or its history past retention), holding a claim and a lock.
    const orphan = uuidv7()
    const subscription = uuidv7()
    await sql.query(`INSERT INTO processes (id, workflow, target, status, created_by, updated_at) VALUES ($1, 'create_node', 'CREATE', 'waiting', 'alice', now())`, [orphan])
    await sql.query(
      `INSERT INTO subscriptions (id, product, customer_id, description, lifecycle, insync, locked_by, updated_at) VALUES ($1, 'node', 'surf', 'Node orphan', 'initial', false, $2, now())`,
      [subscription, orphan],
    )
    await sql.query(`INSERT INTO resource_claims (resource_type, resource_key, process_id, subscription_id) VALUES ('dcim_device', 'orphan-r1', $1, $2)`, [orphan, subscription])

    const gone = await api.waitForProcess(orphan, (p) => p.completed_at !== null, 60_000)
    assert.equal(gone.status, 'failed')
    assert.deepEqual(
      { ...(gone.failure as Record<string, unknown>), details: undefined },
      { message: 'the workflow was not found in Temporal (namespace "default"): it was deleted there, or its history is past retention', step: null, type: 'WorkflowClosedOutsideLoom', details: undefined },
    )
    assert.deepEqual(await heldBy(orphan), { claims: [], locked: [] })
    // Looked at in the same passes as the orphan, while its parent still runs: left to the parent.
    assert.equal((await api.get<ProcessDto>(`/api/processes/${child}`)).body.completed_at, null)

    await terminate(parent, 'operator cleanup')
    assert.equal((await api.waitForProcess(parent, (p) => p.completed_at !== null, 60_000)).status, 'failed')
    const sub = await api.waitForProcess(child, (p) => p.completed_at !== null, 60_000)
    assert.equal(sub.status, 'failed')
    assert.match(String((sub.failure as { message: string }).message), /not found in Temporal/)
  })

  test('a start recorded whose workflow never began (the gateway died before Temporal answered) is forgotten: no row, claim or lock, the subscription as it was', async () => {
    const id = uuidv7()
    const subscription = uuidv7()
    await sql.query(`INSERT INTO subscriptions (id, product, customer_id, description, lifecycle, insync, updated_at) VALUES ($1, 'node', 'surf', 'Node in use', 'active', true, now())`, [subscription])
    const version = (await sql.query<{ version: number }>(`SELECT version FROM subscriptions WHERE id = $1`, [subscription])).rows[0].version
    // What the gateway's start writes before it asks Temporal: the process, a claim, a quiet lock, a link.
    await sql.query(`INSERT INTO processes (id, workflow, target, status, created_by, updated_at) VALUES ($1, 'modify_node', 'MODIFY', 'created', 'alice', now())`, [id])
    await sql.query(`INSERT INTO resource_claims (resource_type, resource_key, process_id) VALUES ('dcim_device', 'unstarted-r1', $1)`, [id])
    await sql.query(`UPDATE subscriptions SET locked_by = $1 WHERE id = $2`, [id, subscription])
    await sql.query(`INSERT INTO process_subscriptions (process_id, subscription_id) VALUES ($1, $2)`, [id, subscription])

    await waitFor(async () => (await sql.query(`SELECT 1 FROM processes WHERE id = $1`, [id])).rowCount === 0, { timeoutMs: 60_000, describe: () => `process ${id} was not forgotten` })
    assert.deepEqual(await heldBy(id), { claims: [], locked: [] })
    assert.equal((await api.get(`/api/processes/${id}`)).status, 404)
    const after = (await sql.query<{ locked_by: string | null; insync: boolean; version: number }>(`SELECT locked_by, insync, version FROM subscriptions WHERE id = $1`, [subscription])).rows[0]
    assert.deepEqual(after, { locked_by: null, insync: true, version }, 'the subscription is as it was: no version, still in sync')
  })

  test('a process whose workflow timed out in Temporal ends failed, saying so', async () => {
    const id = uuidv7()
    await sql.query(`INSERT INTO processes (id, workflow, target, status, created_by, updated_at) VALUES ($1, 'create_node', 'CREATE', 'running', 'alice', now())`, [id])
    const connection = await Connection.connect({ address: testTemporalAddress() })
    try {
      // No worker polls this queue: the workflow runs into its execution timeout.
      await new Client({ connection }).workflow.start('no_such_workflow', { workflowId: id, taskQueue: uniqueTaskQueue('nobody'), workflowExecutionTimeout: '1 second' })
    } finally {
      await connection.close()
    }
    const ended = await api.waitForProcess(id, (p) => p.completed_at !== null, 60_000)
    assert.equal(ended.status, 'failed')
    const failure = ended.failure as { message: string; type: string; details: Record<string, unknown> }
    assert.equal(failure.type, 'WorkflowClosedOutsideLoom')
    assert.equal(failure.message, 'the workflow timed out in Temporal (its execution or run timeout passed)')
    assert.equal(failure.details.temporal_status, 'TIMED_OUT')
  })
})
