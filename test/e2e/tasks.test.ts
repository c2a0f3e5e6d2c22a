// Tasks and schedules through the API, on the real Temporal dev server and PostgreSQL: "resume all suspended
// processes" retries what is suspended; "validate all active subscriptions" starts a validate process for each
// (reporting the locked ones); a schedule starts a task through the API as schedule:<id>, and is deleted.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { ProcessStartedDto, ScheduleDto } from '#contracts/index.js'
import { waitFor } from '#runtime/index.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { quietTemporalRuntime, testConfig, testDataConverter, testTemporalAddress } from '../support/env.js'
import { Client, Connection } from '@temporalio/client'
import { RUN_SCHEDULED_TASK } from '#workflows/names.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import pg from 'pg'

let db: TestDatabase
let loom: LoomWorker
let running: Promise<void> | undefined
let gw: RunningGateway
let api: ApiClient
let sql: pg.Client
let taskQueue: string

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  await seed(db.url, plannedRouters('task', 3))
  const config = testConfig(db.url)
  taskQueue = config.taskQueue
  gw = await startGateway(config)
  // Tasks act through this gateway's API.
  loom = await createLoomWorker({ ...config, publicUrl: gw.url })
  running = loom.run()
  api = apiClient(gw.url)
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})
after(async () => {
  for (const s of (await api.get<{ items: ScheduleDto[] }>('/api/schedules')).body.items) await api.call('DELETE', `/api/schedules/${s.id}`)
  if (running) {
    loom.shutdown()
    await running
  }
  await sql?.end()
  await gw?.close()
  await db?.drop()
})

const start = async (workflow: string, body: unknown = {}) => {
  const res = await api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, body, as('olivia'))
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id
}

/** An active node subscription, enrolled through create_node and its input step. */
async function activeNode(router: string): Promise<string> {
  const id = await start('create_node', { router })
  await api.waitForProcess(id, (p) => p.pending_input !== null)
  assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { confirm_config_applied: true })).status, 200)
  return (await api.waitForProcess(id, (p) => p.status === 'completed')).subscription_ids[0]
}

describe('tasks', () => {
  test('task_resume_all retries every suspended process', async () => {
    // No IPv4 loopback pool: create_node suspends at allocate_loopback_ipv4.
    const pool = (await api.get<{ name: string; prefix: string; role: string }>('/api/ipam/pools/loopbacks-v4')).body
    assert.equal((await api.call('DELETE', '/api/ipam/pools/loopbacks-v4')).status, 204)
    const stuck = await start('create_node', { router: 'task-r3' })
    const suspended = await api.waitForProcess(stuck, (p) => p.status === 'suspended')
    assert.deepEqual(suspended.suspended.map((s) => s.step), ['allocate_loopback_ipv4'])
    // The cause is fixed; the task retries it.
    assert.equal((await api.call('POST', '/api/ipam/pools', { name: pool.name, prefix: pool.prefix, role: pool.role })).status, 201)
    const task = await start('task_resume_all')
    const done = await api.waitForProcess(task, (p) => p.status === 'completed')
    const resumed = done.steps.find((s) => s.name === 'resume_processes')!
    assert.deepEqual(resumed.state_delta, { resumed: [{ id: stuck, status: 200 }] })
    const process = await api.waitForProcess(stuck, (p) => p.status === 'waiting')
    assert.equal(process.pending_input!.step, 'provide_config_to_user', 'the retried step succeeded and the process went on')
    await recordHistoryIfAsked(task, 'tasks', 'task_resume_all')
    assert.equal((await api.call('PUT', `/api/processes/${stuck}/abort`, {})).status, 200)
  })

  test('task_validate_subscriptions starts a validate process for every active subscription; a locked one is reported, not waited for', async () => {
    const [a, b] = [await activeNode('task-r1'), await activeNode('task-r2')]
    // b is held by another process (the oldest one here).
    await sql.query(`UPDATE subscriptions SET locked_by = (SELECT id FROM processes ORDER BY created_at LIMIT 1) WHERE id = $1`, [b])
    const task = await start('task_validate_subscriptions')
    const done = await api.waitForProcess(task, (p) => p.status === 'completed')
    const outcomes = (done.steps.find((s) => s.name === 'start_validations')!.state_delta as { started: { id: string; status: number; process_id?: string; detail?: string }[] }).started
    const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]))
    assert.equal(byId[a].status, 201)
    assert.equal(byId[b].status, 409)
    assert.match(String(byId[b].detail), /is locked by process/)
    const validation = await api.waitForProcess(byId[a].process_id!, (p) => p.status === 'completed')
    assert.deepEqual([validation.workflow, validation.created_by], ['validate_node', `task:${task}`])
    await recordHistoryIfAsked(task, 'tasks', 'task_validate_subscriptions')
    await sql.query(`UPDATE subscriptions SET locked_by = NULL WHERE id = $1`, [b])
  })
})

describe('schedules', () => {
  test('a run_scheduled_task started straight in Temporal, with arguments the API did not sign, starts nothing', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() })
    try {
      const client = new Client({ connection, dataConverter: testDataConverter() })
      const forged = { schedule_id: 'loom-forged', workflow: 'task_resume_all', input: {}, created_by: 'key:victim', signature: 'AAAA' }
      const run = await client.workflow.start(RUN_SCHEDULED_TASK, { taskQueue: taskQueue, workflowId: `forged-${Date.now()}`, args: [forged] })
      const causes = (e: unknown): string => (e instanceof Error ? `${e.message} ${causes(e.cause)}` : '')
      await assert.rejects(run.result(), (error: Error) => /not the ones the Loom API signed/.test(causes(error)))
      const started = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM processes WHERE created_by = 'schedule:loom-forged'`)).rows[0].n
      assert.equal(started, 0)
    } finally {
      await connection.close()
    }
  })

  test('a schedule starts its workflow through the API, as schedule:<id>, until it is deleted', async () => {
    const bad = await api.call<{ errors: { path: string }[] }>('POST', '/api/schedules', { workflow: 'task_resume_all', every: 'soon' })
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors.map((e) => e.path), ['every'])
    assert.equal((await api.call('POST', '/api/schedules', { workflow: 'task_resume_all', every: '1 hour', cron: '0 3 * * *' })).status, 422)
    assert.equal((await api.call('POST', '/api/schedules', { workflow: 'no_such_workflow', every: '1 hour' })).status, 404)
    const badInput = await api.call<{ errors: { path: string }[] }>('POST', '/api/schedules', { workflow: 'task_resume_all', every: '1 hour', input: { extra: 1 } })
    assert.equal(badInput.status, 422, 'the input is checked against the start form now')

    const created = await api.call<ScheduleDto>('POST', '/api/schedules', { workflow: 'task_resume_all', every: '2 seconds', description: 'test' }, as('olivia'))
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const schedule = created.body
    assert.match(schedule.id, /^loom-/)
    assert.deepEqual([schedule.workflow, schedule.every, schedule.cron, schedule.created_by], ['task_resume_all', '2 seconds', null, 'key:olivia'])
    assert.ok(schedule.next_runs.length > 0)
    const listed = await api.get<{ items: ScheduleDto[]; total: number }>('/api/schedules')
    assert.deepEqual(listed.body.items.map((s) => s.id), [schedule.id])

    let runs: { id: string; status: string }[] = []
    await waitFor(
      async () => {
        runs = (await sql.query<{ id: string; status: string }>(`SELECT id::text, status::text FROM processes WHERE workflow = 'task_resume_all' AND created_by = $1`, [`schedule:${schedule.id}`])).rows
        return runs.some((r) => r.status === 'completed')
      },
      { timeoutMs: 30_000, describe: () => `no scheduled run completed: ${JSON.stringify(runs)}` },
    )
    assert.equal((await api.call('DELETE', `/api/schedules/${schedule.id}`)).status, 204)
    assert.equal((await api.get(`/api/schedules/${schedule.id}`)).status, 404)
    assert.equal((await api.call('DELETE', `/api/schedules/${schedule.id}`)).status, 404)
    const runsSoFar = async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM processes WHERE created_by = $1`, [`schedule:${schedule.id}`])).rows[0].n
    await new Promise((resolve) => setTimeout(resolve, 1500)) // a run fired just before the delete starts its process meanwhile
    const after = await runsSoFar()
    await new Promise((resolve) => setTimeout(resolve, 5000)) // two and a half intervals
    assert.equal(await runsSoFar(), after, 'no new runs once deleted')
  })
})

