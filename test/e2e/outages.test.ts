// Temporal and PostgreSQL stopped under load, and started again (each the test's own, test/support/outage.ts):
// every request that needs what is down answers 503 with Retry-After naming it, in bounded time; requests that do
// not need it are served meanwhile (a start waiting on Temporal holds no database connection); health names what
// is down; a start refused leaves nothing behind; the processes already running go on once it is back.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { configToEnv, type LoomConfig } from '#config/index.js'
import type { HealthDto, ProcessStartedDto } from '#contracts/index.js'
import { POOL_SIZE } from '#persistence/prisma.service.js'
import { projectRoot, waitFor } from '#runtime/index.js'
import { type ApiClient, type ApiResponse, apiClient } from '../support/api.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { childEnv, testConfig } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { ownPostgres, ownTemporal } from '../support/outage.js'
import { type Child, readyOf, spawnNode, stopChild } from '../support/processes.js'

const WORKER_MAIN = join(projectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js')
/** More starts at once than the gateway has database connections: one held per start would starve the rest. */
const BURST = POOL_SIZE * 3
/** a request that needs what is down is answered within this (the start's 10 s deadline for Temporal, with room) */
const ANSWER_BOUND_MS = 25_000
/** a read served while starts wait on Temporal: well under the 10 s a start waits (and would hold a connection) */
const READ_BOUND_MS = 8000

let temporal: Awaited<ReturnType<typeof ownTemporal>>
let postgres: Awaited<ReturnType<typeof ownPostgres>>
let config: LoomConfig & { databaseUrl: string }
let gw: RunningGateway
let api: ApiClient
let worker: Child
let routers = 0

before(async () => {
  ;[temporal, postgres] = await Promise.all([ownTemporal(), ownPostgres()])
  await seed(postgres.databaseUrl, plannedRouters('out', 4 * BURST))
  config = testConfig(postgres.databaseUrl, { temporalAddress: temporal.address })
  gw = await startGateway(config)
  api = apiClient(gw.url)
  worker = spawnNode(WORKER_MAIN, childEnv(configToEnv(config)))
  await readyOf(worker)
})

after(async () => {
  if (worker) await stopChild(worker, 'SIGKILL')
  await gw?.close()
  await Promise.all([temporal?.close(), postgres?.close()])
})

const startNode = () => api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: `out-r${++routers}` })
const timed = async <T>(request: () => Promise<T>) => {
  const at = Date.now()
  const answer = await request()
  return { answer, ms: Date.now() - at }
}

async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres.databaseUrl })
  await client.connect()
  try {
    return (await client.query(text, values)).rows as T[]
  } finally {
    await client.end()
  }
}

/** 503, problem+json, Retry-After, and the detail naming what is down. */
function assertUnavailable(a: ApiResponse<unknown>, names: RegExp, what: string) {
  assert.equal(a.status, 503, `${what}: ${a.status} ${JSON.stringify(a.body)}`)
  assert.match(a.headers.get('content-type') ?? '', /^application\/problem\+json/, what)
  assert.match(a.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, what)
  assert.match(String((a.body as { detail?: unknown }).detail), names, what)
}

async function health(): Promise<ApiResponse<HealthDto>> {
  return api.get<HealthDto>('/api/health')
}

/** Starts create_node and waits until it asks for its input: a process in flight across the outage. */
async function inFlight(): Promise<string> {
  const started = await startNode()
  assert.equal(started.status, 201, JSON.stringify(started.body))
  await api.waitForProcess(started.body.id, (p) => p.pending_input !== null, 60_000)
  return started.body.id
}

async function finish(id: string) {
  const answered = await api.call('PUT', `/api/processes/${id}/resume`, { confirm_config_applied: true })
  assert.equal(answered.status, 200, JSON.stringify(answered.body))
  const done = await api.waitForProcess(id, (p) => p.completed_at !== null, 120_000)
  assert.equal(done.status, 'completed', JSON.stringify(done.failure))
}

describe('outages of Temporal and PostgreSQL under load', () => {
  test(`Temporal stopped: ${BURST} starts answer 503 naming Temporal, leave nothing behind; reads go on; health names Temporal; running processes go on after`, async () => {
    const running = await inFlight()
    const before = await query<{ processes: number; claims: number; locked: number }>(
      `SELECT (SELECT count(*)::int FROM processes) AS processes, (SELECT count(*)::int FROM resource_claims) AS claims, (SELECT count(*)::int FROM subscriptions WHERE locked_by IS NOT NULL) AS locked`,
    )
    await temporal.stop()
    try {
      const starts = Promise.all(Array.from({ length: BURST }, () => timed(startNode)))
      // Meanwhile, requests that need only the database: served, though every start waits on Temporal.
      const reads = await Promise.all(Array.from({ length: BURST }, (_, i) => timed(() => api.get(i % 2 ? '/api/subscriptions?limit=5' : `/api/processes/${running}`))))
      for (const { answer, ms } of reads) {
        assert.equal(answer.status, 200, `a read while Temporal is down: ${answer.status} ${JSON.stringify(answer.body)} after ${ms} ms`)
        // Not queued behind the starts (a start holding a connection would hold it for its whole 10 s wait), and a
        // process's own read gives up on Temporal within its 2 s deadlines.
        assert.ok(ms < READ_BOUND_MS, `a read while Temporal is down took ${ms} ms`)
      }

      const h = await health()
      assert.equal(h.status, 503)
      assert.equal(h.body.database, 'ok')
      assert.match(h.body.temporal, new RegExp(`^unreachable: Temporal at ${temporal.address}: \\S`))

      for (const { answer, ms } of await starts) {
        assertUnavailable(answer, new RegExp(`cannot start create_node on Temporal at ${temporal.address}`), 'a start while Temporal is down')
        assert.ok(ms < ANSWER_BOUND_MS, `answered after ${ms} ms`)
      }
      const left = await query(
        `SELECT (SELECT count(*)::int FROM processes) AS processes, (SELECT count(*)::int FROM resource_claims) AS claims, (SELECT count(*)::int FROM subscriptions WHERE locked_by IS NOT NULL) AS locked`,
      )
      assert.deepEqual(left, before, 'no process, claim or lock of a refused start is left')
    } finally {
      await temporal.start()
    }
    await waitFor(async () => (await health()).status === 200, { timeoutMs: 60_000, describe: () => 'health never came back' })
    // The one in flight goes on; new starts work again.
    await finish(running)
    await finish(await inFlight())
  })

  test(`PostgreSQL stopped: ${BURST} starts and reads answer 503 naming the database; health names it; all is served again after, and the processes in flight complete`, async () => {
    const waiting = await inFlight()
    // This one runs its steps while the database is away: its activities are retried until it is back.
    const stepping = await inFlight()
    await api.call('PUT', `/api/processes/${stepping}/resume`, { confirm_config_applied: true }).then((a) => assert.equal(a.status, 200, JSON.stringify(a.body)))
    await postgres.stop()
    try {
      const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => timed<ApiResponse<unknown>>(() => (i % 2 ? startNode() : api.get('/api/subscriptions?limit=5')))))
      for (const { answer, ms } of answers) {
        assertUnavailable(answer, /database/, 'a request while PostgreSQL is down')
        assert.ok(ms < ANSWER_BOUND_MS, `answered after ${ms} ms`)
      }
      const h = await health()
      assert.equal(h.status, 503)
      assert.equal(h.body.temporal, 'ok')
      assert.match(h.body.database, /^unreachable/)
    } finally {
      await postgres.start()
    }
    await waitFor(async () => (await health()).status === 200, { timeoutMs: 60_000, describe: () => 'health never came back' })
    await finish(waiting)
    const done = await api.waitForProcess(stepping, (p) => p.completed_at !== null, 120_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    await finish(await inFlight())
  })
})
