// 20 create_circuit at once on four routers (the simulator driver, with latency), and the worker killed with
// kill -9 in the middle: a new worker completes every one, and nothing is there twice or left behind — one /31
// and one /127 each, all distinct; one cable each, connected; every step logged once; no device lease held.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { configToEnv, loadConfig, type LoomConfig } from '#config/index.js'
import type { ProcessStartedDto } from '#contracts/index.js'
import { projectRoot, waitFor } from '#runtime/index.js'
import { type ApiClient, apiClient } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { childEnv, testConfig } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { type Child, readyOf, spawnNode, stopChild } from '../support/processes.js'
import { enrolNode, reservePort } from '../support/workshop.js'

const WORKER_MAIN = join(projectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js')
const ROUTERS = ['kc-r1', 'kc-r2', 'kc-r3', 'kc-r4']
const CIRCUITS = 20
const PORTS_PER_ROUTER = (CIRCUITS * 2) / ROUTERS.length

let db: TestDatabase
let config: LoomConfig & { databaseUrl: string }
let gw: RunningGateway
let api: ApiClient
let sql: pg.Client
const workers: Child[] = []
const nodes: Record<string, string> = {}
const ports: Record<string, string[]> = {}

function startWorker(): Child {
  const worker = spawnNode(WORKER_MAIN, childEnv({ ...configToEnv(config), LOOM_SIMULATOR_LATENCY_MS: '20,150' }))
  workers.push(worker)
  return worker
}

before(async () => {
  db = await cloneDatabase()
  const interfaces = Array.from({ length: PORTS_PER_ROUTER }, (_, i) => ({ name: `eth${i + 1}`, speed_mbps: 10_000 }))
  await seed(db.url, plannedRouters('kc', ROUTERS.length).map((r) => ({ ...r, interfaces })))
  config = testConfig(db.url, { devices: loadConfig({ LOOM_DEVICE_DRIVER: 'simulator' }).devices })
  gw = await startGateway(config)
  api = apiClient(gw.url)
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  await readyOf(startWorker())
  await Promise.all(ROUTERS.map(async (r) => (nodes[r] = await enrolNode(api, r))))
  await Promise.all(ROUTERS.map(async (r) => (ports[r] = await Promise.all(interfaces.map((i) => reservePort(api, nodes[r], i.name))))))
})

after(async () => {
  await Promise.all(workers.map((w) => stopChild(w, 'SIGKILL')))
  await sql?.end()
  await gw?.close()
  await db?.drop()
})

const count = async (query: string, params: unknown[] = []) => ((await sql.query(query, params)).rows[0] as { n: number }).n

describe('create_circuit survives kill -9 of its worker', () => {
  test(`${CIRCUITS} at once, the worker killed midway: all complete, nothing twice, nothing leaked`, async () => {
    const free = Object.fromEntries(ROUTERS.map((r) => [r, [...ports[r]]]))
    const inputs = Array.from({ length: CIRCUITS }, (_, i) => {
      const [a, b] = [ROUTERS[i % ROUTERS.length], ROUTERS[(i + 1) % ROUTERS.length]]
      return { speed: '10G', node_a: nodes[a], node_b: nodes[b], port_a: free[a].shift()!, port_b: free[b].shift()! }
    })
    const started = await Promise.all(inputs.map((input) => api.call<ProcessStartedDto>('POST', '/api/processes/create_circuit', input)))
    assert.deepEqual(started.map((s) => s.status), inputs.map(() => 201), JSON.stringify(started.find((s) => s.status !== 201)?.body))
    const ids = started.map((s) => s.body.id)

    // Kill the worker once some circuits have reached their routers and before all are done.
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM process_steps WHERE name = 'configure_side_a' AND status = 'success' AND process_id = ANY($1::uuid[])`, [ids])) >= 3, {
      timeoutMs: 120_000,
      describe: () => 'no circuit reached its routers',
    })
    const running = await count(`SELECT count(*)::int AS n FROM processes WHERE id = ANY($1::uuid[]) AND completed_at IS NULL`, [ids])
    workers[0].child.kill('SIGKILL')
    await workers[0].exited
    assert.ok(running > 0, 'the kill came while circuits were still being made')

    await readyOf(startWorker())
    for (const id of ids) {
      const done = await api.waitForProcess(id, (p) => p.completed_at !== null, 180_000, 250)
      assert.equal(done.status, 'completed', `${id}: ${JSON.stringify(done.failure)}`)
    }

    const circuits = await sql.query(`SELECT s.id, s.lifecycle::text AS lifecycle, s.domain_model->'circuit' AS c FROM subscriptions s JOIN process_subscriptions ps ON ps.subscription_id = s.id WHERE ps.process_id = ANY($1::uuid[])`, [ids])
    assert.equal(circuits.rows.length, CIRCUITS, 'one subscription per process')
    assert.ok(circuits.rows.every((r: { lifecycle: string }) => r.lifecycle === 'active'))
    const subnets = circuits.rows.map((r: { c: { link_subnet_ipv4: string } }) => r.c.link_subnet_ipv4)
    assert.equal(new Set(subnets).size, CIRCUITS, 'every circuit has its own /31')
    assert.equal(await count(`SELECT count(*)::int AS n FROM ipam_allocations WHERE subscription_id = ANY($1::uuid[])`, [circuits.rows.map((r: { id: string }) => r.id)]), CIRCUITS * 2, 'one /31 and one /127 each, however often retried')
    assert.equal(await count(`SELECT count(*)::int AS n FROM dcim_cables`), CIRCUITS, 'one cable per circuit, none left over')
    assert.equal(await count(`SELECT count(*)::int AS n FROM dcim_cables WHERE status <> 'connected'`), 0)
    assert.equal(await count(`SELECT count(*)::int AS n FROM (SELECT process_id, name FROM process_steps WHERE process_id = ANY($1::uuid[]) GROUP BY 1, 2 HAVING count(*) > 1) d`, [ids]), 0, 'every step logged once')
    assert.equal(await count(`SELECT count(*)::int AS n FROM device_leases`), 0, 'no router left held')
  })
})
