// `loom task upgrade-os` and `loom task follow`: the real CLI binary against the real gateway and worker, the ACME
// fleet in the built-in DCIM and the OS-upgrade simulator (fast devices that fail often enough for every outcome to
// show on one site). Every report is checked against the one the simulator's seeded outcomes give (test/support/fleet.ts).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadConfig } from '#config/index.js'
import type { FleetProgressDto, ProcessDto } from '#contracts/index.js'
import { FleetSimulator, type FleetSimulatorProfile } from '#integrations/devices/fleet-simulator.js'
import { projectRoot } from '#runtime/index.js'
import { adminKey, as, authorized } from '../../../test/support/api.js'
import { acmeDevices, expectedReport, loadAcmeFleet, type Report, versionWhere } from '../../../test/support/fleet.js'
import { loomStack } from '../../../test/support/loom.js'
import { countsLine, problemLines, ProgressView, runningLines, serverSentEvents } from './task-progress.js'

const CLI = join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js')
const loom = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LOOM_API_KEY: adminKey() } }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    )
  })

const PROFILE: FleetSimulatorProfile = { seed: 7, latency_ms: [5, 30], failure_rate: 0.05 }
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
/** A site (not in `besides`) whose upgrade to 5.3.1 has failed and skipped devices. */
const siteWithFailures = (...besides: string[]) => {
  const site = ['mars', 'jupyter', 'saturn', 'uranus', 'neptune', 'mercury', 'venus'].find((s) => {
    if (besides.includes(s)) return false
    const r = expectedReport(acmeDevices({ sites: [s] }), PROFILE, '5.3.1')
    return r.failed.length >= 2 && r.skipped.length >= 1
  })
  assert.ok(site, 'some site has failures under this profile')
  return site
}

describe('loom task upgrade-os', () => {
  let simulator: FleetSimulator
  let simulatorUrl = ''
  const stack = loomStack({ devices: [], config: () => ({ devices: loadConfig({ LOOM_FLEET_SIMULATOR_URL: simulatorUrl }).devices }) })
  const processOf = async (id: string) => (await stack.api.get<ProcessDto>(`/api/processes/${id}`)).body
  const used: string[] = []

  before(async () => {
    simulator = new FleetSimulator(PROFILE)
    simulatorUrl = await simulator.listen()
    await stack.start()
    await loadAcmeFleet(stack.databaseUrl)
  })
  after(async () => {
    await stack.stop()
    await simulator?.close()
  })

  test("--json --site earth: stdout is only the seed's report, the one the seeded devices give; exit 2 as devices failed", async () => {
    const expected = expectedReport(acmeDevices({ sites: ['earth'] }), PROFILE, '5.3.1')
    assert.ok(expected.failed.length >= 2, JSON.stringify(expected))
    used.push('earth')
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', 'earth', '--json')
    assert.equal(run.status, 2, run.stderr)
    const report = JSON.parse(run.stdout) as Report
    assert.deepEqual(Object.keys(report), ['completed', 'failed', 'skipped'])
    assert.deepEqual(report, expected)
    // Progress and messages went to stderr: each failure, with what the device said.
    for (const device of expected.failed) assert.match(run.stderr, new RegExp(`^failed: ${device.replace('.', '\\.')} — \\S`, 'm'))
    assert.match(run.stderr, /^done: 106 devices: /m)
  })

  test('a human reads the progress (a line per 10 %, each failure), the report sections, a summary and the process id; exit 2', async () => {
    const site = siteWithFailures(...used)
    used.push(site)
    const expected = expectedReport(acmeDevices({ sites: [site] }), PROFILE, '5.3.1')
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', site)
    assert.equal(run.status, 2, run.stderr)
    const out = run.stdout
    const id = new RegExp(`^process (${UUID})$`, 'm').exec(out)?.[1]
    assert.ok(id, out)
    assert.match(out, new RegExp(`^upgrade-os 5\\.3\\.1: process ${id}$`, 'm'), 'the process id first')
    assert.match(out, /^upgrade-os 5\.3\.1: 106 devices in \d+ groups \(dc-aware\)$/m)
    assert.match(out, /^\[100%\] 106\/106 devices: \d+ completed \(0 unchanged\), \d+ failed, \d+ skipped; groups \d+\/\d+/m)
    const percents = [...out.matchAll(/^\[ *(\d+)%\]/gm)].map((m) => Number(m[1]))
    assert.ok(percents.length <= 11 && percents.every((p, i) => i === 0 || p > percents[i - 1]), `a line per 10 %: ${percents.join(', ')}`)
    for (const device of expected.failed) assert.match(out, new RegExp(`^failed: ${device.replace('.', '\\.')}`, 'm'))
    // The report, as the seed has it: completed, failed, skipped, the names.
    assert.match(out, new RegExp(`^completed \\(${expected.completed.length}\\):\\n(  \\S+\\n){${expected.completed.length}}failed \\(${expected.failed.length}\\):$`, 'm'))
    for (const device of expected.failed) assert.match(out, new RegExp(`^  ${device.replace('.', '\\.')}  — \\S`, 'm'))
    assert.match(out, new RegExp(`^skipped \\(${expected.skipped.length}\\):$`, 'm'))
    for (const device of expected.skipped) assert.match(out, new RegExp(`^  ${device.replace('.', '\\.')}  \\(an earlier device of its group failed\\)$`, 'm'))
    assert.match(out, new RegExp(`^done: 106 devices: ${expected.completed.length} completed \\(0 unchanged\\), ${expected.failed.length} failed, ${expected.skipped.length} skipped$`, 'm'))
    assert.ok(!out.includes('\x1b['), 'no terminal codes in a log')
    const p = await processOf(id)
    assert.equal(p.status, 'completed')
    assert.deepEqual(p.fleet?.report, expected)
  })

  test('repeated and comma-separated filters; no device fails: exit 0', async () => {
    const sites = ['venus', 'saturn']
    const devices = acmeDevices({ sites, dev_types: ['edge', 'spine'] })
    const version = versionWhere(devices, PROFILE, (failing) => failing.length === 0)
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', version, '--site', 'venus', '--site', 'saturn', '--dev-type', 'edge,spine', '--concurrency', '4', '--json')
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), expectedReport(devices, PROFILE, version))
    assert.equal((JSON.parse(run.stdout) as Report).completed.length, 12)
  })

  test('a failure rate above 0 % halts: exit 3, the halt, the report so far and how to resume; resumed, `loom task follow` takes it on to the end', async () => {
    const site = siteWithFailures(...used)
    used.push(site)
    const expected = expectedReport(acmeDevices({ sites: [site] }), PROFILE, '5.3.1')
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', site, '--halt-failure-rate', '0', '--halt-min-devices', '1')
    assert.equal(run.status, 3, `${run.stdout}\n${run.stderr}`)
    const id = new RegExp(`^process (${UUID})$`, 'm').exec(run.stdout)?.[1]
    assert.ok(id, run.stdout)
    assert.match(run.stdout, /^halted: the rollout halted: \d+ of \d+ devices failed/m)
    assert.match(run.stdout, /^report so far:\n {2}completed \(\d+\):/m)
    assert.match(run.stdout, /^so far: 106 devices: \d+ completed \(0 unchanged\), [1-9]\d* failed, \d+ skipped(, \d+ not done yet)?$/m)
    assert.match(run.stdout, new RegExp(`^  curl -X PUT -H "Authorization: Bearer \\$LOOM_API_KEY" -H 'Content-Type: application/json' -d '\\{\\}' ${stack.url}/api/processes/${id}/resume$`, 'm'))
    assert.match(run.stdout, new RegExp(`/api/processes/${id}/abort$`, 'm'))
    assert.match(run.stdout, new RegExp(`^Then follow it again: loom task follow ${id}$`, 'm'))
    assert.doesNotMatch(run.stdout, new RegExp(adminKey()), 'the key is never printed')
    assert.equal((await processOf(id)).status, 'suspended')

    // Resume (every failure halts again), follow, until it completes: the report of an unhalted run.
    let last = run
    for (let round = 0; last.status === 3; round++) {
      assert.ok(round < 20, 'it ends')
      const resumed = await fetch(`${stack.url}/api/processes/${id}/resume`, { method: 'PUT', headers: authorized({ 'content-type': 'application/json' }), body: '{}' })
      assert.equal(resumed.status, 200, await resumed.text())
      last = await loom('--api', stack.url, 'task', 'follow', id, '--json')
      const report = JSON.parse(last.stdout) as Report
      assert.ok(last.status === 3 || last.status === 2, `${last.status}: ${last.stderr}`)
      if (last.status === 3) assert.match(last.stderr, /^halted: /m)
      else assert.deepEqual(report, expected)
    }
  })

  test('a canary waits for the change board: exit 3 saying how to approve; rejected, the task is aborted: follow exits 4', async () => {
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', 'mercury', '--dev-type', 'leaf', '--canary', '2')
    assert.equal(run.status, 3, `${run.stdout}\n${run.stderr}`)
    const id = new RegExp(`^process (${UUID})$`, 'm').exec(run.stdout)?.[1]
    assert.ok(id, run.stdout)
    assert.match(run.stdout, /^waiting: the canary wave is done; the rest of the rollout waits for the change board's approval \(step approve_canary\)$/m)
    assert.match(run.stdout, /^To approve the rest of the rollout \(needs the role change-board\):$/m)
    assert.match(run.stdout, new RegExp(`-d '\\{"approved": true\\}' ${stack.url}/api/processes/${id}/resume$`, 'm'))
    assert.equal((await processOf(id)).status, 'waiting')
    const rejected = await stack.api.call('PUT', `/api/processes/${id}/resume`, { approved: false }, as('carol', 'change-board'))
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body))
    const followed = await loom('--api', stack.url, 'task', 'follow', id)
    assert.equal(followed.status, 4, `${followed.stdout}\n${followed.stderr}`)
    assert.match(followed.stdout, /^aborted: approve_canary was rejected by key:carol/m)
    assert.match(followed.stdout, new RegExp(`^process ${id}$`, 'm'))
  })

  test('an unknown site: exit 1 naming it, and nothing started', async () => {
    const before = (await stack.api.get<{ total: number }>('/api/processes?workflow=task_upgrade_os')).body.total
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', 'earth,earht')
    assert.equal(run.status, 1, run.stderr)
    assert.equal(run.stdout, '')
    assert.match(run.stderr, /^upgrade-os: 422 The request body has 1 invalid field: filter_sites\.1\.$/m)
    assert.match(run.stderr, /^ {2}filter_sites\.1: no device at site earht$/m)
    const bad = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--concurrency', '0')
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /^ {2}concurrency: /m)
    assert.equal((await stack.api.get<{ total: number }>('/api/processes?workflow=task_upgrade_os')).body.total, before)
  })

  test("an unknown field (a gateway of another version than the CLI's): exit 1 with the problem's detail and each field", async () => {
    // The real gateway's answer to the seed's own curl, replayed by a server standing in for a gateway that
    // expects other fields than this CLI sends.
    const real = await fetch(`${stack.url}/api/tasks/upgrade-os`, { method: 'POST', headers: authorized({ 'content-type': 'application/json' }), body: JSON.stringify({ version: '5.3.1', filter_dev_sites: ['earth'] }) })
    assert.equal(real.status, 400)
    const problem = await real.text()
    const server: Server = createServer((req, res) => {
      req.resume()
      res.writeHead(400, { 'content-type': 'application/problem+json' }).end(problem)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const run = await loom('--api', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'task', 'upgrade-os', '--version', '5.3.1', '--site', 'earth')
      assert.equal(run.status, 1)
      assert.equal(run.stdout, '')
      assert.match(run.stderr, /^upgrade-os: 400 The request body has 1 invalid field: filter_dev_sites\.$/m)
      assert.match(run.stderr, /^ {2}filter_dev_sites: unknown field \(did you mean filter_sites or filter_dev_types\?\); the fields are version, filter_sites/m)
    } finally {
      server.close()
    }
  })

  test('--no-wait prints the process id (--json: the 202 body) and exits 0; the task goes on', async () => {
    const run = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', 'mercury', '--dev-type', 'edge', '--no-wait')
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, new RegExp(`^${UUID}\\n$`))
    const json = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--site', 'mercury', '--dev-type', 'spine', '--no-wait', '--json')
    assert.equal(json.status, 0, json.stderr)
    const started = JSON.parse(json.stdout) as { id: string; status: string; workflow_id: string; run_id: string }
    assert.deepEqual(Object.keys(started).sort(), ['id', 'run_id', 'status', 'workflow_id'])
    for (const id of [run.stdout.trim(), started.id]) assert.equal((await stack.api.waitForProcess(id, (p) => p.completed_at !== null)).status, 'completed')
  })

  test('usage errors exit 1: --soak without --canary, a number that is none, no --version', async () => {
    const soak = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--soak', '60')
    assert.equal(soak.status, 1)
    assert.match(soak.stderr, /--soak: only with --canary/)
    const nan = await loom('--api', stack.url, 'task', 'upgrade-os', '--version', '5.3.1', '--concurrency', 'many')
    assert.equal(nan.status, 1)
    assert.match(nan.stderr, /option '--concurrency <n>' argument 'many' is invalid/)
    const none = await loom('--api', stack.url, 'task', 'upgrade-os', '--site', 'earth')
    assert.equal(none.status, 1)
    assert.match(none.stderr, /required option '--version <version>' not specified/)
    const help = await loom('task', 'upgrade-os', '--help')
    assert.equal(help.status, 0)
    assert.match(help.stdout, /^Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n(.*\n)* {2}4 /m)
  })
})

describe('task progress, as printed', () => {
  const fleet = (over: Partial<FleetProgressDto> = {}): FleetProgressDto => ({
    operation: 'upgrade_os',
    params: { version: '5.3.1' },
    policy: 'dc-aware',
    devices: 100,
    completed: 0,
    unchanged: 0,
    failed: 0,
    skipped: 0,
    pending: 100,
    groups: { total: 52, done: 0, running: 0, claimed: 0 },
    halted: null,
    running: [],
    failures: [],
    ...over,
  })
  const processWith = (f: FleetProgressDto, status = 'running') => ({ id: 'p1', status, completed_at: null, fleet: f }) as unknown as ProcessDto
  const sink = (isTTY: boolean, columns = 60) => {
    const chunks: string[] = []
    return { chunks, out: { isTTY, columns, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream }
  }

  test('server-sent events across chunk boundaries, CRLF, comments and multi-line data', async () => {
    const text = ': keep-alive\r\n\r\nevent: process\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: process\ndata:{"b":2}\n\nid: 3\ndata: x\n\nevent: process\ndata: {"cut"'
    const bytes = new TextEncoder().encode(text)
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield await Promise.resolve(bytes.slice(i, i + 7))
    }
    const events = []
    for await (const e of serverSentEvents(chunks())) events.push(e)
    assert.deepEqual(events, [
      { event: 'process', data: '{"a":\n1}' },
      { event: 'process', data: '{"b":2}' },
      { event: 'message', data: 'x' },
    ])
  })

  test('the groups at work: at most 10, then how many more; the canary wave named', () => {
    const running = Array.from({ length: 13 }, (_, i) => ({ group: `earth/rack${i + 1}`, wave: i === 0 ? 0 : 1, device: `leaf${i * 2}.earth`, done: i % 2, size: 2 }))
    const lines = runningLines(fleet({ running }))
    assert.equal(lines.length, 11)
    assert.equal(lines[0], '    earth/rack1   leaf0.earth   0/2  (canary)')
    assert.equal(lines[1], '    earth/rack2   leaf2.earth   1/2')
    assert.equal(lines[10], '    …and 3 more')
  })

  test('in a log: a line per 10 % of the devices and each failure, once', () => {
    const { chunks, out } = sink(false)
    const view = new ProgressView({ out, live: false, title: 'upgrade-os 5.3.1' })
    const failures = [{ device: 'leaf63.earth', error: 'refused 5.3.1' }]
    for (let done = 0; done <= 100; done++) {
      view.update(processWith(fleet({ completed: done - (done > 40 ? 1 : 0), failed: done > 40 ? 1 : 0, pending: 100 - done, failures: done > 40 ? failures : [] })))
      view.update(processWith(fleet({ completed: done - (done > 40 ? 1 : 0), failed: done > 40 ? 1 : 0, pending: 100 - done, failures: done > 40 ? failures : [] })))
    }
    const lines = chunks.join('').trimEnd().split('\n')
    assert.equal(lines[0], 'upgrade-os 5.3.1: 100 devices in 52 groups (dc-aware)')
    assert.equal(lines.filter((l) => l.startsWith('failed: leaf63.earth — refused 5.3.1')).length, 1)
    assert.deepEqual(lines.filter((l) => l.startsWith('[')).map((l) => l.slice(0, 6)), ['[  0%]', '[ 10%]', '[ 20%]', '[ 30%]', '[ 40%]', '[ 50%]', '[ 60%]', '[ 70%]', '[ 80%]', '[ 90%]', '[100%]'])
    assert.equal(lines.at(-1), `[100%] ${countsLine(fleet({ completed: 99, failed: 1, pending: 0 }))}`)
  })

  test('on a terminal: a few lines redrawn in place, cut to its width; failures above them; gone at the end', async () => {
    const { chunks, out } = sink(true, 40)
    const view = new ProgressView({ out, live: true, title: 'upgrade-os 5.3.1' })
    const running = [{ group: 'earth/rack31', wave: 1, device: 'leaf61.earth', done: 0, size: 2 }]
    view.update(processWith(fleet({ completed: 10, pending: 90, running, groups: { total: 52, done: 5, running: 1, claimed: 3 } })))
    await new Promise((resolve) => setTimeout(resolve, 150))
    view.update(processWith(fleet({ completed: 10, failed: 1, pending: 89, running, failures: [{ device: 'leaf61.earth', error: 'leaf61.earth: refused' }] })))
    view.finish()
    const written = chunks.join('')
    assert.ok(written.includes('\x1b[3F\x1b[J'), 'the three lines drawn are cleared before the failure is printed')
    const ESC = '\x1b'
    const drawn = written.split(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`))
    assert.equal(drawn.at(-1), '', 'the live lines are gone at the end')
    assert.ok(drawn.some((d) => d.startsWith('failed: leaf61.earth — refused\nupgrade-os 5.3.1: 11/100 devices (11 %)\n')), 'the failure, then the lines again')
    for (const line of drawn.join('\n').split('\n').filter((l) => !l.startsWith('failed:'))) assert.ok([...line].length <= 39, line)
    assert.deepEqual(drawn[0].split('\n'), ['upgrade-os 5.3.1: 10/100 devices (10 %)', '  10 completed (0 unchanged), 0 failed…', '    earth/rack31  leaf61.earth  0/2', ''])
  })

  test("a problem: the detail, then each field on a line of its own", () => {
    assert.deepEqual(problemLines('upgrade-os', 422, { detail: 'The request body has 2 invalid fields.', errors: [{ path: 'concurrency', message: 'too small' }, { path: '', message: 'expected an object' }] }), [
      'upgrade-os: 422 The request body has 2 invalid fields.',
      '  concurrency: too small',
      '  (body): expected an object',
    ])
    assert.deepEqual(problemLines('upgrade-os', 502, 'Bad gateway'), ['upgrade-os: 502'])
  })
})
