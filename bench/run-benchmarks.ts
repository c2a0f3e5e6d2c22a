// `npm run bench`: figures that matter to a user, each beside a baseline measured in the same run.
//   1. system_ping through the API (HTTP → gateway → Temporal → worker → PostgreSQL) against a bare Temporal
//      workflow with one no-op activity on a bare worker: throughput and latency, and their ratio.
//   2. create_node through the API, its input step answered by this client (POST, poll, PUT, poll), against a
//      bare workflow with as many no-op activities as create_node schedules and an Update where it waits.
//   3. the subscription store at 100,000 subscriptions: a filtered page, a text search and a detail, p99 against 25 ms
//      and against the gateway's floor (an unknown route), that floor against a minimal node:http server; CPU per request.
//   4. cold start: `npm start`'s launcher until /api/health is 200, first on a new data dir and then again on
//      the same data, against the lower bound of starting the Temporal dev server alone on a new file.
//   5. engine overhead: a ten-step declared workflow run by the engine (process log included) against a bare
//      workflow with the same ten no-op activities; then BENCH_WAITING processes waiting at an input step at once:
//      the worker's resident memory and GET /api/processes?status=waiting latency.
//   6. create_circuit end to end on the simulator driver (two routers configured and verified per circuit)
//      against a bare workflow with as many no-op activities, one after the other, as a create_circuit scheduled.
//   7. fleet operations (upgrade-os, issue 14): the ACME fleet (848 devices) on the OS-upgrade simulator's default profile
//      (10–2000 ms a device, ~1.5 % failures, seed 1), dc-aware, 100 lanes, through POST /api/tasks/upgrade-os?async=true
//      until completed, against the lower bound of the simulator's seeded outcomes (the longest group, or all the work
//      over the lanes), once on a new fleet and once as a second task (each device's duration known from the first,
//      the longest groups claimed first); then BENCH_FLEET_DEVICES generated devices at a fixed 50 ms, no failures, 100 lanes, policy
//      parallel (and dc-aware: groups of two), against devices × 50 ms / 100. Each with its history size, the worker's
//      peak resident memory, and where the time went (from the plan's timestamps) and which process spent the CPU.
//   8. the service catalogue (issue 16): BENCH_SERVICES registrations from BENCH_CATALOG_CLIENTS clients with the default
//      rate limit, against as many plain writes (customers); BENCH_INSTANCES instances of a create_node service at once
//      on simulated routers until every one is success, against as many create_node processes started directly.
// Options: BENCH_CIRCUITS (default 40), BENCH_STEP_RUNS (default 200), BENCH_WAITING (default 1000), BENCH_CACHED_WORKFLOWS (the Loom worker's cache size), BENCH_PINGS (default 300), BENCH_NODES (default 60), BENCH_CONCURRENCY (default 16), BENCH_POLL_MS (default 250),
// BENCH_SUBSCRIPTIONS (default 100000), BENCH_REQUESTS (default 2000), BENCH_EXPLAIN=1 (print the query plans),
// BENCH_SECURITY_RUNS (default 2000), BENCH_FLEET_DEVICES (default 10000), BENCH_FLEET_POLICIES (default parallel,dc-aware: the generated fleet's runs),
// BENCH_FLEET_CPU_PROF=<dir> (the fleet runs' worker writes a V8 CPU profile there), BENCH_ENGINE_CPU_PROF=<dir> (the
// engine benchmark's Loom worker does),
// BENCH_SERVICES (default 1000), BENCH_CATALOG_CLIENTS (default 16), BENCH_INSTANCES (default 1000): the catalogue's load.
// BENCH_ONLY=ping,create_node,subscriptions,cold_start,engine,circuit,security,fleet,catalog (a comma-separated subset; all when absent).
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { temporal as proto } from '@temporalio/proto'
import { freePort, projectRoot, startEmbeddedPostgres, startTemporalDevServer, waitFor } from '#runtime/index.js'
import { cloneDatabaseOn } from '../test/support/database.js'
import { childEnv, testDataConverter, uniqueTaskQueue } from '../test/support/env.js'
import { type Child, readyOf, spawnNode, stopChild } from '../test/support/processes.js'
import { apiClient, authorized } from '../test/support/api.js'
import { plannedRouters, seed } from '../test/support/dcim.js'
import type { SeedDevice } from '#persistence/index.js'
import { bare_create, bare_steps, bareAnswer, type BareStep } from './fixtures/bare-workflows.js'
import { enrolNode, reservePort } from '../test/support/workshop.js'
import { explainHotQueries, seedSubscriptions } from './subscriptions-benchmark.js'
import pg from 'pg'
import { startTestStack, type TestStack } from '../test/support/stack.js'
import type { ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import { acmeFleet } from '#domain/fleet/acme-fleet.js'
import type { FleetDevice } from '#domain/fleet/rollout.js'
import { FleetSimulator, type FleetSimulatorProfile } from '#integrations/devices/fleet-simulator.js'
import { expectedReport, loadAcmeFleet } from '../test/support/fleet.js'
import {
  backendsSpent,
  childPids,
  cpuSeconds,
  databaseBackendsCpu,
  databaseCommits,
  type FleetBound,
  type FleetBreakdown,
  fleetBreakdown,
  fleetLowerBound,
  generatedFleet,
  machineCpu,
  seedGeneratedFleet,
} from './fleet-benchmark.js'
import { clientKeys, describeRefused, generatedRouters, type Outcome, outcome, postFromClients, untilTotal, widenLoopbacks } from './catalog-benchmark.js'

const PINGS = Number(process.env.BENCH_PINGS ?? 300)
const NODES = Number(process.env.BENCH_NODES ?? 60)
/** how often the benchmark client polls GET /api/processes/{id}, as an API consumer would */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 250)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
const selected = (name: string) => !ONLY || ONLY.includes(name)
const dist = (...p: string[]) => join(projectRoot(), 'dist', ...p)

interface Run {
  perSecond: number
  p50: number
  p95: number
  p99: number
}

/** Runs `n` calls of `fn`, `concurrency` at a time; returns throughput and latency percentiles (ms). */
async function load(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<Run> {
  return summary([await timed(n, concurrency, fn)])
}

interface Timed {
  latencies: number[]
  seconds: number
}

/** Runs `n` calls of `fn`, `concurrency` at a time; returns each call's latency (ms) and the wall time. */
async function timed(n: number, concurrency: number, fn: (i: number) => Promise<void>, from = 0): Promise<Timed> {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = from + next++
        const t = performance.now()
        await fn(i)
        latencies.push(performance.now() - t)
      }
    }),
  )
  return { latencies, seconds: (performance.now() - started) / 1000 }
}

/** Throughput and percentiles over one or more rounds. */
function summary(rounds: Timed[]): Run {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  return { perSecond: latencies.length / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99) }
}

const rssMiB = (pid: number | undefined) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}
const fmt = (r: Run) => `${r.perSecond.toFixed(1)}/s, p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms`

/** A Loom worker and gateway (separate processes, as in production) and a bare worker, on a database of their own. */
async function startContestants(stack: TestStack, devices: SeedDevice[] = [], extraEnv: Record<string, string> = {}) {
  const db = await cloneDatabaseOn(stack.databaseServer, stack.templateDatabase, 'loom_bench')
  await seed(db.url, devices)
  const httpPort = await freePort()
  const env = childEnv({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, LOOM_TASK_QUEUE: uniqueTaskQueue('bench'), LOOM_HTTP_PORT: String(httpPort), LOOM_LOG_LEVEL: 'warn', ...extraEnv })
  const worker = spawnNode(dist('apps', 'worker', 'src', 'main.js'), env)
  const gateway = spawnNode(dist('apps', 'gateway', 'src', 'main.js'), env)
  const bareQueue = uniqueTaskQueue('bare')
  const bare = spawnNode(dist('bench', 'fixtures', 'bare-worker.js'), { ...env, LOOM_TASK_QUEUE: bareQueue })
  // Listening at once: a child's "ready" that came before anyone listened would be lost.
  const ready = Promise.all([readyOf(worker), readyOf(gateway), readyOf(bare)])
  ready.catch(() => undefined) // awaited below; not an unhandled rejection meanwhile
  const connection = await Connection.connect({ address: stack.temporalAddress })
  const stop = async () => {
    await connection.close()
    await Promise.all([stopChild(worker), stopChild(gateway), stopChild(bare)])
    await db.drop()
  }
  try {
    await ready
  } catch (error) {
    await stop()
    throw error
  }
  return { api: `http://127.0.0.1:${httpPort}`, env, client: new Client({ connection }), bareQueue, worker, gateway, bare, stop }
}

async function pingBenchmark(stack: TestStack) {
  const c = await startContestants(stack)
  try {
    const ping = async () => {
      const res = await fetch(`${c.api}/api/system/ping`, { method: 'POST', headers: authorized() })
      if (res.status !== 200) throw new Error(`ping answered ${res.status}: ${await res.text()}`)
      await res.arrayBuffer()
    }
    const barePing = async (i: number) => {
      await c.client.workflow.execute('bare_ping', { taskQueue: c.bareQueue, workflowId: `${c.bareQueue}-${i}` })
    }
    await load(20, 4, ping) // warm-up: bundles loaded, connections open
    await load(20, 4, (i) => barePing(100_000 + i))
    const loom = await load(PINGS, CONCURRENCY, ping)
    const baseline = await load(PINGS, CONCURRENCY, barePing)
    return { loom, baseline, rss: { worker: rssMiB(c.worker.child.pid), gateway: rssMiB(c.gateway.child.pid), bareWorker: rssMiB(c.bare.child.pid) } }
  } finally {
    await c.stop()
  }
}

/**
 * The activities and local activities a process ran, in order, before and after the Update that answered its input
 * step, read from its history (patch markers are not steps).
 */
async function activityMix(client: Client, workflowId: string): Promise<{ before: BareStep[]; after: BareStep[] }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []
  const steps = events.flatMap((e): (BareStep | 'update')[] => {
    if (e.activityTaskScheduledEventAttributes) return ['activity']
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') return ['local']
    if (e.workflowExecutionUpdateAcceptedEventAttributes) return ['update']
    return []
  })
  const update = steps.indexOf('update')
  return { before: steps.slice(0, update) as BareStep[], after: steps.slice(update + 1) as BareStep[] }
}

const describeMix = (steps: BareStep[]) => `${steps.filter((s) => s === 'activity').length} activities + ${steps.filter((s) => s === 'local').length} local`

/**
 * create_node through the API as declared (its short steps local activities) and with every step an activity (as
 * before steps could be local: a second worker and gateway on a task queue of their own, same database), each
 * against a bare workflow running the same mix of no-op activities and local activities around one Update;
 * alternating rounds, so that a change in the machine's load weighs on all four alike.
 */
async function createNodeBenchmark(stack: TestStack) {
  const c = await startContestants(stack, plannedRouters('bench', 2 * NODES + 10 + 2 * NODES_ALONE))
  const remoteQueue = uniqueTaskQueue('remote')
  const remotePort = await freePort()
  const remoteEnv = { ...c.env, LOOM_TASK_QUEUE: remoteQueue, LOOM_HTTP_PORT: String(remotePort) }
  const remoteWorker = spawnNode(dist('bench', 'fixtures', 'remote-steps-worker.js'), remoteEnv)
  const remoteGateway = spawnNode(dist('apps', 'gateway', 'src', 'main.js'), remoteEnv)
  try {
    await Promise.all([readyOf(remoteWorker), readyOf(remoteGateway)])
    const createNode = (api: ReturnType<typeof apiClient>) => async (router: number) => {
      const started = await api.call<{ id: string }>('POST', '/api/processes/create_node', { router: `bench-r${router + 1}` })
      if (started.status !== 201) throw new Error(`create_node answered ${started.status}: ${JSON.stringify(started.body)}`)
      await api.waitForProcess(started.body.id, (p) => p.pending_input !== null, 120_000, POLL_MS)
      const answered = await api.call('PUT', `/api/processes/${started.body.id}/resume`, { confirm_config_applied: true })
      if (answered.status !== 200) throw new Error(`resume answered ${answered.status}: ${JSON.stringify(answered.body)}`)
      await api.waitForProcess(started.body.id, (p) => p.status === 'completed', 120_000, POLL_MS)
      return started.body.id
    }
    const local = createNode(apiClient(c.api))
    const remote = createNode(apiClient(`http://127.0.0.1:${remotePort}`))
    // The warm-up's first process of each tells the mix its bare baseline runs.
    const mix = { local: await activityMix(c.client, await local(2 * NODES)), remote: await activityMix(c.client, await remote(2 * NODES + 1)) }
    await load(4, 4, (i) => local(2 * NODES + 2 + i).then(() => undefined))
    await load(4, 4, (i) => remote(2 * NODES + 6 + i).then(() => undefined))
    let bareId = 0
    const bare = (m: { before: BareStep[]; after: BareStep[] }) => async () => {
      const handle = await c.client.workflow.start(bare_create, { taskQueue: c.bareQueue, workflowId: `${c.bareQueue}-${bareId++}`, args: [m.before, m.after] })
      await handle.executeUpdate(bareAnswer, { args: [true] })
      await handle.result()
    }
    await load(8, 4, bare(mix.local))
    const contestants = {
      local: (i: number) => local(i).then(() => undefined),
      remote: (i: number) => remote(NODES + i).then(() => undefined),
      bareLocal: bare(mix.local),
      bareRemote: bare(mix.remote),
    }
    const rounds: Record<keyof typeof contestants, Timed[]> = { local: [], remote: [], bareLocal: [], bareRemote: [] }
    const perRound = NODES / NODE_ROUNDS
    for (let r = 0; r < NODE_ROUNDS; r++) {
      for (const [name, run] of Object.entries(contestants)) rounds[name as keyof typeof contestants].push(await timed(perRound, CONCURRENCY, run, r * perRound))
    }
    // One at a time: what a step's round trips cost a single enrolment, without the two cores' queue.
    const alone = { local: [] as Timed[], remote: [] as Timed[] }
    for (let r = 0; r < NODE_ROUNDS; r++) {
      const from = 2 * NODES + 10 + r * NODES_ALONE
      alone.local.push(await timed(NODES_ALONE / NODE_ROUNDS, 1, (i) => local(i).then(() => undefined), from))
      alone.remote.push(await timed(NODES_ALONE / NODE_ROUNDS, 1, (i) => remote(i).then(() => undefined), from + NODES_ALONE / NODE_ROUNDS))
    }
    return {
      local: summary(rounds.local),
      remote: summary(rounds.remote),
      bareLocal: summary(rounds.bareLocal),
      bareRemote: summary(rounds.bareRemote),
      localAlone: summary(alone.local),
      remoteAlone: summary(alone.remote),
      mix,
    }
  } finally {
    await Promise.all([stopChild(remoteWorker), stopChild(remoteGateway)])
    await c.stop()
  }
}

const NODE_ROUNDS = 2
const NODES_ALONE = 10

const CIRCUITS = Number(process.env.BENCH_CIRCUITS ?? 40)

/** create_circuit through the API on the simulator driver, against bare workflows with as many no-op activities. */
async function circuitBenchmark(stack: TestStack) {
  const routers = 8
  // Each round of `routers` circuits uses every router twice (once per side).
  const portsEach = 2 * Math.ceil((CIRCUITS + 4) / routers)
  const interfaces = Array.from({ length: portsEach }, (_, i) => ({ name: `eth${i + 1}`, speed_mbps: 10_000 }))
  const c = await startContestants(stack, plannedRouters('cbench', routers).map((r) => ({ ...r, interfaces })), { LOOM_DEVICE_DRIVER: 'simulator' })
  try {
    const api = apiClient(c.api)
    const nodes = await Promise.all(Array.from({ length: routers }, (_, i) => enrolNode(api, `cbench-r${i + 1}`)))
    const free = await Promise.all(nodes.map((n) => Promise.all(interfaces.map((i) => reservePort(api, n, i.name)))))
    const inputs = Array.from({ length: CIRCUITS + 4 }, (_, i) => {
      const a = i % routers
      const b = (a + 1 + (Math.floor(i / routers) % (routers - 1))) % routers
      return { speed: '10G', node_a: nodes[a], node_b: nodes[b], port_a: free[a].shift()!, port_b: free[b].shift()! }
    })
    const createCircuit = async (i: number) => {
      const started = await api.call<{ id: string }>('POST', '/api/processes/create_circuit', inputs[i])
      if (started.status !== 201) throw new Error(`create_circuit answered ${started.status}: ${JSON.stringify(started.body)}`)
      const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 300_000, POLL_MS)
      if (done.status !== 'completed') throw new Error(`create_circuit ended ${done.status}: ${JSON.stringify(done.failure)}`)
      return started.body.id
    }
    const first = await createCircuit(CIRCUITS) // warm-up, and the count of activities a create_circuit schedules
    const history = await c.client.workflow.getHandle(first).fetchHistory()
    const activities = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length
    await load(3, 3, (i) => createCircuit(CIRCUITS + 1 + i).then(() => undefined))
    await load(5, 5, (i) => c.client.workflow.execute(bare_steps, { taskQueue: c.bareQueue, workflowId: `${c.bareQueue}-w${i}`, args: [activities] }))
    const loom = await load(CIRCUITS, CONCURRENCY, (i) => createCircuit(i).then(() => undefined))
    const baseline = await load(CIRCUITS, CONCURRENCY, (i) => c.client.workflow.execute(bare_steps, { taskQueue: c.bareQueue, workflowId: `${c.bareQueue}-${i}`, args: [activities] }))
    return { loom, baseline, activities }
  } finally {
    await c.stop()
  }
}

const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 100_000)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000)
const GOAL_MS = 25
const MINIMAL_LINE = 'minimal node:http server (404, same client)'
const FLOOR_LINE = 'floor: an unknown route (404, no database)'

/** A line of the subscriptions benchmark: its latencies and the CPU its server and PostgreSQL spent per request (ms). */
interface ServedRun extends Run {
  cpuMsPerRequest: number
  databaseCpuMsPerRequest: number
}

async function subscriptionsBenchmark(stack: TestStack) {
  const db = await cloneDatabaseOn(stack.databaseServer, stack.templateDatabase, 'loom_bench')
  const t = performance.now()
  await seedSubscriptions(db.url, SUBSCRIPTIONS)
  const seedSeconds = (performance.now() - t) / 1000
  const [httpPort, minimalPort] = [await freePort(), await freePort()]
  const gateway = spawnNode(dist('apps', 'gateway', 'src', 'main.js'), childEnv({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, LOOM_HTTP_PORT: String(httpPort), LOOM_LOG_LEVEL: 'warn' }))
  const minimal = spawnNode(dist('bench', 'fixtures', 'minimal-http-server.js'), { ...process.env, LOOM_HTTP_PORT: String(minimalPort) })
  const sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  try {
    await Promise.all([readyOf(gateway), readyOf(minimal)])
    const ids = (await sql.query<{ id: string }>(`SELECT id::text FROM subscriptions ORDER BY random() LIMIT 500`)).rows.map((r) => r.id)
    const search = 'ams-pe00008'
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: authorized() })
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
      return (await res.json()) as { total?: number }
    }
    const found = await get(`/api/subscriptions?q=${search}&limit=50`)
    const requests: Record<string, { server: Child; request: (i: number) => Promise<unknown> }> = {
      // What any Node HTTP server costs on this machine with this client: the floor's own floor.
      [MINIMAL_LINE]: { server: minimal, request: () => fetch(`http://127.0.0.1:${minimalPort}/api/nothing`).then((r) => r.arrayBuffer()) },
      // The gateway's own cost, without the database: the floor under every line below.
      [FLOOR_LINE]: { server: gateway, request: () => fetch(`http://127.0.0.1:${httpPort}/api/nothing`).then((r) => r.arrayBuffer()) },
      'filtered page of 50 (product + lifecycle)': { server: gateway, request: () => get('/api/subscriptions?product=circuit_10g&lifecycle=active&limit=50') },
      [`text search "${search}" (${found.total} hits)`]: { server: gateway, request: () => get(`/api/subscriptions?q=${search}&limit=50`) },
      'detail with relations': { server: gateway, request: (i) => get(`/api/subscriptions/${ids[i % ids.length]}`) },
    }
    // Steady state, as a gateway that has been up a while: compiled code paths, cached pages, open connections.
    for (const { request } of Object.values(requests)) await load(REQUESTS, CONCURRENCY, async (i) => void (await request(i + REQUESTS)))
    const runs: Record<string, ServedRun> = {}
    for (const [name, { server, request }] of Object.entries(requests)) {
      const [cpuBefore, databaseBefore] = [cpuSeconds(server.child.pid), await databaseBackendsCpu(db.url)]
      const run = await load(REQUESTS, CONCURRENCY, async (i) => void (await request(i)))
      const perRequest = (seconds: number) => (seconds * 1000) / REQUESTS
      runs[name] = { ...run, cpuMsPerRequest: perRequest(cpuSeconds(server.child.pid) - cpuBefore), databaseCpuMsPerRequest: perRequest(backendsSpent(databaseBefore, await databaseBackendsCpu(db.url))) }
    }
    return { seedSeconds, runs, plans: await explainHotQueries(db.url, search, ids[0]) }
  } finally {
    await sql.end()
    await Promise.all([stopChild(gateway), stopChild(minimal)])
    await db.drop()
  }
}

const STEP_RUNS = Number(process.env.BENCH_STEP_RUNS ?? 200)
const ENGINE_ROUNDS = 4

/** CPU seconds spent by each part during one side's rounds (the worker: Loom's or the bare one). */
interface EngineCpu {
  worker: number
  temporal: number
  database: number
  bench: number
}
const emptyCpu = (): EngineCpu => ({ worker: 0, temporal: 0, database: 0, bench: 0 })
const WAITING = Number(process.env.BENCH_WAITING ?? 1000)

async function engineBenchmark(stack: TestStack) {
  const db = await cloneDatabaseOn(stack.databaseServer, stack.templateDatabase, 'loom_bench')
  const httpPort = await freePort()
  const queue = uniqueTaskQueue('engine')
  // In the clear, as the bare worker's are: the cost of encryption is measured on its own (securityBenchmark).
  const env = childEnv({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, LOOM_TASK_QUEUE: queue, LOOM_HTTP_PORT: String(httpPort), LOOM_LOG_LEVEL: 'warn', LOOM_PAYLOAD_KEYS: '' })
  const cached = process.env.BENCH_CACHED_WORKFLOWS ? { LOOM_WORKER_CACHED_WORKFLOWS: process.env.BENCH_CACHED_WORKFLOWS } : {}
  // BENCH_ENGINE_CPU_PROF=<dir>: the Loom worker writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profileDir = process.env.BENCH_ENGINE_CPU_PROF
  const workerPath = dist('bench', 'fixtures', 'loom-bench-worker.js')
  const worker = profileDir ? spawnProfiled(workerPath, { ...env, ...cached }, profileDir) : spawnNode(workerPath, { ...env, ...cached })
  const gateway = spawnNode(dist('apps', 'gateway', 'src', 'main.js'), env)
  const bareQueue = uniqueTaskQueue('bare')
  const barePath = dist('bench', 'fixtures', 'bare-worker.js')
  const bareEnv = { ...env, LOOM_TASK_QUEUE: bareQueue }
  const bare = profileDir ? spawnProfiled(barePath, bareEnv, join(profileDir, 'bare')) : spawnNode(barePath, bareEnv)
  const ready = Promise.all([readyOf(worker), readyOf(gateway), readyOf(bare)])
  ready.catch(() => undefined) // awaited below; not an unhandled rejection meanwhile
  const connection = await Connection.connect({ address: stack.temporalAddress })
  const client = new Client({ connection })
  // A pool: the 16 concurrent starts each insert their process row (one client would take them one at a time).
  const sql = new pg.Pool({ connectionString: db.url, max: 4 })
  try {
    await ready
    /** A process as the gateway starts one: its row first, then the workflow. */
    const startProcess = async (workflow: string) => {
      const id = randomUUID()
      await sql.query(`INSERT INTO processes (id, workflow, target, status, created_by, updated_at) VALUES ($1, $2, 'SYSTEM', 'created', 'bench', now())`, [id, workflow])
      return client.workflow.start(workflow, { taskQueue: queue, workflowId: id, args: [{ process_id: id, subscription_id: randomUUID(), created_by: 'bench', input: {} }] })
    }
    let lastLoom = ''
    const loomRun = async () => {
      const handle = await startProcess('bench_ten_steps')
      await handle.result()
      lastLoom = handle.workflowId
    }
    const bareRun = async (i: number) => void (await client.workflow.execute('bare_ten_steps', { taskQueue: bareQueue, workflowId: `${bareQueue}-${i}` }))
    await load(20, 4, loomRun) // warm-up
    await load(20, 4, (i) => bareRun(100_000 + i))
    // Alternating rounds, so that a machine whose load changes meanwhile (two shared cores) weighs on both sides
    // alike; the CPU each process spends is added up per side.
    const temporal = childPids(process.pid, 'temporal')
    const cpu = async () => ({
      worker: cpuSeconds(worker.child.pid),
      bare: cpuSeconds(bare.child.pid),
      temporal: temporal.reduce((n, pid) => n + cpuSeconds(pid), 0),
      bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      database: await databaseBackendsCpu(db.url),
    })
    const sides = { loom: { rounds: [] as Timed[], cpu: emptyCpu() }, bare: { rounds: [] as Timed[], cpu: emptyCpu() } }
    const round = async (side: keyof typeof sides, run: (i: number) => Promise<void>, from: number) => {
      const before = await cpu()
      sides[side].rounds.push(await timed(STEP_RUNS / ENGINE_ROUNDS, CONCURRENCY, run, from))
      const after = await cpu()
      const spent = sides[side].cpu
      spent.worker += after.worker - before.worker + after.bare - before.bare
      spent.temporal += after.temporal - before.temporal
      spent.bench += after.bench - before.bench
      spent.database += backendsSpent(before.database, after.database)
    }
    for (let r = 0; r < ENGINE_ROUNDS; r++) {
      await round('loom', loomRun, 0)
      await round('bare', bareRun, 300_000 + r * STEP_RUNS)
    }
    const loom = summary(sides.loom.rounds)
    const baseline = summary(sides.bare.rounds)
    // What each side asks of Temporal: every event is written (and most are sent to a worker) by the server.
    const eventsOf = async (workflowId: string) => {
      const counts = new Map<string, number>()
      for (const e of (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
        const type = String(proto.api.enums.v1.EventType[e.eventType ?? 0]).replace(/^EVENT_TYPE_/, '').toLowerCase()
        counts.set(type, (counts.get(type) ?? 0) + 1)
      }
      return counts
    }
    const history = { loom: await eventsOf(lastLoom), bare: await eventsOf(`${bareQueue}-300000`) }
    // One at a time: the engine's own latency, without two busy cores shared by everything.
    const loomAlone = await load(STEP_RUNS / 4, 1, loomRun)
    const bareAlone = await load(STEP_RUNS / 4, 1, (i) => bareRun(200_000 + i))

    const rssBefore = rssMiB(worker.child.pid)
    const t = performance.now()
    await load(WAITING, CONCURRENCY, async () => void (await startProcess('bench_waiting')))
    let reached = 0
    await waitFor(
      async () => {
        reached = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM processes WHERE status = 'waiting'`)).rows[0].n
        return reached >= WAITING
      },
      { timeoutMs: 600_000, intervalMs: 500, describe: () => `${reached} of ${WAITING} processes reached their input step` },
    )
    const startSeconds = (performance.now() - t) / 1000
    const rssWaiting = rssMiB(worker.child.pid)
    // The baseline: as many bare workflows waiting for an Update on the bare worker.
    const bareBefore = rssMiB(bare.child.pid)
    await load(WAITING, CONCURRENCY, async (i) => void (await client.workflow.start(bare_create, { taskQueue: bareQueue, workflowId: `${bareQueue}-waiting-${i}`, args: [[], []] })))
    await waitFor(
      async () => {
        const { count } = await client.workflow.count(`TaskQueue = "${bareQueue}" AND ExecutionStatus = "Running"`)
        return count >= WAITING
      },
      { timeoutMs: 600_000, intervalMs: 500, describe: () => 'the bare workflows did not all start' },
    )
    // Started is not yet run: give the bare worker time to take every first task.
    await new Promise((resolve) => setTimeout(resolve, 5000))
    const bareWaiting = rssMiB(bare.child.pid)
    const list = async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/processes?status=waiting&limit=50`, { headers: authorized() })
      if (res.status !== 200) throw new Error(`list answered ${res.status}`)
      await res.arrayBuffer()
    }
    await load(200, CONCURRENCY, list)
    const listing = await load(REQUESTS, CONCURRENCY, list)
    const perRun = (c: EngineCpu): EngineCpu => ({ worker: (c.worker * 1000) / STEP_RUNS, temporal: (c.temporal * 1000) / STEP_RUNS, database: (c.database * 1000) / STEP_RUNS, bench: (c.bench * 1000) / STEP_RUNS })
    return { loom, baseline, history, cpu: { loom: perRun(sides.loom.cpu), bare: perRun(sides.bare.cpu) }, loomAlone, bareAlone, waiting: { count: reached, startSeconds, rssBefore, rssWaiting, bareBefore, bareWaiting, listing } }
  } finally {
    await sql.end()
    await connection.close()
    await Promise.all([stopChild(worker), stopChild(gateway), stopChild(bare)])
    await db.drop()
  }
}

async function coldStartBenchmark(stack: TestStack, scratch: string) {
  const dir = join(scratch, 'cold')
  const temporalOnly = async () => {
    const t = performance.now()
    const server = await startTemporalDevServer({
      cli: stack.cli.path,
      dbFile: join(scratch, `lower-bound-${Date.now()}.db`),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      logFile: join(scratch, 'lower-bound.log'),
    })
    const seconds = (performance.now() - t) / 1000
    await server.process.stop()
    return seconds
  }
  const ports = { http: await freePort(), temporal: await freePort(), ui: await freePort(), pg: await freePort() }
  const env = childEnv({
    LOOM_DATA_DIR: dir,
    TEMPORAL_CLI: stack.cli.path,
    LOOM_HTTP_PORT: String(ports.http),
    LOOM_TEMPORAL_PORT: String(ports.temporal),
    LOOM_TEMPORAL_UI_PORT: String(ports.ui),
    LOOM_POSTGRES_PORT: String(ports.pg),
  })
  /** Seconds from spawning the command until /api/health answers 200; then stops it as Ctrl-C would. */
  const until200 = async (command: string, args: string[]) => {
    const t = performance.now()
    const child = spawn(command, args, { cwd: projectRoot(), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.http}/api/health`)).status === 200, {
        timeoutMs: 180_000,
        intervalMs: 50,
        describe: () => `${command} ${args.join(' ')} did not become healthy:\n${output}`,
      })
      return (performance.now() - t) / 1000
    } finally {
      process.kill(-child.pid!, 'SIGINT') // the whole process group, like a terminal's Ctrl-C
      await exited
    }
  }
  /** Restarting what Loom cannot be up without, on the data the first start left: the dev server and PostgreSQL at once. */
  const dependenciesOnly = async () => {
    const t = performance.now()
    const [temporal, postgres] = await Promise.all([
      startTemporalDevServer({ cli: stack.cli.path, dbFile: join(dir, 'temporal.db'), port: ports.temporal, uiPort: ports.ui, namespace: 'default', logFile: join(scratch, 'floor.log') }),
      startEmbeddedPostgres({ dataDir: dir, port: ports.pg }).then((started) => started.process),
    ])
    const seconds = (performance.now() - t) / 1000
    await Promise.all([temporal.process.stop(), postgres.stop()])
    return seconds
  }
  const lowerBound = await temporalOnly()
  const first = await until200(process.execPath, [dist('apps', 'launcher', 'src', 'main.js')])
  const floor = await dependenciesOnly()
  const warm = await until200(process.execPath, [dist('apps', 'launcher', 'src', 'main.js')])
  const npmStart = await until200('npm', ['start', '--silent'])
  return { lowerBound, first, floor, warm, npmStart }
}

const SECURITY_RUNS = Number(process.env.BENCH_SECURITY_RUNS ?? 2000)

/**
 * What security costs: the same read through a gateway that checks an API key and one that does not
 * (LOOM_AUTH=off), and a 10-step workflow with every payload encrypted and in the clear, one at a time.
 */
async function securityBenchmark(stack: TestStack) {
  const db = await cloneDatabaseOn(stack.databaseServer, stack.templateDatabase, 'loom_bench')
  const [onPort, offPort] = [await freePort(), await freePort()]
  const [sealedQueue, clearQueue] = [uniqueTaskQueue('sealed'), uniqueTaskQueue('clear')]
  const base = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, LOOM_LOG_LEVEL: 'warn' }
  const children = [
    spawnNode(dist('apps', 'gateway', 'src', 'main.js'), childEnv({ ...base, LOOM_HTTP_PORT: String(onPort) })),
    spawnNode(dist('apps', 'gateway', 'src', 'main.js'), childEnv({ ...base, LOOM_HTTP_PORT: String(offPort), LOOM_AUTH: 'off' })),
    spawnNode(dist('bench', 'fixtures', 'loom-bench-worker.js'), childEnv({ ...base, LOOM_TASK_QUEUE: sealedQueue })),
    spawnNode(dist('bench', 'fixtures', 'loom-bench-worker.js'), childEnv({ ...base, LOOM_TASK_QUEUE: clearQueue, LOOM_PAYLOAD_KEYS: '' })),
  ]
  // Listening at once: a child's "ready" that came before anyone listened would be lost.
  const ready = Promise.all(children.map((c) => readyOf(c)))
  ready.catch(() => undefined) // awaited below; not an unhandled rejection meanwhile
  const connection = await Connection.connect({ address: stack.temporalAddress })
  const sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  try {
    await ready
    const read = (port: number, headers: Record<string, string>) => async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/products`, { headers })
      if (res.status !== 200) throw new Error(`GET /api/products answered ${res.status}`)
      await res.arrayBuffer()
    }
    const withKey = read(onPort, authorized())
    const withoutAuth = read(offPort, {})
    await load(200, CONCURRENCY, withKey) // warm-up
    await load(200, CONCURRENCY, withoutAuth)
    const authOn = await load(SECURITY_RUNS, CONCURRENCY, withKey)
    const authOff = await load(SECURITY_RUNS, CONCURRENCY, withoutAuth)

    const run = (queue: string, client: Client) => async () => {
      const id = randomUUID()
      await sql.query(`INSERT INTO processes (id, workflow, target, status, created_by, updated_at) VALUES ($1, 'bench_ten_steps', 'SYSTEM', 'created', 'bench', now())`, [id])
      await (await client.workflow.start('bench_ten_steps', { taskQueue: queue, workflowId: id, args: [{ process_id: id, subscription_id: randomUUID(), created_by: 'bench', input: {} }] })).result()
    }
    const sealed = run(sealedQueue, new Client({ connection, dataConverter: testDataConverter() }))
    const clear = run(clearQueue, new Client({ connection }))
    await load(10, 1, sealed)
    await load(10, 1, clear)
    const encrypted = await load(STEP_RUNS / 4, 1, sealed)
    const plain = await load(STEP_RUNS / 4, 1, clear)
    return { authOn, authOff, encrypted, plain }
  } finally {
    await sql.end()
    await connection.close()
    await Promise.all(children.map((c) => stopChild(c)))
    await db.drop()
  }
}

const FLEET_DEVICES = Number(process.env.BENCH_FLEET_DEVICES ?? 10_000)
const FLEET_RUN_POLICIES = (process.env.BENCH_FLEET_POLICIES ?? 'parallel,dc-aware').split(',').map((s) => s.trim()).filter(Boolean)
const FLEET_LANES = 100
const FLEET_VERSION = '5.3.1'
/** The nornir3 demo's devices: the simulator's defaults, spelled out. */
const DEMO_PROFILE: FleetSimulatorProfile = { seed: 1, latency_ms: [10, 2000], failure_rate: 0.015 }
const FIXED_PROFILE: FleetSimulatorProfile = { seed: 1, latency_ms: [50, 50], failure_rate: 0 }

const vmHwmMiB = (pid: number | undefined) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

interface FleetRun {
  label: string
  policy: string
  devices: number
  bound: FleetBound
  /** POST → the process's completed_at */
  makespanMs: number
  /** POST → the poll that saw it completed */
  seenMs: number
  events: number
  activities: number
  rss: { before: number; peak: number; hwm: number }
  breakdown: FleetBreakdown
  cpu: { worker: number; gateway: number; database: number; temporal: number; bench: number; machineBusy: number }
  /** PostgreSQL transactions committed in the task's database during the run (the gateway's polls included) */
  commits: number
  report: { completed: number; failed: number; skipped: number; asExpected: boolean }
}

/** spawnNode with `node --cpu-prof` (not allowed in NODE_OPTIONS): the same Child, its profile written when it exits. */
function spawnProfiled(script: string, env: NodeJS.ProcessEnv, dir: string): Child {
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, script], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

/**
 * One upgrade-os end to end on a stack of its own (database, simulator, worker and gateway processes): a warm-up
 * task over the edges (to another version: the devices keep their latency), then every device to FLEET_VERSION
 * through the API, polled as a consumer would until completed_at.
 */
async function fleetRun(
  stack: TestStack,
  o: { label: string; devices: FleetDevice[]; seedDb: (url: string) => Promise<void>; profile: FleetSimulatorProfile; policy: string; warmUpAll?: boolean },
): Promise<FleetRun> {
  const simulator = new FleetSimulator(o.profile)
  const simulatorUrl = await simulator.listen()
  const db = await cloneDatabaseOn(stack.databaseServer, stack.templateDatabase, 'loom_bench')
  await o.seedDb(db.url)
  const httpPort = await freePort()
  const env = childEnv({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, LOOM_TASK_QUEUE: uniqueTaskQueue('fleet'), LOOM_HTTP_PORT: String(httpPort), LOOM_LOG_LEVEL: 'warn', LOOM_FLEET_SIMULATOR_URL: simulatorUrl })
  // BENCH_FLEET_CPU_PROF=<dir>: the worker writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profileDir = process.env.BENCH_FLEET_CPU_PROF
  const worker = profileDir ? spawnProfiled(dist('apps', 'worker', 'src', 'main.js'), env, profileDir) : spawnNode(dist('apps', 'worker', 'src', 'main.js'), env)
  const gateway = spawnNode(dist('apps', 'gateway', 'src', 'main.js'), env)
  const ready = Promise.all([readyOf(worker), readyOf(gateway)])
  ready.catch(() => undefined) // awaited below; not an unhandled rejection meanwhile
  const connection = await Connection.connect({ address: stack.temporalAddress })
  try {
    await ready
    const api = apiClient(`http://127.0.0.1:${httpPort}`)
    const upgrade = async (body: Record<string, unknown>) => {
      const postedAt = Date.now()
      const started = await api.call<ProcessStartedDto>('POST', '/api/tasks/upgrade-os?async=true', body)
      if (started.status !== 202) throw new Error(`upgrade-os answered ${started.status}: ${JSON.stringify(started.body)}`)
      const done: ProcessDto = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 1_800_000, POLL_MS)
      if (done.status !== 'completed') throw new Error(`upgrade-os ended ${done.status}: ${JSON.stringify(done.failure)}`)
      return { id: started.body.id, postedAt, seenAt: Date.now(), done }
    }
    // The warm-up: the edges, or (warmUpAll) every device, so that the measured task knows each device's duration.
    await upgrade({ version: '5.3.0', ...(o.warmUpAll ? {} : { filter_dev_types: ['edge'] }), policy: o.policy, concurrency: FLEET_LANES })
    const temporal = childPids(process.pid, 'temporal')
    const cpu = () => ({
      worker: cpuSeconds(worker.child.pid),
      gateway: cpuSeconds(gateway.child.pid),
      temporal: temporal.reduce((n, pid) => n + cpuSeconds(pid), 0),
      bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      machine: machineCpu(),
    })
    const rssBefore = rssMiB(worker.child.pid)
    let rssPeak = rssBefore
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(worker.child.pid))), 100)
    const commitsBefore = await databaseCommits(db.url)
    const [cpuBefore, backendsBefore] = [cpu(), await databaseBackendsCpu(db.url)]
    let run: Awaited<ReturnType<typeof upgrade>>
    try {
      run = await upgrade({ version: FLEET_VERSION, policy: o.policy, concurrency: FLEET_LANES })
    } finally {
      clearInterval(sampler)
    }
    const [cpuAfter, backendsAfter] = [cpu(), await databaseBackendsCpu(db.url)]
    const commits = (await databaseCommits(db.url)) - commitsBefore
    const completedAt = Date.parse(run.done.completed_at!)
    const history = await new Client({ connection, dataConverter: testDataConverter() }).workflow.getHandle(run.id).fetchHistory()
    const events = history.events ?? []
    const report = run.done.fleet!.report!
    const expected = expectedReport(o.devices, o.profile, FLEET_VERSION, o.policy)
    const spent = (k: 'worker' | 'gateway' | 'temporal' | 'bench') => cpuAfter[k] - cpuBefore[k]
    return {
      label: o.label,
      policy: o.policy,
      devices: o.devices.length,
      bound: fleetLowerBound(o.devices, o.profile, FLEET_VERSION, o.policy, FLEET_LANES),
      makespanMs: completedAt - run.postedAt,
      seenMs: run.seenAt - run.postedAt,
      events: events.length,
      activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
      rss: { before: rssBefore, peak: rssPeak, hwm: vmHwmMiB(worker.child.pid) },
      breakdown: await fleetBreakdown(db.url, run.id, o.profile, FLEET_VERSION, run.postedAt, completedAt),
      cpu: {
        worker: spent('worker'),
        gateway: spent('gateway'),
        temporal: spent('temporal'),
        bench: spent('bench'),
        database: backendsSpent(backendsBefore, backendsAfter),
        machineBusy: (cpuAfter.machine.busy - cpuBefore.machine.busy) / (cpuAfter.machine.total - cpuBefore.machine.total),
      },
      commits,
      report: {
        completed: report.completed.length,
        failed: report.failed.length,
        skipped: report.skipped.length,
        asExpected: JSON.stringify(report) === JSON.stringify(expected),
      },
    }
  } finally {
    await connection.close()
    await Promise.all([stopChild(worker), stopChild(gateway)])
    await db.drop()
    await simulator.close()
  }
}

async function fleetBenchmark(stack: TestStack, report: (run: FleetRun) => void): Promise<void> {
  const acme = acmeFleet()
  report(await fleetRun(stack, { label: `ACME fleet, ${acme.length} devices, simulator 10–2000 ms, 1.5 % failures, seed 1`, devices: acme, seedDb: loadAcmeFleet, profile: DEMO_PROFILE, policy: 'dc-aware' }))
  // The same after a first task over every device: the plan knows each device's duration and starts the longest groups first.
  report(
    await fleetRun(stack, {
      label: `ACME fleet, ${acme.length} devices, a second task (durations known from the first)`,
      devices: acme,
      seedDb: loadAcmeFleet,
      profile: DEMO_PROFILE,
      policy: 'dc-aware',
      warmUpAll: true,
    }),
  )
  const generated = generatedFleet(FLEET_DEVICES)
  for (const policy of FLEET_RUN_POLICIES) {
    report(await fleetRun(stack, { label: `${generated.length} generated devices at a fixed 50 ms, no failures`, devices: generated, seedDb: (url) => seedGeneratedFleet(url, generated), profile: FIXED_PROFILE, policy }))
  }
}

function printFleetRun(r: FleetRun) {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const ms = (x: { p50: number; mean: number; p95: number; n: number }) => (x.n ? `p50 ${x.p50.toFixed(0)} ms, mean ${x.mean.toFixed(1)} ms, p95 ${x.p95.toFixed(0)} ms` : 'none')
  const b = r.bound
  const t = r.breakdown
  const c = r.cpu
  const bound = b.longestGroupMs * FLEET_LANES >= b.totalMs ? 'the longest group' : `${s(b.totalMs)} of upgrades / ${FLEET_LANES} lanes`
  console.log(`fleet: ${r.label}; policy ${r.policy}, ${FLEET_LANES} lanes, ${b.groups} groups`)
  console.log(`  makespan ${s(r.makespanMs)} (POST → completed_at; a ${POLL_MS} ms poll saw it at ${s(r.seenMs)}); lower bound ${s(b.boundMs)} (${bound}; longest group ${s(b.longestGroupMs)}); ratio ${(r.makespanMs / b.boundMs).toFixed(2)} (goal ≤ 1.1)`)
  console.log(`  with no overhead: the lanes' claim order ${s(b.claimOrderMs)} (${(b.claimOrderMs / b.boundMs).toFixed(2)} × the bound; makespan / it ${(r.makespanMs / b.claimOrderMs).toFixed(2)}), longest actual duration first ${s(b.clairvoyantMs)}`)
  console.log(`  report ${r.report.completed} completed, ${r.report.failed} failed, ${r.report.skipped} skipped${r.report.asExpected ? ', as the seeded outcomes give' : ' — NOT as the seeded outcomes give'}`)
  console.log(`  history ${r.events} events (${r.activities} activities); worker resident memory ${r.rss.before} MiB before, peak ${r.rss.peak} MiB during the run (VmHWM ${r.rss.hwm} MiB)`)
  console.log(`  time: POST → first claim ${s(t.startMs)}; last device → completed ${s(t.endMs)}; lanes busy upgrading ${(t.busy * 100).toFixed(0)} % of ${t.lanes} × the makespan`)
  console.log(`    per device beyond its latency (call, DCIM update, outcome UPDATE): ${ms(t.perDevice)}`)
  console.log(`    claim → first device: ${ms(t.claimToStart)}; between devices of a group: ${ms(t.withinGroup)}; group done → next claim: ${ms(t.betweenGroups)}`)
  console.log(`  per device: worker CPU ${((1000 * c.worker) / r.devices).toFixed(1)} ms, PostgreSQL CPU ${((1000 * c.database) / r.devices).toFixed(1)} ms, ${(r.commits / r.devices).toFixed(1)} PostgreSQL transactions; throughput ${(r.devices / (r.makespanMs / 1000)).toFixed(0)} devices/s (the bound's pace: ${(r.bound.devicesRun / (r.bound.boundMs / 1000)).toFixed(0)}/s)`)
  console.log(`  CPU during the run: worker ${c.worker.toFixed(1)} s, PostgreSQL (this database's backends) ${c.database.toFixed(1)} s, Temporal ${c.temporal.toFixed(1)} s, gateway ${c.gateway.toFixed(1)} s, benchmark + simulator ${c.bench.toFixed(1)} s; machine ${(c.machineBusy * 100).toFixed(0)} % busy (${cpus().length} cores)`)
}

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000)
const CATALOG_CLIENTS = Number(process.env.BENCH_CATALOG_CLIENTS ?? 16)
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1000)
const WARM_INSTANCES = 32

/**
 * The catalogue under load, with the default rate limit (600 a minute per caller): SERVICES registrations from
 * CATALOG_CLIENTS clients against as many plain writes (customers); INSTANCES instances of a create_node service at
 * once on simulated routers, against as many create_node processes started directly.
 */
async function catalogBenchmark(stack: TestStack) {
  const c = await startContestants(stack, generatedRouters('cat', 2 * INSTANCES + 2 * WARM_INSTANCES), { LOOM_DEVICE_DRIVER: 'simulator', LOOM_RATE_LIMIT: '600' })
  try {
    const api = apiClient(c.api)
    const keys = await clientKeys(api, CATALOG_CLIENTS)
    // Warm-ups, so that neither side pays for the processes' first requests.
    await postFromClients(api, keys, CATALOG_CLIENTS * 2, '/api/customers', (i) => ({ id: `warm-customer-${i}`, name: `Warm-up ${i}` }))
    await postFromClients(api, keys, CATALOG_CLIENTS * 2, '/api/catalog/services', (i) => ({ name: `warm-up ${i}`, group: 'warm', workflows: [{ definition_source: 'create_node' }] }))
    // Two rounds each, alternated: both meet the same machine.
    const rounds = { customers: [] as Outcome[], services: [] as Outcome[] }
    const half = Math.ceil(SERVICES / 2)
    for (const from of [0, half]) {
      const n = Math.min(half, SERVICES - from)
      rounds.customers.push(await postFromClients(api, keys, n, '/api/customers', (i) => ({ id: `bench-customer-${i}`, name: `Customer ${i}` }), from))
      rounds.services.push(
        await postFromClients(api, keys, n, '/api/catalog/services', (i) => ({ name: `service ${i}`, group: `group-${i % 10}`, input: '', constraint: '', workflows: [{ definition_source: 'create_node', wfe_type: 'loom' }] }), from),
      )
    }
    const customers = outcome(rounds.customers)
    const services = outcome(rounds.services)
    const registered = (await api.get<{ total: number }>('/api/catalog/services?limit=1')).body.total - CATALOG_CLIENTS * 2
    await widenLoopbacks(api, 2 * INSTANCES + 2 * WARM_INSTANCES)
    const service = await api.call<{ id: string }>('POST', '/api/catalog/services', {
      name: 'enrolment',
      group: 'provisioning',
      input: { type: 'object', properties: { router: { type: 'string' } }, required: ['router'] },
      workflows: [{ definition_source: 'create_node' }],
    })
    if (service.status !== 201) throw new Error(`could not register the enrolment service: ${service.status} ${JSON.stringify(service.body)}`)
    const warm = await postFromClients(api, keys, WARM_INSTANCES, '/api/catalog/instances', (i) => ({ service_id: service.body.id, action: 'create_node', name: `warm-up ${i}`, parameters: { router: `cat-r${2 * INSTANCES + i + 1}` } }))
    await postFromClients(api, keys, WARM_INSTANCES, '/api/processes/create_node', (i) => ({ router: `cat-r${2 * INSTANCES + WARM_INSTANCES + i + 1}` }))
    await untilTotal(api, '/api/processes?workflow=create_node&status=completed&limit=1', 2 * WARM_INSTANCES - sum(warm.refused), performance.now())
    const rssBefore = rssMiB(c.worker.child.pid)
    const viaCatalogue = performance.now()
    const instances = await postFromClients(api, keys, INSTANCES, '/api/catalog/instances', (i) => ({ service_id: service.body.id, action: 'create_node', name: `enrol cat-r${i + 1}`, parameters: { router: `cat-r${i + 1}` } }))
    const instancesSeconds = await untilTotal(api, '/api/catalog/instances?status=success&limit=1', WARM_INSTANCES + INSTANCES - sum(instances.refused), viaCatalogue)
    const rssAfter = rssMiB(c.worker.child.pid)
    const direct = performance.now()
    const processes = await postFromClients(api, keys, INSTANCES, '/api/processes/create_node', (i) => ({ router: `cat-r${INSTANCES + i + 1}` }))
    const processesSeconds = await untilTotal(api, '/api/processes?workflow=create_node&status=completed&limit=1', 2 * WARM_INSTANCES + 2 * INSTANCES - sum(instances.refused) - sum(processes.refused), direct)
    const failed = (await api.get<{ total: number }>('/api/catalog/instances?status=failed&limit=1')).body.total
    return { customers, services, registered, instances, instancesSeconds, processes, processesSeconds, failed, rssBefore, rssAfter }
  } finally {
    await c.stop()
  }
}

const sum = (m: Map<number, number>) => [...m.values()].reduce((n, v) => n + v, 0)

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'loom-bench-'))
  chmodSync(scratch, 0o755)
  const stack = await startTestStack(scratch, (m) => console.log(`# ${m}`))
  try {
    console.log(`Loom benchmarks — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`)
    if (selected('ping')) {
      const ping = await pingBenchmark(stack)
      console.log(`system_ping via API      ${fmt(ping.loom)}   (${PINGS} calls, ${CONCURRENCY} at a time)`)
      console.log(`bare Temporal workflow   ${fmt(ping.baseline)}   (1 no-op activity, bare worker)`)
      console.log(`ratio Loom / bare        throughput ${(ping.loom.perSecond / ping.baseline.perSecond).toFixed(2)}, p50 latency ${(ping.loom.p50 / ping.baseline.p50).toFixed(2)}`)
      console.log(`resident memory          worker ${ping.rss.worker} MiB, gateway ${ping.rss.gateway} MiB, bare worker ${ping.rss.bareWorker} MiB`)
    }
    if (selected('create_node')) {
      const n = await createNodeBenchmark(stack)
      const ratio = (a: Run, b: Run) => `throughput ${(a.perSecond / b.perSecond).toFixed(2)}, p50 latency ${(a.p50 / b.p50).toFixed(2)}`
      console.log(`create_node via API, local steps       ${fmt(n.local)}   (${NODES} nodes, ${CONCURRENCY} at a time; POST, poll, PUT answer, poll)`)
      console.log(`create_node via API, every step remote ${fmt(n.remote)}   (as before steps could be local)`)
      console.log(`bare, create_node's mix                ${fmt(n.bareLocal)}   (${describeMix(n.mix.local.before)}, one Update, ${describeMix(n.mix.local.after)})`)
      console.log(`bare, every step remote                ${fmt(n.bareRemote)}   (${describeMix(n.mix.remote.before)}, one Update, ${describeMix(n.mix.remote.after)})`)
      console.log(`ratio local steps / every step remote  ${ratio(n.local, n.remote)}`)
      console.log(`ratio Loom / bare                      local steps: ${ratio(n.local, n.bareLocal)}; every step remote: ${ratio(n.remote, n.bareRemote)}`)
      console.log(`one at a time                          local steps p50 ${n.localAlone.p50.toFixed(0)} ms, every step remote p50 ${n.remoteAlone.p50.toFixed(0)} ms: ratio ${(n.localAlone.p50 / n.remoteAlone.p50).toFixed(2)} (${NODES_ALONE} each; polls every ${POLL_MS} ms)`)
    }
    if (selected('subscriptions')) {
      const subs = await subscriptionsBenchmark(stack)
      console.log(`subscriptions: ${SUBSCRIPTIONS} seeded in ${subs.seedSeconds.toFixed(1)} s; ${REQUESTS} requests each, ${CONCURRENCY} at a time, through HTTP`)
      const floor = subs.runs[FLOOR_LINE]
      for (const [name, run] of Object.entries(subs.runs)) {
        const ratios = `p99 / ${GOAL_MS} ms goal = ${(run.p99 / GOAL_MS).toFixed(2)}, p99 / floor = ${(run.p99 / floor.p99).toFixed(2)}`
        console.log(`  ${name.padEnd(44)} ${run.perSecond.toFixed(0)}/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, CPU ${run.cpuMsPerRequest.toFixed(2)} + PostgreSQL ${run.databaseCpuMsPerRequest.toFixed(2)} ms/request — ${ratios}`)
      }
      const minimal = subs.runs[MINIMAL_LINE]
      console.log(`  floor / minimal node:http: p99 ${(floor.p99 / minimal.p99).toFixed(2)}, CPU per request ${(floor.cpuMsPerRequest / minimal.cpuMsPerRequest).toFixed(2)}`)
      if (process.env.BENCH_EXPLAIN === '1') for (const [name, plan] of Object.entries(subs.plans)) console.log(`\n-- ${name}\n${plan}`)
    }
    if (selected('engine')) {
      const e = await engineBenchmark(stack)
      console.log(`10-step Loom workflow    ${fmt(e.loom)}   (${STEP_RUNS} runs, ${CONCURRENCY} at a time; the engine, its process log and finish)`)
      console.log(`bare Temporal workflow   ${fmt(e.baseline)}   (the same 10 no-op activities, bare worker)`)
      console.log(`ratio Loom / bare        p50 latency ${(e.loom.p50 / e.baseline.p50).toFixed(2)} (goal ≤ 1.1), throughput ${(e.loom.perSecond / e.baseline.perSecond).toFixed(2)}`)
      const ms = (c: EngineCpu) => `worker ${c.worker.toFixed(1)}, Temporal ${c.temporal.toFixed(1)}, PostgreSQL ${c.database.toFixed(1)}, benchmark client ${c.bench.toFixed(1)}`
      console.log(`CPU ms per workflow      Loom: ${ms(e.cpu.loom)}; bare: ${ms(e.cpu.bare)}`)
      const total = (h: Map<string, number>) => [...h.values()].reduce((n, v) => n + v, 0)
      const extra = [...e.history.loom].filter(([type, n]) => n !== (e.history.bare.get(type) ?? 0)).map(([type, n]) => `${type} ${n} (bare ${e.history.bare.get(type) ?? 0})`)
      console.log(`history events           Loom ${total(e.history.loom)}, bare ${total(e.history.bare)}; where they differ: ${extra.join(', ')}`)
      console.log(`one at a time            Loom p50 ${e.loomAlone.p50.toFixed(0)} ms, bare p50 ${e.bareAlone.p50.toFixed(0)} ms: ratio ${(e.loomAlone.p50 / e.bareAlone.p50).toFixed(2)} (${STEP_RUNS / 4} runs each)`)
      const w = e.waiting
      console.log(`${w.count} processes waiting at an input step (started in ${w.startSeconds.toFixed(1)} s): worker RSS ${w.rssBefore} → ${w.rssWaiting} MiB`)
      console.log(`${w.count} bare workflows waiting for an Update: bare worker RSS ${w.bareBefore} → ${w.bareWaiting} MiB; ratio of growth Loom / bare ${((w.rssWaiting - w.rssBefore) / Math.max(1, w.bareWaiting - w.bareBefore)).toFixed(2)}`)
      console.log(`GET /api/processes?status=waiting  ${w.listing.perSecond.toFixed(0)}/s, p50 ${w.listing.p50.toFixed(1)} ms, p99 ${w.listing.p99.toFixed(1)} ms (${REQUESTS} requests)`)
    }
    if (selected('security')) {
      const sec = await securityBenchmark(stack)
      console.log(`GET /api/products, API key   ${fmt(sec.authOn)}, p99 ${sec.authOn.p99.toFixed(1)} ms   (${SECURITY_RUNS} requests, ${CONCURRENCY} at a time)`)
      console.log(`GET /api/products, LOOM_AUTH=off ${fmt(sec.authOff)}, p99 ${sec.authOff.p99.toFixed(1)} ms`)
      console.log(`ratio with / without auth    throughput ${(sec.authOn.perSecond / sec.authOff.perSecond).toFixed(2)}, p50 latency ${(sec.authOn.p50 / sec.authOff.p50).toFixed(2)}`)
      console.log(`10-step workflow, encrypted  p50 ${sec.encrypted.p50.toFixed(0)} ms; in the clear p50 ${sec.plain.p50.toFixed(0)} ms: ratio ${(sec.encrypted.p50 / sec.plain.p50).toFixed(2)} (${STEP_RUNS / 4} runs each, one at a time)`)
    }
    if (selected('circuit')) {
      const k = await circuitBenchmark(stack)
      console.log(`create_circuit via API   ${fmt(k.loom)}, p99 ${k.loom.p99.toFixed(0)} ms   (${CIRCUITS} circuits on 8 simulated routers, ${CONCURRENCY} at a time; POST, poll until completed)`)
      console.log(`bare Temporal workflow   ${fmt(k.baseline)}, p99 ${k.baseline.p99.toFixed(0)} ms   (${k.activities} no-op activities in a row: as many as a create_circuit scheduled)`)
      console.log(`ratio Loom / bare        throughput ${(k.loom.perSecond / k.baseline.perSecond).toFixed(2)}, p50 latency ${(k.loom.p50 / k.baseline.p50).toFixed(2)}`)
    }
    if (selected('catalog')) {
      const k = await catalogBenchmark(stack)
      const line = (o: { perSecond: number; p50: number; p99: number }) => `${o.perSecond.toFixed(0)}/s, p50 ${o.p50.toFixed(1)} ms, p99 ${o.p99.toFixed(1)} ms`
      console.log(`catalog: ${SERVICES} services registered from ${CATALOG_CLIENTS} clients (a key each, LOOM_RATE_LIMIT 600)  ${line(k.services)}; not 2xx: ${describeRefused(k.services)}; listed afterwards ${k.registered}`)
      console.log(`  the same number of plain writes (POST /api/customers)      ${line(k.customers)}; not 2xx: ${describeRefused(k.customers)}; ratio services / customers: throughput ${(k.services.perSecond / k.customers.perSecond).toFixed(2)}, p99 ${(k.services.p99 / k.customers.p99).toFixed(2)}`)
      console.log(`  ${INSTANCES} instances of a create_node service, simulated routers: started at ${line(k.instances)} (not 2xx: ${describeRefused(k.instances)}); all success after ${k.instancesSeconds.toFixed(1)} s (${(INSTANCES / k.instancesSeconds).toFixed(1)} instances/s); failed ${k.failed}; worker RSS ${k.rssBefore} → ${k.rssAfter} MiB`)
      console.log(`  ${INSTANCES} create_node processes started directly: started at ${line(k.processes)} (not 2xx: ${describeRefused(k.processes)}); all completed after ${k.processesSeconds.toFixed(1)} s; ratio instances / direct: ${(k.instancesSeconds / k.processesSeconds).toFixed(2)}`)
    }
    if (selected('fleet')) await fleetBenchmark(stack, printFleetRun)
    if (selected('cold_start')) {
      const cold = await coldStartBenchmark(stack, scratch)
      console.log(`cold start, new data dir ${cold.first.toFixed(1)} s until /api/health is 200 (initdb, migrations, worker bundle)`)
      console.log(`cold start, same data    ${cold.warm.toFixed(1)} s`)
      console.log(`npm start, same data     ${cold.npmStart.toFixed(1)} s (its build check included: nothing to recompile, nothing rebuilt)`)
      console.log(`dev server alone         ${cold.lowerBound.toFixed(1)} s on a new file (lower bound of a first start)`)
      console.log(`dev server + PostgreSQL  ${cold.floor.toFixed(1)} s restarted on the same data (P6 floor); restart / floor ${(cold.warm / cold.floor).toFixed(2)}, npm start / floor ${(cold.npmStart / cold.floor).toFixed(2)} (goal ≤ 2)`)
    }
  } finally {
    await stack.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
