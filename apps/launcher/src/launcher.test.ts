// `npm start` as a user runs it: the launcher process with its embedded defaults, on free ports and a data dir of its own.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import pg from 'pg'
import { freePort, isPortFree, projectRoot, waitFor } from '#runtime/index.js'
import { cloneDatabase, type TestDatabase } from '../../../test/support/database.js'
import { childEnv, testTemporalAddress, testTemporalCli } from '../../../test/support/env.js'
import { type Child, spawnNode, stopChild } from '../../../test/support/processes.js'
import { adminKey, apiClient } from '../../../test/support/api.js'

const LAUNCHER = join(projectRoot(), 'dist', 'apps', 'launcher', 'src', 'main.js')

interface Ports {
  http: number
  temporal: number
  ui: number
  postgres: number
}

async function freePorts(): Promise<Ports> {
  return { http: await freePort(), temporal: await freePort(), ui: await freePort(), postgres: await freePort() }
}

function launch(dataDir: string, ports: Ports, extra: Record<string, string> = {}): Child {
  return spawnNode(
    LAUNCHER,
    childEnv({
      LOOM_DATA_DIR: dataDir,
      LOOM_HTTP_PORT: String(ports.http),
      LOOM_TEMPORAL_PORT: String(ports.temporal),
      LOOM_TEMPORAL_UI_PORT: String(ports.ui),
      LOOM_POSTGRES_PORT: String(ports.postgres),
      TEMPORAL_CLI: testTemporalCli(),
      ...extra,
    }),
  )
}

async function untilRunning(c: Child): Promise<void> {
  await waitFor(() => c.output().includes('Loom is running') || c.child.exitCode !== null, {
    timeoutMs: 180_000,
    describe: () => `the launcher did not come up:\n${c.output()}`,
  })
  assert.equal(c.child.exitCode, null, c.output())
}

/** The exit code of a start that must stop by itself: one that comes up instead is stopped after `timeoutMs`. */
async function exitOf(c: Child, timeoutMs = 60_000): Promise<number | null> {
  const timer = setTimeout(() => c.child.kill('SIGTERM'), timeoutMs)
  try {
    return await c.exited
  } finally {
    clearTimeout(timer)
  }
}

async function getStatus(url: string, key?: string): Promise<number> {
  return (await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {})).status
}

/** The pid of the launcher's child whose command line contains `match`. */
function childPid(launcher: Child, match: string): number | undefined {
  let out: string
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(launcher.child.pid)], { encoding: 'utf8' })
  } catch {
    return undefined // ps exits 1 when there is no child
  }
  const line = out.split('\n').find((l) => l.includes(match))
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined
}

/** Waits until the launcher has restarted the child `name` `times` times, and returns the restarted child's pid. */
async function untilRestarted(c: Child, name: string, times = 1): Promise<number> {
  let pid: number | undefined
  await waitFor(
    () => {
      const restarts = [...c.output().matchAll(new RegExp(`loom: ${name} restarted \\(pid (\\d+)\\)`, 'g'))]
      pid = restarts.length >= times ? Number(restarts[times - 1][1]) : undefined
      return pid !== undefined || c.child.exitCode !== null
    },
    { timeoutMs: 180_000, describe: () => `${name} was not restarted:\n${c.output()}` },
  )
  assert.equal(c.child.exitCode, null, c.output())
  return pid!
}

async function untilHealthy(base: string, c: Child): Promise<void> {
  await waitFor(async () => (await getStatus(`${base}/api/health`).catch(() => 0)) === 200, {
    timeoutMs: 180_000,
    describe: () => `/api/health did not answer 200 again:\n${c.output()}`,
  })
}

function newDataDir(): string {
  // As root the embedded PostgreSQL runs as the OS user postgres, which must be able to enter the folder.
  const dir = mkdtempSync(join(process.env.LOOM_TEST_SCRATCH ?? '/tmp', 'launcher-'))
  chmodSync(dir, 0o755)
  return join(dir, 'data')
}

describe('npm start on the embedded defaults', () => {
  const dataDir = newDataDir()
  let ports: Ports

  before(async () => {
    ports = await freePorts()
  })

  test('comes up, answers, stops everything on Ctrl-C, and a second start finds the data of the first', async () => {
    const api = `http://127.0.0.1:${ports.http}`
    // On its own keys (npm start's embedded default), not the test run's.
    const first = launch(dataDir, ports, { LOOM_PAYLOAD_KEYS: '' })
    let pingId: string
    let key: string
    try {
      await untilRunning(first)
      // Not open: the first start makes an administrator key that only this OS user can read, and says where.
      const keyFile = join(dataDir, 'admin-api-key')
      assert.equal(statSync(keyFile).mode & 0o777, 0o600)
      key = readFileSync(keyFile, 'utf8').trim()
      assert.match(first.output(), new RegExp(`made the first administrator API key: ${keyFile}`))
      assert.equal(await getStatus(`${api}/api/workflows/create_node/form`), 401)
      // …and a key that encrypts every payload Temporal keeps.
      assert.equal(statSync(join(dataDir, 'payload-keys')).mode & 0o777, 0o600)
      assert.match(first.output(), /made the key that encrypts Temporal payloads/)
      assert.match(first.output(), new RegExp(`Swagger UI +http://127\\.0\\.0\\.1:${ports.http}/docs`))
      assert.match(first.output(), new RegExp(`Temporal UI +http://localhost:${ports.ui}`))
      assert.equal(await getStatus(`${api}/api/health`), 200)
      assert.equal(await getStatus(`${api}/docs`), 200)
      assert.match(first.output(), /added 4 planned demo routers to the built-in DCIM/)
      assert.match(first.output(), /product catalogue: .*created product node/)
      const auth = { headers: { authorization: `Bearer ${key}` } }
      const form = (await (await fetch(`${api}/api/workflows/create_node/form`, auth)).json()) as { properties: { router: { enum: string[] } } }
      assert.deepEqual(form.properties.router.enum, ['ams-pe1', 'ams-pe2', 'fra-pe1', 'lon-pe1'])
      const ports_ = (await (await fetch(`${api}/api/dcim/devices/ams-pe1/interfaces`, auth)).json()) as { items: { interface: string; speed_mbps: number }[] }
      assert.deepEqual(ports_.items.map((i) => `${i.interface}@${i.speed_mbps}`), ['eth1@10000', 'eth2@10000', 'eth3@10000', 'eth4@100000'])
      assert.equal(await getStatus(`http://127.0.0.1:${ports.ui}/`), 200)
      const ping = await fetch(`${api}/api/system/ping`, { method: 'POST', ...auth })
      assert.equal(ping.status, 200)
      pingId = ((await ping.json()) as { workflow_id: string }).workflow_id
      const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${ports.postgres}/loom` })
      await db.connect()
      try {
        await db.query(
          `INSERT INTO dcim_devices (id, name, role, vendor, platform, site, updated_at) VALUES (gen_random_uuid(), 'persisted-r1', 'router', 'frr', 'frr', 'ams', now())`,
        )
      } finally {
        await db.end()
      }
    } finally {
      assert.equal(await stopChild(first, 'SIGINT'), 0, first.output())
    }
    for (const port of [ports.http, ports.temporal, ports.ui, ports.postgres]) assert.ok(await isPortFree(port), `port ${port} still in use after Ctrl-C:\n${first.output()}`)
    assert.ok(existsSync(join(dataDir, 'temporal.db')))

    const second = launch(dataDir, ports, { LOOM_PAYLOAD_KEYS: '' })
    try {
      await untilRunning(second)
      assert.doesNotMatch(second.output(), /installing the Temporal CLI/)
      assert.doesNotMatch(second.output(), /added \d+ planned demo routers/, 'the seed adds nothing twice')
      assert.match(second.output(), /product catalogue up to date/)
      assert.doesNotMatch(second.output(), /made the first administrator API key/, 'the key of the first start still works')
      assert.equal(await getStatus(`${api}/api/auth/me`, key), 200)
      assert.equal(await getStatus(`${api}/api/health`), 200)
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` })
      try {
        const description = await new Client({ connection }).workflow.getHandle(pingId).describe()
        assert.equal(description.status.name, 'COMPLETED')
      } finally {
        await connection.close()
      }
      const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${ports.postgres}/loom` })
      await db.connect()
      const { rows } = await db.query(`SELECT name FROM dcim_devices WHERE name = 'persisted-r1'`).finally(() => db.end())
      assert.equal(rows.length, 1)
    } finally {
      assert.equal(await stopChild(second, 'SIGTERM'), 0, second.output())
    }
  })

  test('after the launcher is killed with SIGKILL, its children go too and the next start comes up', async () => {
    const killedDir = newDataDir()
    const killedPorts = await freePorts()
    const first = launch(killedDir, killedPorts)
    await untilRunning(first)
    first.child.kill('SIGKILL')
    await first.exited
    // Gateway, worker and PostgreSQL see the IPC channel close and stop; the Temporal dev server cannot.
    for (const port of [killedPorts.http, killedPorts.postgres])
      await waitFor(() => isPortFree(port), { timeoutMs: 20_000, describe: () => `port ${port} still in use after the launcher died` })
    assert.equal(await isPortFree(killedPorts.temporal), false, 'the orphaned dev server should still hold its port')

    const second = launch(killedDir, killedPorts)
    try {
      await untilRunning(second)
      assert.match(second.output(), /stopped a Temporal dev server \(pid \d+\) left running by an earlier start/)
      assert.equal(await getStatus(`http://127.0.0.1:${killedPorts.http}/api/health`), 200)
    } finally {
      assert.equal(await stopChild(second, 'SIGTERM'), 0, second.output())
    }
  })

  test('restarts a Temporal dev server and a PostgreSQL killed with SIGKILL, on the same files and ports', async () => {
    const crashDir = newDataDir()
    const crashPorts = await freePorts()
    const base = `http://127.0.0.1:${crashPorts.http}`
    const run = launch(crashDir, crashPorts)
    try {
      await untilRunning(run)
      const key = readFileSync(join(crashDir, 'admin-api-key'), 'utf8').trim()
      const temporal = childPid(run, 'start-dev')
      assert.ok(temporal, `no dev server among the launcher's children:\n${run.output()}`)
      process.kill(temporal, 'SIGKILL')
      const restartedTemporal = await untilRestarted(run, 'temporal')
      assert.notEqual(restartedTemporal, temporal)
      assert.match(run.output(), /loom: temporal stopped unexpectedly \(killed by SIGKILL\); restarting it in 1 s \(restart 1\)/)
      assert.match(readFileSync(join(crashDir, 'temporal.pid'), 'utf8'), new RegExp(`^${restartedTemporal} ${run.child.pid}\\b`))
      await untilHealthy(base, run)

      // The PostgreSQL server itself, not the launcher's node wrapper around it: the wrapper exits with it.
      const postmaster = Number(readFileSync(join(crashDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0])
      process.kill(postmaster, 'SIGKILL')
      await untilRestarted(run, 'postgres')
      assert.match(run.output(), /loom: postgres stopped unexpectedly \(exit code 1\); restarting it in \d+ s \(restart 1\)/)
      await untilHealthy(base, run)
      // Processes run again, on the restarted servers (worker and gateway reconnected or were restarted).
      await waitFor(async () => (await fetch(`${base}/api/system/ping`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status === 200, {
        timeoutMs: 120_000,
        describe: () => `no ping went through after the restarts:\n${run.output()}`,
      })
      assert.doesNotMatch(run.output(), /giving up/)
    } finally {
      assert.equal(await stopChild(run, 'SIGTERM'), 0, run.output())
    }
    for (const port of [crashPorts.http, crashPorts.temporal, crashPorts.ui, crashPorts.postgres])
      assert.ok(await isPortFree(port), `port ${port} still in use after SIGTERM:\n${run.output()}`)
  })

  test('a port in use stops the start with the variable to change, before anything starts', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => blocker.once('listening', r))
    const taken = (blocker.address() as { port: number }).port
    try {
      const run = launch(newDataDir(), { ...(await freePorts()), ui: taken })
      assert.equal(await run.exited, 1)
      assert.match(run.output(), new RegExp(`cannot start: port ${taken} is already in use; set LOOM_TEMPORAL_UI_PORT to a free port`))
    } finally {
      blocker.close()
    }
  })
})

describe('a second npm start on the same data dir', () => {
  let db: TestDatabase
  before(async () => {
    db = await cloneDatabase()
  })
  after(async () => {
    await db?.drop()
  })

  test('is refused, naming the running launcher, and leaves it and its dev server running', async () => {
    const dataDir = newDataDir()
    const ports = await freePorts()
    const first = launch(dataDir, ports, { DATABASE_URL: db.url })
    try {
      await untilRunning(first)
      const pid = first.child.pid!
      // The same command again (same ports), then one that would not clash on any port.
      for (const secondPorts of [ports, await freePorts()]) {
        const second = launch(dataDir, secondPorts, { DATABASE_URL: db.url })
        assert.equal(await exitOf(second), 1, second.output())
        assert.match(
          second.output(),
          new RegExp(`cannot start: another Loom is already running on the data dir .* \\(launcher pid ${pid}\\); stop it first \\(Ctrl-C where it runs, or kill ${pid}\\)`),
        )
        assert.doesNotMatch(second.output(), /stopped a Temporal dev server|starting the/)
      }
      assert.equal(first.child.exitCode, null, first.output())
      assert.doesNotMatch(first.output(), /stopped unexpectedly/)
      const health = await fetch(`http://127.0.0.1:${ports.http}/api/health`)
      assert.equal(health.status, 200)
      assert.equal(((await health.json()) as { temporal: string }).temporal, 'ok')
      assert.ok(existsSync(join(dataDir, 'launcher.lock')))
    } finally {
      assert.equal(await stopChild(first, 'SIGINT'), 0, first.output())
    }
    assert.equal(existsSync(join(dataDir, 'launcher.lock')), false, 'a clean stop releases the data dir')
  })
})

describe('npm start with TEMPORAL_ADDRESS and DATABASE_URL', () => {
  let db: TestDatabase
  before(async () => {
    db = await cloneDatabase()
  })
  after(async () => {
    await db?.drop()
  })

  test('uses those servers and starts neither Temporal nor PostgreSQL', async () => {
    const dataDir = newDataDir()
    const ports = await freePorts()
    const run = launch(dataDir, ports, { TEMPORAL_ADDRESS: testTemporalAddress(), DATABASE_URL: db.url })
    try {
      await untilRunning(run)
      assert.doesNotMatch(run.output(), /starting the Temporal dev server|embedded PostgreSQL/)
      assert.equal(await getStatus(`http://127.0.0.1:${ports.http}/api/health`), 200)
      assert.equal(existsSync(join(dataDir, 'temporal.db')), false)
      assert.equal(existsSync(join(dataDir, 'postgres')), false)
    } finally {
      assert.equal(await stopChild(run, 'SIGINT'), 0, run.output())
    }
  })

  test('prints no deprecation warning: not at start, not while the worker and the gateway work', async () => {
    const ports = await freePorts()
    const dataDir = newDataDir()
    const run = launch(dataDir, ports, { TEMPORAL_ADDRESS: testTemporalAddress(), DATABASE_URL: db.url })
    try {
      await untilRunning(run)
      const api = `http://127.0.0.1:${ports.http}/api`
      // The first test's start made this database's first administrator key (in its own data dir): it is not made
      // again, and the launcher says so. The test run's administrator key works here too.
      assert.equal(existsSync(join(dataDir, 'admin-api-key')), false)
      assert.match(run.output(), /holds no working key: the first administrator key was made before/)
      const key = adminKey()
      assert.equal((await fetch(`${api}/system/ping`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status, 200)
      for (const path of ['/health', '/processes', '/subscriptions', '/workflows/create_node/form']) assert.equal(await getStatus(`${api}${path}`, key), 200, path)
    } finally {
      assert.equal(await stopChild(run, 'SIGTERM'), 0, run.output())
    }
    // Node prints each deprecation once per process, as "(node:<pid>) [DEP…] DeprecationWarning: …" or without a code (pg's).
    assert.doesNotMatch(run.output(), /DeprecationWarning|\[DEP\d+\]/)
  })

  test("with LOOM_DEMO_FLEET=acme: the ACME fleet is loaded and the seed's curls answer the seed's report, its counters at /metrics", async () => {
    const ports = await freePorts()
    const dataDir = newDataDir()
    const run = launch(dataDir, ports, { TEMPORAL_ADDRESS: testTemporalAddress(), DATABASE_URL: db.url, LOOM_DEMO_FLEET: 'acme' })
    let report: Record<string, string[]>
    try {
      await untilRunning(run)
      assert.match(run.output(), /OS upgrades go to a device simulator at http:\/\/127\.0\.0\.1:\d+/)
      const base = `http://127.0.0.1:${ports.http}`
      const headers = { authorization: `Bearer ${adminKey()}`, 'content-type': 'application/json' }
      const curl = (body: unknown) => fetch(`${base}/api/tasks/upgrade-os`, { method: 'POST', headers, body: JSON.stringify(body) })
      // The seed's first curl as written: its typo is caught, not ignored.
      const typo = await curl({ version: '5.3.1', filter_dev_sites: ['earth'] })
      assert.equal(typo.status, 400)
      const res = await curl({ version: '5.3.1', filter_dev_types: ['spine'] })
      assert.equal(res.status, 200)
      report = (await res.json()) as Record<string, string[]>
      assert.deepEqual(Object.keys(report).sort(), ['completed', 'failed', 'skipped'])
      assert.equal(Object.values(report).flat().length, 32, '4 spines at each of 8 sites')
      assert.ok(Object.values(report).flat().every((h) => /^spine0[0-3]\.(mercury|venus|earth|mars|jupyter|saturn|uranus|neptune)$/.test(h)))
      const metrics = await (await fetch(`${base}/metrics`, { headers })).text()
      assert.match(metrics, /^total_task_requests_total 1$/m)
      assert.match(metrics, /^total_task_requests_per_host_total\{host="spine00\.earth",site="earth",dev_type="spine"\} 1$/m)
    } finally {
      assert.equal(await stopChild(run, 'SIGTERM'), 0, run.output())
    }
    // The simulated devices keep what they run for the next start.
    const kept = JSON.parse(readFileSync(join(dataDir, 'fleet-simulator.json'), 'utf8')) as { devices: Record<string, string> }
    assert.deepEqual(Object.keys(kept.devices).filter((d) => kept.devices[d] === '5.3.1').sort(), [...report.completed].sort())
  })

  test('restarts a worker and a gateway killed with SIGKILL; processes started before or meanwhile go on', async () => {
    const ports = await freePorts()
    const base = `http://127.0.0.1:${ports.http}`
    const api = apiClient(base)
    const run = launch(newDataDir(), ports, { TEMPORAL_ADDRESS: testTemporalAddress(), DATABASE_URL: db.url })
    try {
      await untilRunning(run)
      const worker = childPid(run, 'apps/worker/src/main.js')
      assert.ok(worker, `no worker among the launcher's children:\n${run.output()}`)
      process.kill(worker, 'SIGKILL')
      // Started while no worker runs: it completes once the restarted worker takes it.
      const started = await api.call<{ id: string }>('POST', '/api/processes/task_resume_all', {})
      assert.equal(started.status, 201, JSON.stringify(started.body))
      assert.notEqual(await untilRestarted(run, 'worker'), worker)
      assert.match(run.output(), /loom: worker stopped unexpectedly \(killed by SIGKILL\); restarting it in 1 s \(restart 1\)/)
      await api.waitForProcess(started.body.id, (p) => p.status === 'completed', 180_000, 500)

      const gateway = childPid(run, 'apps/gateway/src/main.js')
      assert.ok(gateway, `no gateway among the launcher's children:\n${run.output()}`)
      const before = await api.call<{ id: string }>('POST', '/api/processes/task_resume_all', {})
      assert.equal(before.status, 201, JSON.stringify(before.body))
      process.kill(gateway, 'SIGKILL')
      assert.notEqual(await untilRestarted(run, 'gateway'), gateway)
      assert.match(run.output(), /loom: gateway stopped unexpectedly \(killed by SIGKILL\); restarting it in 1 s \(restart 1\)/)
      await untilHealthy(base, run)
      await api.waitForProcess(before.body.id, (p) => p.status === 'completed', 180_000, 500)
      assert.doesNotMatch(run.output(), /giving up/)
    } finally {
      assert.equal(await stopChild(run, 'SIGTERM'), 0, run.output())
    }
    assert.ok(await isPortFree(ports.http), run.output())
  })

  test('a worker that keeps dying: after 5 restarts the launcher stops everything and exits 1, saying why', async () => {
    const dataDir = newDataDir()
    const ports = await freePorts()
    // Test-only: every worker after the first exits at once (code 3), as one with a broken installation would.
    const hook = join(dataDir, '..', 'worker-dies.cjs')
    const marker = join(dataDir, '..', 'first-worker-started')
    writeFileSync(
      hook,
      `if ((process.argv[1] || '').includes('apps/worker/src/main.js')) {
  const fs = require('node:fs')
  if (fs.existsSync(${JSON.stringify(marker)})) process.exit(3)
  fs.writeFileSync(${JSON.stringify(marker)}, '')
}\n`,
    )
    const run = launch(dataDir, ports, { TEMPORAL_ADDRESS: testTemporalAddress(), DATABASE_URL: db.url, NODE_OPTIONS: `--require ${hook}` })
    await untilRunning(run)
    const worker = childPid(run, 'apps/worker/src/main.js')
    assert.ok(worker, `no worker among the launcher's children:\n${run.output()}`)
    process.kill(worker, 'SIGKILL')
    // 1 + 2 + 4 + 8 + 16 s of backoff, and the starts.
    assert.equal(await exitOf(run, 240_000), 1, run.output())
    const out = run.output()
    assert.match(out, /loom: worker stopped unexpectedly \(killed by SIGKILL\); restarting it in 1 s \(restart 1\)/)
    assert.match(out, /loom: worker stopped unexpectedly \(exit code 3\); restarting it in 16 s \(restart 5\)/)
    assert.match(out, /loom: worker stopped unexpectedly \(exit code 3\): 6 failures in a row, each within 60 s of its start; giving up: stopping everything/)
    assert.doesNotMatch(out, /restart 6\)/)
    assert.ok(await isPortFree(ports.http), 'the gateway was stopped too')
  })

  test('a TEMPORAL_ADDRESS where nothing answers is a clear error', async () => {
    const ports = await freePorts()
    const run = launch(newDataDir(), ports, { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, DATABASE_URL: db.url })
    assert.equal(await run.exited, 1)
    assert.match(run.output(), /TEMPORAL_ADDRESS=127\.0\.0\.1:\d+: no Temporal server answers there/)
  })

  test('bad configuration is reported per variable and nothing starts', async () => {
    const run = launch(newDataDir(), await freePorts(), { LOOM_HTTP_PORT: 'eighty' })
    assert.equal(await run.exited, 1)
    assert.match(run.output(), /cannot start: Invalid configuration:\n {2}- LOOM_HTTP_PORT: expected a TCP port number \(1-65535\) \(got "eighty"\)/)
  })
})
