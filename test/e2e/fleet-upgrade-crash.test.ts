// upgrade-os over two sites of the ACME fleet (212 devices), the worker killed with kill -9 while devices upgrade:
// upgrades under way finish on the (simulated) devices meanwhile, as on routers; a new worker takes up each lane at
// the device where it stopped, joins nothing twice, and the task completes with the report the seeded devices give.
// The simulator's log shows every device upgraded exactly once. The workflow history stays small: it grows with
// the lanes, not the devices.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import pg from 'pg'
import { configToEnv, loadConfig, type LoomConfig } from '#config/index.js'
import type { ProcessStartedDto } from '#contracts/index.js'
import { FleetSimulator, type FleetSimulatorProfile } from '#integrations/devices/fleet-simulator.js'
import { projectRoot, waitFor } from '#runtime/index.js'
import { type ApiClient, apiClient } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { childEnv, testConfig, testDataConverter, testTemporalAddress } from '../support/env.js'
import { acmeDevices, expectedReport, loadAcmeFleet } from '../support/fleet.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { type Child, readyOf, spawnNode, stopChild } from '../support/processes.js'

const WORKER_MAIN = join(projectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js')
const SITES = ['saturn', 'uranus']
const LANES = 20
// Slow enough that the kill lands while upgrades are under way.
const PROFILE: FleetSimulatorProfile = { seed: 11, latency_ms: [50, 400], failure_rate: 0.03 }

let db: TestDatabase
let config: LoomConfig & { databaseUrl: string }
let gw: RunningGateway
let api: ApiClient
let sql: pg.Client
let simulator: FleetSimulator
const workers: Child[] = []

function startWorker(): Child {
  const worker = spawnNode(WORKER_MAIN, childEnv(configToEnv(config)))
  workers.push(worker)
  return worker
}

before(async () => {
  simulator = new FleetSimulator(PROFILE)
  const simulatorUrl = await simulator.listen()
  db = await cloneDatabase()
  await loadAcmeFleet(db.url)
  config = testConfig(db.url, { devices: loadConfig({ LOOM_FLEET_SIMULATOR_URL: simulatorUrl }).devices })
  gw = await startGateway(config)
  api = apiClient(gw.url)
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  await readyOf(startWorker())
})

after(async () => {
  await Promise.all(workers.map((w) => stopChild(w, 'SIGKILL')))
  await sql?.end()
  await gw?.close()
  await db?.drop()
  await simulator?.close()
})

const done = async (id: string) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM fleet_task_devices WHERE process_id = $1 AND outcome IS NOT NULL`, [id])).rows[0].n

describe('upgrade-os survives kill -9 of its worker', () => {
  test(`${SITES.join(' and ')}, ${LANES} lanes, the worker killed midway: the task completes, every device upgraded exactly once`, async () => {
    const devices = acmeDevices({ sites: SITES })
    const started = await api.call<ProcessStartedDto>('POST', '/api/tasks/upgrade-os?async=true', { version: '5.3.1', filter_sites: SITES, concurrency: LANES })
    assert.equal(started.status, 202, JSON.stringify(started.body))
    const id = started.body.id

    await waitFor(async () => (await done(id)) >= 40, { timeoutMs: 120_000, describe: () => 'no device got done' })
    workers[0].child.kill('SIGKILL')
    await workers[0].exited
    const killedAt = Date.now()
    const doneAtKill = await done(id)
    assert.ok(doneAtKill < devices.length, 'the kill came while the task ran')
    // The upgrades under way go on without a worker, as on routers.
    await new Promise((r) => setTimeout(r, 600))
    const finishedAlone = simulator.log().filter((e) => Date.parse(e.at) > killedAt)
    assert.ok(finishedAlone.length > 0, 'some upgrades were under way at the kill and finished on the devices meanwhile')

    await readyOf(startWorker())
    const p = await api.waitForProcess(id, (x) => x.completed_at !== null, 180_000, 250)
    assert.equal(p.status, 'completed', JSON.stringify(p.failure))
    assert.deepEqual((p).fleet?.report, expectedReport(devices, PROFILE, '5.3.1'))

    const upgrades = new Map<string, number>()
    for (const e of simulator.log()) upgrades.set(e.device, (upgrades.get(e.device) ?? 0) + 1)
    const report = p.fleet.report
    for (const d of [...report.completed, ...report.failed]) assert.equal(upgrades.get(d), 1, `${d} upgraded exactly once`)
    for (const d of report.skipped) assert.equal(upgrades.get(d), undefined, `${d} never touched`)
    // A device finished while no worker ran is recorded by the new worker from the simulator's answer, not redone.
    for (const e of finishedAlone) assert.equal(upgrades.get(e.device), 1, e.device)

    // The history holds lanes, not devices: each lane costs at most its activity's 3 events and a workflow task's 3
    // (lanes ending at different times wake the workflow separately); the rest — start, the other steps, markers,
    // search attributes, the workflow task that timed out at the kill — stays under 60. A device's own events would
    // be 3 × 212 at the least.
    const connection = await Connection.connect({ address: testTemporalAddress() })
    try {
      const history = await new Client({ connection, dataConverter: testDataConverter() }).workflow.getHandle(id).fetchHistory()
      const events = history.events ?? []
      const byType = new Map<string, number>()
      for (const e of events) byType.set(String(e.eventType), (byType.get(String(e.eventType)) ?? 0) + 1)
      assert.ok(events.length < 60 + LANES * 6, `${events.length} history events for ${devices.length} devices and ${LANES} lanes: ${JSON.stringify([...byType])}`)
    } finally {
      await connection.close()
    }
  })
})
