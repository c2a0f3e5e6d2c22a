import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { temporal } from '@temporalio/proto'
import { configToEnv, type LoomConfig } from '#config/index.js'
import { projectRoot, waitFor } from '#runtime/index.js'
import { SYSTEM_PING } from '#workflows/names.js'
import type { SystemPingResult } from '#workflows/system/system-ping.workflow.js'
import { adminKey, authorized } from '../../../test/support/api.js'
import { cloneDatabase, type TestDatabase } from '../../../test/support/database.js'
import { childEnv, quietTemporalRuntime, testConfig, testTemporalAddress, uniqueTaskQueue, testDataConverter } from '../../../test/support/env.js'
import { type RunningGateway, startGateway } from '../../../test/support/gateway.js'
import type { slow_workflow } from '../../../test/fixtures/workflows.js'
import { type Child, readyOf, spawnNode, stopChild } from '../../../test/support/processes.js'
import { createLoomWorker, type LoomWorker } from './create-worker.js'

const WORKER_MAIN = join(projectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js')
const SLOW_WORKER = join(projectRoot(), 'dist', 'test', 'fixtures', 'slow-worker.js')

let db: TestDatabase
let connection: Connection
let client: Client

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  connection = await Connection.connect({ address: testTemporalAddress() })
  client = new Client({ connection, dataConverter: testDataConverter() })
})
after(async () => {
  await connection?.close()
  await db?.drop()
})

const envFor = (config: LoomConfig, extra: Record<string, string> = {}) => childEnv({ ...configToEnv(config), ...extra })

describe('system_ping through the gateway and a real worker', () => {
  let config: LoomConfig & { databaseUrl: string }
  let loom: LoomWorker
  let running: Promise<void>
  let gw: RunningGateway

  before(async () => {
    config = testConfig(db.url)
    loom = await createLoomWorker(config)
    running = loom.run()
    gw = await startGateway(config)
  })
  after(async () => {
    await gw?.close()
    loom?.shutdown()
    await running
  })

  test('POST /api/system/ping runs the workflow, whose activity reaches the database', async () => {
    const res = await fetch(`${gw.url}/api/system/ping`, { method: 'POST', headers: { authorization: `Bearer ${adminKey()}` } })
    assert.equal(res.status, 200)
    const body = (await res.json()) as SystemPingResult & { round_trip_ms: number }
    assert.equal(body.database, 'ok')
    assert.match(body.server_version, /^\d+/)
    assert.equal(body.worker_pid, process.pid)
    assert.ok(body.round_trip_ms > 0)

    const description = await client.workflow.getHandle(body.workflow_id).describe()
    assert.equal(description.type, SYSTEM_PING)
    assert.equal(description.status.name, 'COMPLETED')
    assert.deepEqual(description.searchAttributes.LoomTarget, ['SYSTEM'])
    assert.deepEqual(description.searchAttributes.LoomCreatedBy, ['key:test-admin'])
  })

  test('a ping with no worker on the task queue is a 503 naming the queue, and leaves no workflow running', async () => {
    const lonely = await startGateway({ ...config, taskQueue: uniqueTaskQueue('nobody') })
    try {
      const res = await fetch(`${lonely.url}/api/system/ping`, {
        method: 'POST',
        headers: authorized({ 'content-type': 'application/json' }),
        body: JSON.stringify({ timeout_s: 1 }),
      })
      assert.equal(res.status, 503)
      const body = (await res.json()) as { detail: string }
      assert.match(body.detail, /no worker answered within 1 s on task queue "test-nobody-[0-9a-f]+"; workflow (\S+) was terminated/)
      const workflowId = /workflow (\S+) was terminated/.exec(body.detail)![1]
      const description = await client.workflow.getHandle(workflowId).describe()
      assert.equal(description.status.name, 'TERMINATED')
    } finally {
      await lonely.close()
    }
  })
})

describe('worker processes', () => {
  test('two worker processes poll one task queue at once and share the work', async () => {
    const config = testConfig(db.url)
    const workers = [spawnNode(WORKER_MAIN, envFor(config)), spawnNode(WORKER_MAIN, envFor(config))]
    try {
      await Promise.all(workers.map((w) => readyOf(w)))
      // Both processes poll: Temporal lists each as a poller of the task queue, with its own identity.
      await waitFor(
        async () => {
          const { pollers } = await connection.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: config.taskQueue },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          })
          return new Set((pollers ?? []).map((p) => p.identity)).size === 2
        },
        { timeoutMs: 15_000, describe: () => 'Temporal never listed two pollers on the task queue' },
      )
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          client.workflow.execute(SYSTEM_PING, { taskQueue: config.taskQueue, workflowId: `${config.taskQueue}-${i}` }) as Promise<SystemPingResult>,
        ),
      )
      const pids = new Set(results.map((r) => r.worker_pid))
      for (const pid of pids) assert.ok(workers.some((w) => w.child.pid === pid), `pid ${pid} is not one of the workers`)
      assert.ok(results.every((r) => r.database === 'ok'))
    } finally {
      const codes = await Promise.all(workers.map((w) => stopChild(w)))
      assert.deepEqual(codes, [0, 0], workers.map((w) => w.output()).join('\n'))
    }
  })

  test('a worker with bad configuration exits 1 naming the variable', async () => {
    const config = testConfig(db.url)
    const bad = spawnNode(WORKER_MAIN, envFor(config, { LOOM_TASK_QUEUE: 'has space' }))
    assert.equal(await bad.exited, 1)
    assert.match(bad.output(), /LOOM_TASK_QUEUE: expected letters, digits/)
  })
})

describe('graceful worker shutdown while an activity runs', () => {
  const markerLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [])

  async function runSlow(graceTime: string, durationMs: number) {
    const config = testConfig(db.url)
    const marker = join(process.env.LOOM_TEST_SCRATCH ?? '/tmp', `${config.taskQueue}.marker`)
    const first = spawnNode(SLOW_WORKER, envFor(config, { FIXTURE_GRACE_TIME: graceTime }))
    let second: Child | undefined
    try {
      await readyOf(first)
      const handle = await client.workflow.start<typeof slow_workflow>('slow_workflow', {
        taskQueue: config.taskQueue,
        workflowId: `${config.taskQueue}-slow`,
        args: [{ marker_file: marker, duration_ms: durationMs }],
      })
      await waitFor(() => markerLines(marker).length > 0, { timeoutMs: 20_000, describe: () => `activity never started:\n${first.output()}` })
      const firstExit = await stopChild(first, 'SIGTERM')
      assert.equal(firstExit, 0, first.output())
      second = spawnNode(SLOW_WORKER, envFor(config))
      await readyOf(second)
      const result = await handle.result()
      return { lines: markerLines(marker), result, firstPid: first.child.pid!, secondPid: second.child.pid! }
    } finally {
      await stopChild(first, 'SIGKILL')
      if (second) await stopChild(second)
    }
  }

  test('within the grace time, the running activity completes on the stopping worker; nothing runs twice', async () => {
    const { lines, result, firstPid } = await runSlow('20 seconds', 1500)
    assert.deepEqual(lines, [`start 1 ${firstPid}`, `done 1 ${firstPid}`])
    assert.deepEqual(result, { pid: firstPid, attempt: 1 })
  })

  test('past the grace time, the activity is cancelled and retried on another worker, never lost', async () => {
    const { lines, result, firstPid, secondPid } = await runSlow('500 ms', 6000)
    assert.equal(lines[0], `start 1 ${firstPid}`)
    assert.ok(!lines.includes(`done 1 ${firstPid}`), lines.join('\n'))
    assert.deepEqual(lines.slice(-2), [`start 2 ${secondPid}`, `done 2 ${secondPid}`])
    assert.deepEqual(result, { pid: secondPid, attempt: 2 })
  })
})
