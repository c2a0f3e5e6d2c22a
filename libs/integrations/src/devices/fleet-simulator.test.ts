import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { DeviceError } from './driver.js'
import { FleetSimulator, FleetSimulatorClient, type FleetSimulatorProfile, simulatedOutcome, type UpgradeLogEntry } from './fleet-simulator.js'
import { describeOsUpgraderContract } from './os-upgrader.contract.js'
import type { FleetDevice, UpgradeOutcome } from './os-upgrader.js'

/** The nornir3 demo's ACME network: eight sites of two edges, four spines and a hundred leaves (848 devices). */
const acmeNames = ['mercury', 'venus', 'earth', 'mars', 'jupyter', 'saturn', 'uranus', 'neptune'].flatMap((site) =>
  (
    [
      ['edge', 2],
      ['spine', 4],
      ['leaf', 100],
    ] as const
  ).flatMap(([type, count]) => Array.from({ length: count }, (_, n) => `${type}${String(n).padStart(2, '0')}.${site}`)),
)

const FAST: FleetSimulatorProfile = { latency_ms: [5, 20] }
const isKind = (kind: DeviceError['kind'], message?: RegExp) => (e: unknown) => e instanceof DeviceError && e.kind === kind && (!message || message.test(e.message))

async function started(profile: FleetSimulatorProfile, options?: { stateFile?: string }) {
  const simulator = new FleetSimulator(profile, options)
  const url = await simulator.listen()
  return { simulator, url, client: new FleetSimulatorClient(url) }
}

/** Waits until the simulator reports the device's upgrade under way. */
async function untilUpgrading(url: string, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (((await (await fetch(`${url}/devices/${name}`)).json()) as { upgrading?: boolean }).upgrading) return
    await sleep(5)
  }
  assert.fail(`${name} never reported an upgrade under way`)
}

/** The first names (of a generated list) whose upgrade to `version` fails, and does not fail, under `profile`. */
function failingAndNot(profile: FleetSimulatorProfile, version: string) {
  const names = Array.from({ length: 2000 }, (_, i) => `leaf${i}.test`)
  const failing = names.find((n) => simulatedOutcome(profile, n, version).fails)
  const healthy = names.find((n) => !simulatedOutcome(profile, n, version).fails)
  assert.ok(failing && healthy)
  return { failing, healthy }
}

describe('fleet simulator (OS upgrades)', () => {
  let scratch: string
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'loom-fleet-sim-'))
  })
  after(() => rmSync(scratch, { recursive: true, force: true }))

  describe('against a simulator that never fails', () => {
    let contract: Awaited<ReturnType<typeof started>>
    let n = 0
    before(async () => {
      contract = await started({ ...FAST, failure_rate: 0 })
    })
    after(() => contract.simulator.close())
    describeOsUpgraderContract('fleet-simulator', () => ({
      upgrader: contract.client,
      freshDevice: (version) => {
        const name = `contract${n++}.test`
        contract.simulator.setVersion(name, version)
        return Promise.resolve({ name, os_version: version })
      },
    }))
  })

  test('the same seed gives the same fleet, another seed another one', () => {
    const outcomes = (seed: number) => acmeNames.map((n) => simulatedOutcome({ seed }, n, '5.3.1'))
    assert.equal(acmeNames.length, 848)
    assert.deepEqual(outcomes(1), outcomes(1))
    assert.deepEqual(outcomes(1), acmeNames.map((n) => simulatedOutcome({}, n, '5.3.1')), 'the default seed is 1')
    const [one, two] = [outcomes(1), outcomes(2)]
    assert.ok(one.filter((o, i) => o.latency_ms !== two[i].latency_ms).length > 800, 'seed 2 times nearly every device differently')
    assert.notDeepEqual(
      one.map((o) => o.fails),
      two.map((o) => o.fails),
    )
    // Neither the order of the calls nor the other devices matter: a device alone gets what it gets in the fleet.
    assert.deepEqual(simulatedOutcome({ seed: 1 }, acmeNames[500], '5.3.1'), one[500])
  })

  test('default latencies lie within 10 to 2000 ms and spread over the range', () => {
    const latencies = acmeNames.map((n) => simulatedOutcome({}, n, '5.3.1').latency_ms)
    assert.ok(latencies.every((ms) => Number.isInteger(ms) && ms >= 10 && ms <= 2000))
    const deciles = Array.from({ length: 10 }, (_, d) => latencies.filter((ms) => Math.min(9, Math.floor((ms - 10) / 199)) === d).length)
    // 84.8 expected in each: 40 is far below what chance allows.
    assert.ok(
      deciles.every((count) => count >= 40),
      `per decile: ${deciles.join(', ')}`,
    )
    assert.deepEqual(new Set(acmeNames.map((n) => simulatedOutcome({ latency_ms: [7, 7] }, n, '1').latency_ms)), new Set([7]))
  })

  test('by default between 1 % and 2 % of upgrades fail; which ones depends on the version too', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `${['edge', 'spine', 'leaf'][i % 3]}${i}.site${i % 17}`)
    const failing = (version: string) => names.filter((n) => simulatedOutcome({}, n, version).fails)
    const share = failing('5.3.1').length / names.length
    assert.ok(share >= 0.01 && share <= 0.02, `share ${share}`)
    assert.notDeepEqual(failing('5.3.1'), failing('6.0.0'))
    assert.equal(names.filter((n) => simulatedOutcome({ failure_rate: 0 }, n, '5.3.1').fails).length, 0)
    assert.equal(names.filter((n) => simulatedOutcome({ failure_rate: 1 }, n, '5.3.1').fails).length, names.length)
  })

  test('a device reads as 404 until some inventory names its version; it then keeps its own', async () => {
    const { simulator, url, client } = await started(FAST)
    try {
      const unknown = await fetch(`${url}/devices/edge00.earth`)
      assert.equal(unknown.status, 404)
      assert.match(((await unknown.json()) as { error: string }).error, /^edge00\.earth: no such device/)
      await assert.rejects(client.version({ name: 'edge00.earth', os_version: null }), isKind('operation_failed', /no such device/))
      await assert.rejects(client.upgrade({ name: 'edge00.earth', os_version: null }, '5.3.1', 'r'), isKind('operation_failed', /no such device/))
      const adopted = await fetch(`${url}/devices/edge00.earth?adopt=5.2.3`)
      assert.deepEqual(await adopted.json(), { name: 'edge00.earth', os_version: '5.2.3', upgrading: false })
      assert.equal(await client.version({ name: 'edge00.earth', os_version: '4.0.0' }), '5.2.3')
      assert.equal(simulator.versionOf('edge00.earth'), '5.2.3')
      assert.equal(await client.version({ name: 'spine01.mars', os_version: '5.2.3' }), '5.2.3')
      assert.deepEqual(simulator.log(), [], 'reading upgrades nothing')
    } finally {
      await simulator.close()
    }
  })

  test('a failing device fails again for that version and keeps its own; the client sees operation_failed', async () => {
    const profile: FleetSimulatorProfile = { ...FAST, failure_rate: 0.2 }
    const { failing, healthy } = failingAndNot(profile, '5.3.1')
    const { simulator, url, client } = await started(profile)
    try {
      const device: FleetDevice = { name: failing, os_version: '5.2.3' }
      const message = new RegExp(`^${failing.replace('.', '\\.')}: upgrade to 5\\.3\\.1 failed: the image did not install \\(simulated\\)$`)
      await assert.rejects(client.upgrade(device, '5.3.1', 'first'), (e: unknown) => isKind('operation_failed', message)(e) && (e as Error).name === 'DeviceOperationFailed')
      assert.equal(simulator.versionOf(failing), '5.2.3')
      await assert.rejects(client.upgrade(device, '5.3.1', 'second'), isKind('operation_failed', message))
      // The same request again is answered from the record: no third attempt on the device.
      const repeated = await fetch(`${url}/devices/${failing}/upgrade`, { method: 'POST', body: JSON.stringify({ version: '5.3.1', request_id: 'second' }) })
      assert.equal(repeated.status, 422)
      assert.match(((await repeated.json()) as { error: string }).error, message)
      assert.equal(await client.version(device), '5.2.3')
      assert.deepEqual(
        simulator.log().map((e) => [e.device, e.request_id, e.from_version, e.to_version, e.outcome]),
        [
          [failing, 'first', '5.2.3', '5.3.1', 'failed'],
          [failing, 'second', '5.2.3', '5.3.1', 'failed'],
        ],
      )
      assert.deepEqual(await client.upgrade({ name: healthy, os_version: '5.2.3' }, '5.3.1', 'h'), { changed: true, from_version: '5.2.3', version: '5.3.1' })
    } finally {
      await simulator.close()
    }
  })

  test('another request while an upgrade runs gets 409, which the client reports as unreachable (worth a retry)', async () => {
    const { simulator, url, client } = await started({ latency_ms: [300, 300], failure_rate: 0 })
    try {
      const device: FleetDevice = { name: 'leaf07.venus', os_version: '5.2.3' }
      const first = client.upgrade(device, '5.3.1', 'first')
      await untilUpgrading(url, 'leaf07.venus')
      const busy = await fetch(`${url}/devices/leaf07.venus/upgrade`, { method: 'POST', body: JSON.stringify({ version: '5.3.1', request_id: 'other' }) })
      assert.equal(busy.status, 409)
      assert.match(((await busy.json()) as { error: string }).error, /an upgrade is in progress \(request first\)/)
      await assert.rejects(client.upgrade(device, '5.3.1', 'other'), isKind('unreachable', /in progress/))
      assert.deepEqual(await first, { changed: true, from_version: '5.2.3', version: '5.3.1' })
      // Retried once the first is done, it finds the device upgraded.
      assert.deepEqual(await client.upgrade(device, '5.3.1', 'other'), { changed: false, from_version: '5.3.1', version: '5.3.1' })
      assert.equal(simulator.log().length, 1)
    } finally {
      await simulator.close()
    }
  })

  test('the whole ACME fleet at once: each device upgraded exactly once, failures as seeded, joins and repeats logged once', async () => {
    const { simulator, url, client } = await started(FAST)
    try {
      const fleet = acmeNames.map((name): FleetDevice => ({ name, os_version: '5.2.3' }))
      const attempt = (d: FleetDevice) =>
        client.upgrade(d, '5.3.1', `run1-${d.name}`).then(
          (outcome) => outcome,
          (e: unknown) => (e instanceof DeviceError ? e.kind : e),
        )
      // Every eighth device has a second caller with the same request id (a worker's retry): 954 requests in flight.
      const twice = fleet.filter((_, i) => i % 8 === 0)
      const [a, b] = await Promise.all([Promise.all(fleet.map(attempt)), Promise.all(twice.map(attempt))])
      assert.deepEqual(b, a.filter((_, i) => i % 8 === 0))
      const expected = acmeNames.map((n) => (simulatedOutcome(FAST, n, '5.3.1').fails ? 'operation_failed' : { changed: true, from_version: '5.2.3', version: '5.3.1' }))
      assert.deepEqual(a, expected)
      const failed = acmeNames.filter((n) => simulatedOutcome(FAST, n, '5.3.1').fails)
      assert.ok(failed.length > 0 && failed.length < 40, `${failed.length} failed`)
      assert.deepEqual(await Promise.all(twice.map(attempt)), b, 'repeated request ids get the recorded outcomes')

      const log = simulator.log()
      assert.equal(log.length, 848)
      assert.equal(new Set(log.map((e) => e.device)).size, 848, 'one entry per device')
      assert.deepEqual(log.filter((e) => e.outcome === 'failed').map((e) => e.device).sort(), [...failed].sort())
      assert.ok(log.every((e) => e.request_id === `run1-${e.device}` && e.from_version === '5.2.3' && e.to_version === '5.3.1' && !Number.isNaN(Date.parse(e.at))))
      assert.deepEqual(((await (await fetch(`${url}/log`)).json()) as { entries: unknown }).entries, log)
      assert.equal(simulator.versionOf('leaf63.earth'), simulatedOutcome(FAST, 'leaf63.earth', '5.3.1').fails ? '5.2.3' : '5.3.1')
    } finally {
      await simulator.close()
    }
  })

  test('a cancelled call leaves the upgrade running on the device; a retry with the same id gets its outcome', async () => {
    const { simulator, url, client } = await started({ latency_ms: [300, 300], failure_rate: 0 })
    try {
      const device: FleetDevice = { name: 'spine03.mars', os_version: '5.2.3' }
      const abort = new AbortController()
      const call = client.upgrade(device, '5.3.1', 'r1', abort.signal)
      await untilUpgrading(url, 'spine03.mars')
      abort.abort(new Error('the activity was cancelled'))
      await assert.rejects(call, /the activity was cancelled/)
      assert.equal(simulator.versionOf('spine03.mars'), '5.2.3', 'not yet')
      assert.deepEqual(await client.upgrade(device, '5.3.1', 'r1'), { changed: true, from_version: '5.2.3', version: '5.3.1' })
      assert.equal(simulator.log().length, 1)
    } finally {
      await simulator.close()
    }
  })

  test('versions, the log and recorded outcomes survive a restart on the same state file', async () => {
    const stateFile = join(scratch, 'fleet.json')
    const profile = { ...FAST, failure_rate: 0 }
    const first = await started(profile, { stateFile })
    let outcome: UpgradeOutcome
    let log: UpgradeLogEntry[]
    try {
      outcome = await first.client.upgrade({ name: 'edge01.jupyter', os_version: '5.2.3' }, '5.3.1', 'keep')
      first.simulator.setVersion('leaf99.neptune', '5.1.0')
      // Written in the background soon after a change, without waiting for close.
      await sleep(500)
      assert.deepEqual((JSON.parse(readFileSync(stateFile, 'utf8')) as { devices: unknown }).devices, { 'edge01.jupyter': '5.3.1', 'leaf99.neptune': '5.1.0' })
      log = first.simulator.log()
      // A change just before close is not left to the timer.
      first.simulator.setVersion('leaf98.neptune', '5.0.0')
    } finally {
      await first.simulator.close()
    }
    assert.deepEqual(readdirSync(scratch), ['fleet.json'], 'no temporary file is left')

    const second = await started(profile, { stateFile })
    try {
      assert.equal(second.simulator.versionOf('edge01.jupyter'), '5.3.1')
      assert.equal(second.simulator.versionOf('leaf99.neptune'), '5.1.0')
      assert.equal(second.simulator.versionOf('leaf98.neptune'), '5.0.0')
      assert.deepEqual(second.simulator.log(), log)
      assert.equal(log.length, 1)
      assert.deepEqual(await second.client.upgrade({ name: 'edge01.jupyter', os_version: '5.2.3' }, '5.3.1', 'keep'), outcome)
      assert.equal(second.simulator.log().length, 1, 'the repeated request did no new work')
    } finally {
      await second.simulator.close()
    }
  })

  test('anything else is answered with an error in JSON; a simulator that is gone is unreachable', async () => {
    const { simulator, url } = await started(FAST)
    const errorOf = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${url}${path}`, init)
      return [response.status, ((await response.json()) as { error: unknown }).error]
    }
    try {
      assert.deepEqual(await errorOf('/nothing'), [404, 'no such resource: GET /nothing'])
      assert.deepEqual(await errorOf('/devices/x', { method: 'DELETE' }), [405, 'DELETE /devices/x: only GET'])
      assert.deepEqual(await errorOf('/devices/x/upgrade'), [405, 'GET /devices/x/upgrade: only POST'])
      assert.deepEqual(await errorOf('/log', { method: 'POST' }), [405, 'POST /log: only GET'])
      assert.deepEqual(await errorOf('/devices/x/upgrade', { method: 'POST', body: 'not json' }), [400, 'expected a JSON object {version, request_id, adopt?}'])
      assert.deepEqual(await errorOf('/devices/x/upgrade', { method: 'POST', body: JSON.stringify({ version: '1' }) }), [400, 'expected {version, request_id, adopt?}: non-empty strings'])
    } finally {
      await simulator.close()
    }
    // A connection kept from before may be the one found closed, or a new one refused.
    const gone = new FleetSimulatorClient(url)
    for (let i = 0; i < 2; i++)
      await assert.rejects(gone.version({ name: 'edge00.earth', os_version: '5.2.3' }), isKind('unreachable', /^edge00\.earth \(simulated\) did not answer: (connect ECONNREFUSED|socket hang up|read ECONNRESET)/))
  })
})
