// The frr driver against real routers: three FRR routers in network namespaces, configured through the
// device activities (base and link configuration rendered from the data contract) until OSPF is Full and every
// loopback is routed; a second push changes nothing; a bad configuration is refused with the router unchanged;
// a change that fails verification is rolled back. Skipped, with the reason, where the lab cannot start.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApplicationFailure } from '@temporalio/common'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import { BuiltinIpam } from '#integrations/ipam/builtin-ipam.js'
import { apiClient } from '../support/api.js'
import { quietTemporalRuntime, testConfig, uniqueTaskQueue } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import type { DeviceAccessConfig } from '#config/index.js'
import { DeviceActivities, StepLog } from '#activities/index.js'
import { type LinkConfigData, type NodeConfigData, renderDeviceConfig } from '#domain/config/index.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { describeDriverContract } from '#integrations/devices/driver.contract.js'
import type { DeviceTarget } from '#integrations/devices/driver.js'
import { FrrDriver } from '#integrations/devices/frr-driver.js'
import { fingerprintOf, PrismaHostKeyRecord } from '#integrations/devices/host-keys.js'
import { PrismaService } from '#persistence/index.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'

import { type Lab, labUnavailable, managementSubnetOf, startLab } from '#runtime/index.js'
import { newProcess, stepContext } from '../support/records.js'
import { readableHistory } from '../support/histories.js'

const unavailable = labUnavailable()

describe('real FRR routers configured through the frr driver', { skip: unavailable }, () => {
  let lab: Lab
  let db: TestDatabase
  let prisma: PrismaService
  let devices: DeviceActivities
  let access: DeviceAccessConfig
  let loom: LoomWorker | undefined
  let running: Promise<void> | undefined
  let gw: RunningGateway | undefined
  const driver = new FrrDriver()
  const configs = new Map<string, { node: NodeConfigData; links: LinkConfigData[] }>()
  const rendered = (router: string, change: (l: LinkConfigData) => LinkConfigData = (l) => l) => {
    const c = configs.get(router)!
    return renderDeviceConfig('frr', c.node, c.links.map(change))
  }
  const targetOf = (router: string): DeviceTarget => {
    const r = lab.routers.find((x) => x.name === router)!
    return { device: r.hostname, vendor: 'frr', host: r.ssh.host, username: 'root', credentials: access.credentials!, known_hosts: access.knownHosts }
  }

  before(async () => {
    lab = await startLab(3)
    db = await cloneDatabase()
    prisma = new PrismaService(db.url)
    const key = lab.routers[0].ssh
    access = { driver: 'frr', username: 'root', credentials: `file:${key.private_key}`, knownHosts: key.known_hosts, hostKeys: 'known_hosts', managementPrefixes: [managementSubnetOf(lab)], sshPort: 22, simulator: { seed: 1, latencyMs: [0, 0], failureRate: 0 } }
    const dcim = new BuiltinDcim(prisma)
    devices = new DeviceActivities(new StepLog(prisma), driver, dcim, access)
    await dcim.createSite({ name: lab.name })
    for (const r of lab.routers) {
      await dcim.createDevice({ name: r.hostname, role: 'router', vendor: 'frr', platform: 'frr', site: lab.name, management_address: r.mgmt_ip, primary_ipv4: `${r.loopback}/32` })
      const k = Number(r.name.slice(1))
      const links: LinkConfigData[] = lab.links.flatMap((l, i) =>
        [l.a, l.b].includes(r.name)
          ? [
              {
                interface: l.a === r.name ? l.a_if : l.b_if,
                description: `${l.a}-${l.b}`,
                ipv4_address: `${l.a === r.name ? l.a_address : l.b_address}/31`,
                ipv6_address: `2001:db8:ff:${i + 1}::${l.a === r.name ? 0 : 1}/127`,
                igp: { area: '0.0.0.0', metric: 10, mode: 'normal' as const, hello_interval: 1, dead_interval: 4 },
              },
            ]
          : [],
      )
      configs.set(r.name, {
        node: { hostname: r.hostname, site: lab.name, role: 'router', loopback_ipv4: `${r.loopback}/32`, loopback_ipv6: `2001:db8::${k}/128`, igp: { protocol: 'ospf', area: '0.0.0.0', fast_convergence: true } },
        links,
      })
    }
  })
  after(async () => {
    loom?.shutdown()
    await running
    await gw?.close()
    await lab?.down()
    await prisma?.$disconnect()
    await db?.drop()
  })

  test('create_node enrols a real router: loopbacks from IPAM, base configuration applied and verified by the driver; no credential in its history', async () => {
    quietTemporalRuntime()
    const ipam = new BuiltinIpam(prisma)
    await ipam.createPool({ name: 'loopbacks-v4', prefix: '10.255.0.0/24', role: 'loopback' })
    await ipam.createPool({ name: 'loopbacks-v6', prefix: '2001:db8::/64', role: 'loopback' })
    const config = testConfig(db.url, { taskQueue: uniqueTaskQueue('lab'), devices: access })
    loom = await createLoomWorker(config)
    running = loom.run()
    gw = await startGateway(config)
    const api = apiClient(gw.url)
    const r1 = lab.routers[0]
    assert.equal((await api.call('POST', '/api/customers', { id: 'lab', name: 'FRR lab' })).status, 201)
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: r1.hostname, customer_id: 'lab' })
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const done = await api.waitForProcess(started.body.id, (p) => ['completed', 'failed'].includes(p.status), 120_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    const step = (name: string) => done.steps.find((s) => s.name === name)!
    assert.equal(step('apply_base_config').status, 'success')
    assert.equal(step('provide_config_to_user').status, 'skipped', 'the driver applied it: nobody had to')
    const node = (await api.get<SubscriptionDto>(`/api/subscriptions/${done.subscription_ids[0]}`)).body.domain_model.node as Record<string, string>
    assert.equal(node.loopback_ipv4, '10.255.0.1/32')
    assert.match(await lab.show('r1', 'show running-config'), /^ ip address 10\.255\.0\.1\/32$/m)
    assert.match(await lab.show('r1', 'show running-config'), /^ ospf router-id 10\.255\.0\.1$/m)

    // The worker read the private key to log in; the workflow only ever carried the device's name.
    // Read decrypted, as anyone holding Loom's payload keys could.
    const history = await readableHistory(started.body.id)
    const key = readFileSync(r1.ssh.private_key, 'utf8')
    const keyBody = key.split('\n').filter((l) => l && !l.startsWith('-----'))
    assert.ok(keyBody.length > 0)
    for (const line of keyBody) assert.ok(!history.includes(line), 'a line of the private key is in the history')
    assert.doesNotMatch(history, /PRIVATE KEY/)
    assert.match(history, /apply_base_config/, 'the history is the one that configured the router')
    assert.match(history, /ip ospf passive/, 'activity inputs (the rendered configuration) are read too')
  })

  test('base and link configuration make a working OSPF network: every adjacency Full, every loopback routed', async () => {
    const process = await newProcess(prisma)
    for (const r of lab.routers) {
      const applied = await devices.applyConfig({ ...stepContext(process, `push_${r.name}`), device: r.hostname, config: rendered(r.name) })
      assert.equal(applied.changed, true)
    }
    for (const r of lab.routers) {
      const interfaces = configs.get(r.name)!.links.map((l) => l.interface)
      const others = lab.routers.filter((o) => o !== r).map((o) => `${o.loopback}/32`)
      const verified = await driver.verify(targetOf(r.name), { ospf_full_on: interfaces, routes: others, timeout_ms: 30_000 })
      assert.deepEqual(verified, { ok: true, failures: [] }, `${r.name}: ${await lab.show(r.name, 'show ip ospf neighbor')}`)
    }
    assert.match(await lab.show('r1', 'show ip route 10.255.0.3/32'), /Known via "ospf"/)
  })

  test('a second push of the same configuration changes nothing', async () => {
    const process = await newProcess(prisma)
    for (const r of lab.routers) {
      const again = await devices.applyConfig({ ...stepContext(process, `again_${r.name}`), device: r.hostname, config: rendered(r.name) })
      assert.deepEqual([again.changed, again.diff], [false, ''], r.name)
    }
  })

  test('a bad configuration is refused before anything is applied; the router is unchanged', async () => {
    const before_ = await lab.show('r2', 'show running-config')
    const process = await newProcess(prisma)
    await assert.rejects(devices.applyConfig({ ...stepContext(process, 'bad'), device: lab.routers[1].hostname, config: `${rendered('r2')}interface to-r1\n ip ospf cost lots\n` }), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure && e.nonRetryable && e.type === 'InvalidConfiguration', String(e))
      return true
    })
    assert.equal(await lab.show('r2', 'show running-config'), before_)
  })

  test('a change that fails its verification is rolled back, and the network recovers', async () => {
    const process = await newProcess(prisma)
    // r1's link in another area: syntactically fine, but no adjacency can form with r2.
    const broken = rendered('r1', (l) => ({ ...l, igp: { ...l.igp, area: '0.0.0.1' } }))
    await assert.rejects(
      devices.applyConfig({ ...stepContext(process, 'risky'), device: lab.routers[0].hostname, config: broken, verify: { ospf_full_on: ['to-r2'], timeout_ms: 6000 } }),
      (e: unknown) => {
        assert.ok(e instanceof ApplicationFailure && e.type === 'VerificationFailed', String(e))
        assert.match(e.message, /rolled back: no OSPF neighbour in state Full on to-r2/)
        return true
      },
    )
    assert.equal(await driver.diff(targetOf('r1'), rendered('r1')), '', 'the configuration before the change is back')
    assert.deepEqual(await driver.verify(targetOf('r1'), { ospf_full_on: ['to-r2'], routes: ['10.255.0.3/32'], timeout_ms: 30_000 }), { ok: true, failures: [] })
  })

  /** The host key the lab's routers show (every router of a lab has the same one), from the lab's known_hosts. */
  const labHostKey = () => Buffer.from(readFileSync(access.knownHosts!, 'utf8').split('\n').find((l) => l && !l.startsWith('#'))!.split(/\s+/)[2], 'base64')
  /** Another ed25519 public key, as SSH sends it. */
  /** A host key no router has, as the SSH wire format holds it (string "ssh-ed25519", string key). */
  const otherKey = () => {
    const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
    const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b])
    return { getPublicSSH: () => Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]) }
  }

  test('a router whose host key is not the one known_hosts lists is refused before the login, naming both keys; the router is untouched', async () => {
    const r2 = lab.routers[1]
    const wrong = otherKey().getPublicSSH()
    const knownHosts = join(process.env.LOOM_TEST_SCRATCH ?? '/tmp', `${lab.name}-wrong-known-hosts`)
    writeFileSync(knownHosts, `${r2.mgmt_ip} ssh-ed25519 ${wrong.toString('base64')}\n`)
    const misled = new DeviceActivities(new StepLog(prisma), driver, new BuiltinDcim(prisma), { ...access, knownHosts })
    const before_ = await lab.show('r2', 'show running-config')
    await assert.rejects(
      misled.applyConfig({ ...stepContext(await newProcess(prisma), 'wrong_key'), device: r2.hostname, config: rendered('r2', (l) => ({ ...l, igp: { ...l.igp, metric: 30 } })) }),
      (e: unknown) => {
        assert.ok(e instanceof ApplicationFailure && e.nonRetryable && e.type === 'HostKeyMismatch', String(e))
        assert.match(e.message, new RegExp(`^${r2.hostname} \\(${r2.mgmt_ip.replaceAll('.', '\\.')}:22\\): host key mismatch`))
        assert.ok(e.message.includes(fingerprintOf(labHostKey())) && e.message.includes(fingerprintOf(wrong)), e.message)
        assert.match(e.message, /refused before authentication, no credential was sent/)
        return true
      },
    )
    assert.equal(await lab.show('r2', 'show running-config'), before_)
  })

  test('trust on first use: the first key a router shows is recorded; a different one later is refused and the router untouched', async () => {
    const r3 = lab.routers[2]
    const tofu = new DeviceActivities(new StepLog(prisma), new FrrDriver({ hostKeyRecord: new PrismaHostKeyRecord(prisma) }), new BuiltinDcim(prisma), { ...access, knownHosts: undefined, hostKeys: 'tofu' })
    const process = await newProcess(prisma)
    const same = await tofu.applyConfig({ ...stepContext(process, 'tofu_first'), device: r3.hostname, config: rendered('r3') })
    assert.equal(same.changed, false)
    const recorded = await prisma.deviceHostKey.findUniqueOrThrow({ where: { device: r3.hostname } })
    assert.deepEqual([recorded.keyType, recorded.fingerprint, recorded.firstHost], ['ssh-ed25519', fingerprintOf(labHostKey()), `${r3.mgmt_ip}:22`])

    // As if the router had shown another key the first time: the one it shows now is refused.
    const other = otherKey().getPublicSSH()
    await prisma.deviceHostKey.update({ where: { device: r3.hostname }, data: { key: other.toString('base64'), fingerprint: fingerprintOf(other) } })
    const before_ = await lab.show('r3', 'show running-config')
    await assert.rejects(
      tofu.applyConfig({ ...stepContext(process, 'tofu_changed'), device: r3.hostname, config: rendered('r3', (l) => ({ ...l, igp: { ...l.igp, metric: 40 } })) }),
      (e: unknown) => {
        assert.ok(e instanceof ApplicationFailure && e.nonRetryable && e.type === 'HostKeyMismatch', String(e))
        assert.match(e.message, /host key mismatch: it showed ssh-ed25519 SHA256:\S+, but ssh-ed25519 SHA256:\S+ was trusted on first use/)
        assert.ok(e.message.includes(fingerprintOf(labHostKey())) && e.message.includes(fingerprintOf(other)), e.message)
        return true
      },
    )
    assert.equal(await lab.show('r3', 'show running-config'), before_)
  })

  describeDriverContract('frr on a real router', () => ({
    driver,
    target: targetOf('r3'),
    baseline: rendered('r3'),
    changed: rendered('r3', (l) => ({ ...l, igp: { ...l.igp, metric: 20 } })),
    quietInterface: 'mgmt0',
  }))
})
