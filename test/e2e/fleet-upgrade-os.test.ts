// The nornir3 demo's upgrade-os through Loom's API, on the ACME fleet in the built-in DCIM and the OS-upgrade
// simulator (an HTTP server of its own, as devices would be), on the real Temporal dev server and PostgreSQL. Every
// report is checked against the one the simulator's seeded outcomes give under the seed's DC-aware rules, computed
// here, and the simulator's own log tells which devices were upgraded, and how often.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { loadConfig } from '#config/index.js'
import type { FleetProgressDto, ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import { FLEET_POLICIES, planRollout, CANARY_WAVE } from '#domain/fleet/rollout.js'
import { FleetSimulator, type FleetSimulatorProfile } from '#integrations/devices/fleet-simulator.js'
import { as, authorized } from '../support/api.js'
import { acmeDevices, expectedReport, loadAcmeFleet, type Report, sample, versionWhere } from '../support/fleet.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { loomStack } from '../support/loom.js'
import pg from 'pg'

// Fast devices that fail often enough for every rule to show on one site.
const PROFILE: FleetSimulatorProfile = { seed: 7, latency_ms: [5, 30], failure_rate: 0.05 }
let simulator: FleetSimulator
let simulatorUrl = ''
const loom = loomStack({ devices: [], config: () => ({ devices: loadConfig({ LOOM_FLEET_SIMULATOR_URL: simulatorUrl }).devices }) })
let sql: pg.Client

before(async () => {
  simulator = new FleetSimulator(PROFILE)
  simulatorUrl = await simulator.listen()
  await loom.start()
  await loadAcmeFleet(loom.databaseUrl)
  sql = new pg.Client({ connectionString: loom.databaseUrl })
  await sql.connect()
})
after(async () => {
  await sql?.end()
  await loom.stop()
  await simulator?.close()
})

const upgrade = (body: unknown, query = '', headers: Record<string, string> = {}) => loom.api.call<Report & { detail?: string; errors?: { path: string; message: string }[] }>('POST', `/api/tasks/upgrade-os${query}`, body, { ...as('olivia'), ...headers })
/** How often the simulator upgraded each device (upgrades performed, failed ones included). */
const upgradesPerDevice = () => simulator.log().reduce((m, e) => m.set(e.device, (m.get(e.device) ?? 0) + 1), new Map<string, number>())
const processOf = async (location: string) => (await loom.api.get<ProcessDto>(location)).body

describe('the seed\'s endpoint', () => {
  const earth = acmeDevices({ sites: ['earth'] })
  let firstRun: Report

  test("the seed's first curl, as written, is refused: its filter_dev_sites is no field (its server ignored it and upgraded everything)", async () => {
    const res = await upgrade({ version: '5.3.1', filter_dev_sites: ['earth'] })
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.deepEqual(res.body.errors?.map((e) => e.path), ['filter_dev_sites'])
    assert.match(res.body.errors[0].message, /did you mean filter_sites/)
    assert.equal(simulator.log().length, 0, 'nothing was upgraded')
  })

  test('every device at earth: the report the seeded devices give under the DC-aware rules', async () => {
    const expected = expectedReport(earth, PROFILE, '5.3.1')
    assert.ok(expected.failed.length >= 2 && expected.skipped.length >= 1, `the seed must show failures and skips: ${JSON.stringify(expected)}`)
    const res = await upgrade({ version: '5.3.1', filter_sites: ['earth'] })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(Object.keys(res.body).sort(), ['completed', 'failed', 'skipped'], "the seed's report shape")
    assert.deepEqual(res.body, expected)
    firstRun = res.body
    // A skipped device was never touched; every other one was upgraded once.
    const upgrades = upgradesPerDevice()
    for (const d of [...expected.completed, ...expected.failed]) assert.equal(upgrades.get(d), 1, d)
    for (const d of expected.skipped) assert.equal(upgrades.get(d), undefined, d)
    // The inventory records what the devices run now.
    const device = async (name: string) => (await loom.api.get<{ os_version: string | null }>(`/api/dcim/devices/${name}`)).body.os_version
    assert.equal(await device(expected.completed[0]), '5.3.1')
    assert.equal(await device(expected.failed[0]), '5.2.3')
    const process = await processOf(res.headers.get('content-location')!)
    assert.equal(process.status, 'completed')
    assert.equal(process.workflow, 'task_upgrade_os')
    assert.deepEqual(process.fleet?.report, expected)
    assert.equal(process.fleet?.devices, 106)
    await recordHistoryIfAsked(process.id, 'tasks', 'task_upgrade_os')
  })

  test("the seed's second curl, every spine: the spines of earth already run 5.3.1 and complete without change", async () => {
    const spines = acmeDevices({ dev_types: ['spine'] })
    const upgraded = new Set(firstRun.completed)
    const before = upgradesPerDevice()
    const res = await upgrade({ version: '5.3.1', filter_dev_types: ['spine'] })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body, expectedReport(spines, PROFILE, '5.3.1', 'dc-aware', upgraded))
    const after = upgradesPerDevice()
    for (const d of spines.filter((s) => upgraded.has(s.name))) assert.equal(after.get(d.name), before.get(d.name), `${d.name} was not upgraded again`)
    const fleet = (await processOf(res.headers.get('content-location')!)).fleet!
    assert.equal(fleet.unchanged, spines.filter((s) => upgraded.has(s.name)).length)
  })

  test("the seed's Prometheus counters, with the seed's names and labels", async () => {
    const text = (await (await fetch(`${loom.url}/metrics`, { headers: authorized() })).text())
    assert.equal(sample(text, 'total_task_requests_total'), 2)
    assert.equal(sample(text, 'failed_tasks_total'), 2, 'both tasks had a failed host')
    const spineOfEarth = acmeDevices({ sites: ['earth'], dev_types: ['spine'] })[0].name
    // earth's first spine ran in both tasks; a skipped leaf ran in none; a failed leaf failed once.
    assert.equal(sample(text, 'total_task_requests_per_host_total', { host: spineOfEarth, site: 'earth', dev_type: 'spine' }), 2)
    assert.equal(sample(text, 'total_task_requests_per_host_total', { host: firstRun.skipped[0] }), undefined)
    const failedLeaf = firstRun.failed.find((d) => d.startsWith('leaf'))!
    assert.equal(sample(text, 'failed_tasks_per_host_total', { host: failedLeaf, site: 'earth', dev_type: 'leaf' }), 1)
    assert.equal(sample(text, 'total_task_requests_per_host_total', { host: failedLeaf, site: 'earth', dev_type: 'leaf' }), 1)
    assert.match(text, /# TYPE total_task_requests_per_host_total counter/)
  })

  test('bad requests name what is wrong and start nothing', async () => {
    const cases: [unknown, number, RegExp][] = [
      [[], 400, /JSON object/],
      [{ version: '5.3.1', concurrency: 0 }, 422, /concurrency/],
      [{ filter_sites: ['earth'] }, 422, /version/],
      [{ version: '5.3.1', filter_dev_types: ['router-ish'] }, 422, /filter_dev_types/],
      [{ version: '5.3.1', filter_sites: ['earht'] }, 422, /no device at site earht/],
      [{ version: '5.3.1', policy: 'yolo' }, 422, /policy/],
      [{ version: '5.3.1', canary: { devices: 2, soak: 5 } }, 422, /canary/],
    ]
    const [{ n: before }] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM processes`)).rows
    for (const [body, status, detail] of cases) {
      const res = await upgrade(body)
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`)
      assert.match(JSON.stringify(res.body), detail, JSON.stringify(body))
    }
    assert.equal(await upgrade({ version: '5.3.1' }, '?async=maybe').then((r) => r.status), 400)
    const [{ n: afterwards }] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM processes`)).rows
    assert.equal(afterwards, before)
  })
})

describe('asynchronous, staged', () => {
  test('Prefer: respond-async answers 202 with the process; its events stream the groups at work until the report', async () => {
    const devices = acmeDevices({ sites: ['jupyter'] })
    const res = await loom.api.call<ProcessStartedDto>('POST', '/api/tasks/upgrade-os', { version: '5.3.1', filter_sites: ['jupyter'], concurrency: 1 }, { ...as('olivia'), prefer: 'respond-async' })
    assert.equal(res.status, 202, JSON.stringify(res.body))
    assert.equal(res.headers.get('location'), `/api/processes/${res.body.id}`)
    assert.equal(res.headers.get('preference-applied'), 'respond-async')
    const stream = await fetch(`${loom.url}/api/processes/${res.body.id}/events`, { headers: authorized() })
    const seen: FleetProgressDto[] = []
    let last: ProcessDto | undefined
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of stream.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true })
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '))
        buffer = buffer.slice(end + 2)
        if (!data) continue
        last = JSON.parse(data.slice(6)) as ProcessDto
        if (last.fleet) seen.push(last.fleet)
      }
    }
    assert.equal(last?.status, 'completed')
    // One lane, about two seconds of devices: events arrive while it works, each showing the one group at work.
    assert.ok(seen.some((f) => f.running.length === 1), 'some event showed the group at work')
    assert.ok(seen.every((f) => f.running.length <= 1), 'never more groups at work than the concurrency')
    assert.ok(seen.some((f) => f.pending > 0 && f.pending < devices.length), 'progress arrived while the task ran')
    assert.deepEqual(last?.fleet?.report, expectedReport(devices, PROFILE, '5.3.1'))
  })

  test('a canary wave waits for the change board; a failure rate above the threshold halts (suspended, the report so far); resume goes on; no device is upgraded twice', async () => {
    const mars = acmeDevices({ sites: ['mars'] })
    const canary = planRollout(mars, FLEET_POLICIES['dc-aware'], 4).devices.filter((d) => d.wave === CANARY_WAVE).map((d) => d.name)
    // A version no canary device refuses, that several others do.
    const version = versionWhere(mars, PROFILE, (failing) => failing.length >= 3 && !failing.some((f) => canary.includes(f)))
    const res = await loom.api.call<ProcessStartedDto>('POST', '/api/tasks/upgrade-os?async=true', { version, filter_sites: ['mars'], canary: { devices: 4 }, halt_failure_rate: 0, halt_min_devices: 1 }, as('olivia'))
    assert.equal(res.status, 202, JSON.stringify(res.body))
    const id = res.body.id
    let p = await loom.api.waitForProcess(id, (x) => x.status === 'waiting')
    assert.equal(p.pending_input?.step, 'approve_canary')
    assert.equal(p.fleet?.completed, 4)
    assert.deepEqual([...new Set(simulator.log().filter((e) => e.to_version === version).map((e) => e.device))].sort(), [...canary].sort(), 'only the canary ran')
    const refused = await loom.api.call('PUT', `/api/processes/${id}/resume`, { approved: true }, as('olivia'))
    assert.equal(refused.status, 403, 'approving takes the change board')
    assert.equal((await loom.api.call('PUT', `/api/processes/${id}/resume`, { approved: true }, as('carol', 'change-board'))).status, 200)
    // Every failure halts (a rate above 0 %): suspend, look, resume, until the end.
    let halts = 0
    for (;;) {
      p = await loom.api.waitForProcess(id, (x) => x.status === 'suspended' || x.status === 'completed', 60_000)
      if (p.status === 'completed') break
      halts++
      assert.match(p.fleet?.halted ?? '', /the rollout halted: \d+ of \d+ devices failed/)
      assert.ok(p.fleet!.failed >= 1 && p.fleet!.failures.length === p.fleet!.failed)
      assert.match(p.suspended[0]?.error.message ?? '', /halted/)
      assert.equal(p.fleet?.report?.failed.length, p.fleet?.failed, 'the report so far')
      assert.equal((await loom.api.call('PUT', `/api/processes/${id}/resume`, {}, as('olivia'))).status, 200)
    }
    assert.ok(halts >= 1, 'the rollout halted at least once')
    assert.deepEqual(p.fleet?.report, expectedReport(mars, PROFILE, version))
    const upgrades = upgradesPerDevice()
    const runs = simulator.log().filter((e) => e.to_version === version)
    assert.equal(runs.length, new Set(runs.map((e) => e.device)).size, 'each device upgraded at most once')
    for (const d of p.fleet.report.skipped) assert.equal(upgrades.get(d), undefined)
  })

  test('a canary with a soak time goes on by itself; a synchronous request answers the report', async () => {
    const mercury = acmeDevices({ sites: ['mercury'] })
    const canary = planRollout(mercury, FLEET_POLICIES['dc-aware'], 2).devices.filter((d) => d.wave === CANARY_WAVE).map((d) => d.name)
    const version = versionWhere(mercury, PROFILE, (failing) => !failing.some((f) => canary.includes(f)))
    const res = await upgrade({ version, filter_sites: ['mercury'], canary: { devices: 2, soak_seconds: 1 } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body, expectedReport(mercury, PROFILE, version))
    const p = await processOf(res.headers.get('content-location')!)
    const status = (step: string) => p.steps.find((s) => s.name === step)?.status
    assert.deepEqual([status('run_canary'), status('soak_canary'), status('approve_canary'), status('run_devices')], ['success', 'success', 'skipped', 'success'])
  })

  test('a synchronous request whose task halts answers 202 with the suspended process; abort stops it there', async () => {
    const neptune = acmeDevices({ sites: ['neptune'] })
    const version = versionWhere(neptune, PROFILE, (failing) => failing.length >= 2)
    const res = await loom.api.call<ProcessStartedDto>('POST', '/api/tasks/upgrade-os', { version, filter_sites: ['neptune'], halt_failure_rate: 0, halt_min_devices: 1, concurrency: 4 }, as('olivia'))
    assert.equal(res.status, 202, JSON.stringify(res.body))
    assert.equal(res.body.status, 'suspended')
    const halted = await processOf(res.headers.get('location')!)
    assert.ok(halted.fleet!.pending > 0 && halted.fleet!.halted)
    // Its devices stay its own until it ends: another task on them is refused, naming it.
    const busy = await upgrade({ version: '5.3.1', filter_sites: ['neptune'], filter_dev_types: ['spine'] })
    assert.equal(busy.status, 409, JSON.stringify(busy.body))
    assert.match(busy.body.detail ?? '', new RegExp(`in fleet task ${res.body.id}, which has not ended`))
    assert.equal((await loom.api.call('PUT', `/api/processes/${res.body.id}/abort`, { reason: 'bad image' }, as('olivia'))).status, 200)
    const aborted = await loom.api.waitForProcess(res.body.id, (x) => x.status === 'aborted')
    const ran = simulator.log().filter((e) => e.to_version === version).length
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(simulator.log().filter((e) => e.to_version === version).length, ran, 'nothing upgraded after the abort')
    assert.equal(aborted.fleet!.pending, halted.fleet!.pending, 'the devices not reached stay untouched')
    // Aborted, it holds nothing.
    const spines = await upgrade({ version: '5.3.1', filter_sites: ['neptune'], filter_dev_types: ['spine'] })
    assert.equal(spines.status, 200, JSON.stringify(spines.body))
  })

  test('the parallel policy with at most 3 devices down per site: nothing is skipped, and never more than 3 devices of the site upgrade at once', async () => {
    const venus = acmeDevices({ sites: ['venus'] })
    const res = await upgrade({ version: '5.3.1', filter_sites: ['venus'], policy: 'parallel', concurrency: 40, max_down_per_site: 3 })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body, expectedReport(venus, PROFILE, '5.3.1', 'parallel'))
    assert.equal(res.body.skipped.length, 0)
    const id = res.headers.get('content-location')!.split('/').pop()
    const { rows } = await sql.query<{ started_at: Date; finished_at: Date }>(`SELECT started_at, finished_at FROM fleet_task_devices WHERE process_id = $1`, [id])
    const edges = rows.flatMap((r) => [[r.started_at.getTime(), 1] as const, [r.finished_at.getTime(), -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let down = 0
    let most = 0
    for (const [, change] of edges) most = Math.max(most, (down += change))
    assert.ok(most <= 3, `at most 3 at once, saw ${most}`)
    assert.ok(most >= 2, `the lanes did run side by side (${most})`)
  })
})
