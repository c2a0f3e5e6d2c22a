// Device steps with the simulator and the manual driver (the frr driver against real routers: test/e2e/frr-lab.test.ts).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { asyncLocalStorage, Context, type Info } from '@temporalio/activity'
import { ApplicationFailure, CancelledFailure, noopMetricMeter } from '@temporalio/common'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { newProcess, stepContext } from '../../../../test/support/records.js'
import { type CommandAnswer, sshKeyPair, startSshServer } from '../../../../test/support/ssh-server.js'
import { loadConfig } from '#config/index.js'
import { renderDeviceConfig } from '#domain/config/index.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { FrrDriver } from '#integrations/devices/frr-driver.js'
import { ManualDriver } from '#integrations/devices/manual-driver.js'
import { SimulatorDriver } from '#integrations/devices/simulator-driver.js'
import { PrismaService } from '#persistence/index.js'
import { StepLog } from '../processes/step-log.js'
import { DeviceActivities } from './device.activities.js'

let db: TestDatabase
let prisma: PrismaService
const simulator = new SimulatorDriver({ seed: 3 })
const access = loadConfig({ LOOM_DEVICE_DRIVER: 'simulator' }).devices
const node = (metric: number) =>
  renderDeviceConfig('frr', { hostname: 'dev-r1', site: 'dev', role: 'router', loopback_ipv4: '10.255.7.1/32', loopback_ipv6: '2001:db8:7::1/128', igp: { protocol: 'ospf', area: '0.0.0.0' } }, [
    { interface: 'eth1', description: 'to dev-r2', ipv4_address: '10.7.0.0/31', ipv6_address: '2001:db8:7:1::/127', igp: { area: '0.0.0.0', metric, mode: 'normal' } },
  ])

let p_: string

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  p_ = await newProcess(prisma)
  const dcim = new BuiltinDcim(prisma)
  await dcim.createSite({ name: 'dev' })
  await dcim.createDevice({ name: 'dev-r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'dev', management_address: '192.0.2.70' })
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

const failsWith = (type: string, pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ApplicationFailure && e.nonRetryable && e.type === type, String(e))
  assert.match(e.message, pattern)
  return true
}

/** An activity's context as the worker makes one: heartbeats are collected, `cancel` cancels as Temporal would. */
function activityContext() {
  const abort = new AbortController()
  const heartbeats: unknown[] = []
  let reject!: (error: Error) => void
  const cancelled = new Promise<never>((_, r) => (reject = r))
  cancelled.catch(() => undefined)
  const quiet = () => undefined
  const context = new Context({} as Info, cancelled, abort.signal, (details) => heartbeats.push(details), undefined, { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet }, noopMetricMeter, {})
  return {
    heartbeats,
    run: <T>(activity: () => Promise<T>) => asyncLocalStorage.run(context, activity),
    cancel: () => {
      const failure = new CancelledFailure('CANCELLED')
      abort.abort(failure)
      reject(failure)
    },
  }
}

/** A stand-in FRR router on loopback, and DeviceActivities reaching it through the frr driver (device dev-ssh). */
async function standInRouter(answer: (command: string) => CommandAnswer) {
  const hostKey = sshKeyPair()
  process.env.LOOM_TEST_DEVICE_PASSWORD = 'sesame'
  const server = await startSshServer({ hostKey, password: 'sesame', answer })
  const scratch = mkdtempSync(join(tmpdir(), 'loom-standin-'))
  const knownHosts = join(scratch, 'known_hosts')
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.public.trim().split(/\s+/).slice(0, 2).join(' ')}\n`)
  const env = { LOOM_DEVICE_DRIVER: 'frr', LOOM_DEVICE_CREDENTIALS: 'env:LOOM_TEST_DEVICE_PASSWORD', LOOM_DEVICE_KNOWN_HOSTS: knownHosts, LOOM_MANAGEMENT_PREFIXES: '127.0.0.0/8' }
  const activities = new DeviceActivities(new StepLog(prisma), new FrrDriver(), new BuiltinDcim(prisma), { ...loadConfig(env).devices, sshPort: server.port })
  return {
    server,
    activities,
    close: async () => {
      await server.close()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}

describe('device activities', () => {
  test('apply, then revert (the inverse): the configuration before the step is back', async () => {
    const activities = new DeviceActivities(new StepLog(prisma), simulator, new BuiltinDcim(prisma), access)
    const p = await newProcess(prisma)
    await activities.applyConfig({ ...stepContext(p, 'first'), device: 'dev-r1', config: node(10) })
    const change = await activities.applyConfig({ ...stepContext(p, 'change'), device: 'dev-r1', config: node(20), verify: { ospf_full_on: ['eth1'] } })
    assert.equal(change.changed, true)
    assert.equal(change.verified, true)
    assert.deepEqual(await activities.applyConfig({ ...stepContext(p, 'change'), device: 'dev-r1', config: node(20) }), change, 'a retried step returns what it returned')
    await activities.revertConfig({ ...stepContext(p, 'undo_change'), device: 'dev-r1', backup: change.backup! })
    assert.equal(simulator.running('dev-r1'), node(10))
  })

  test('a refused configuration and a failed verification fail the step at once; the latter rolls back', async () => {
    const activities = new DeviceActivities(new StepLog(prisma), simulator, new BuiltinDcim(prisma), access)
    const p = await newProcess(prisma)
    await assert.rejects(activities.checkConfig({ ...stepContext(p, 'check'), device: 'dev-r1', config: 'bogus line\n' }), failsWith('InvalidConfiguration', /Unknown command: bogus line/))
    const before_ = simulator.running('dev-r1')
    await assert.rejects(
      activities.applyConfig({ ...stepContext(p, 'risky'), device: 'dev-r1', config: node(30), verify: { ospf_full_on: ['eth9'] } }),
      failsWith('VerificationFailed', /rolled back: no OSPF neighbour in state Full on eth9/),
    )
    assert.equal(simulator.running('dev-r1'), before_)
    await assert.rejects(activities.applyConfig({ ...stepContext(p, 'nowhere'), device: 'dev-r9', config: node(10) }), failsWith('NotFound', /dev-r9/))
  })

  test('a management address outside LOOM_MANAGEMENT_PREFIXES fails the step at once (not retried), before anything connects', async () => {
    let connections = 0
    const server = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const scratch = mkdtempSync(join(tmpdir(), 'loom-prefixes-'))
    try {
      const knownHosts = join(scratch, 'known_hosts')
      writeFileSync(knownHosts, '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n')
      process.env.LOOM_TEST_DEVICE_PASSWORD = 'never sent'
      const env = { LOOM_DEVICE_DRIVER: 'frr', LOOM_DEVICE_CREDENTIALS: 'env:LOOM_TEST_DEVICE_PASSWORD', LOOM_DEVICE_KNOWN_HOSTS: knownHosts }
      const frrAccess = (prefixes: string) => ({ ...loadConfig({ ...env, LOOM_MANAGEMENT_PREFIXES: prefixes }).devices, sshPort: (server.address() as { port: number }).port })
      await new BuiltinDcim(prisma).createDevice({ name: 'dev-local', role: 'router', vendor: 'frr', platform: 'frr', site: 'dev', management_address: '127.0.0.1' })
      const activities = new DeviceActivities(new StepLog(prisma), new FrrDriver(), new BuiltinDcim(prisma), frrAccess('10.0.0.0/8,2001:db8::/32'))
      const p = await newProcess(prisma)
      const refused = failsWith('ManagementAddressRefused', /^dev-local: management address 127\.0\.0\.1 is outside LOOM_MANAGEMENT_PREFIXES \(10\.0\.0\.0\/8, 2001:db8::\/32\); not connecting$/)
      await assert.rejects(activities.applyConfig({ ...stepContext(p, 'apply'), device: 'dev-local', config: node(10) }), refused)
      await assert.rejects(activities.checkConfig({ ...stepContext(p, 'check'), device: 'dev-local', config: node(10) }), refused)
      await assert.rejects(activities.revertConfig({ ...stepContext(p, 'revert'), device: 'dev-local', backup: 'b' }), refused)
      assert.equal(connections, 0, 'no connection was attempted')
      // Inside the prefixes the same step does connect (the server hangs up: unreachable, left to the retry policy).
      const inside = new DeviceActivities(new StepLog(prisma), new FrrDriver(), new BuiltinDcim(prisma), frrAccess('127.0.0.0/8'))
      await assert.rejects(inside.checkConfig({ ...stepContext(p, 'check_inside'), device: 'dev-local', config: node(10) }), (e: unknown) => !(e instanceof ApplicationFailure) && /cannot be reached over SSH|closed the SSH connection/.test(String(e)))
      assert.equal(connections, 1)
    } finally {
      server.close()
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  test('a device step heartbeats while it works; cancelled, it stops at once and closes the SSH connection', async () => {
    await new BuiltinDcim(prisma).createDevice({ name: 'dev-ssh', role: 'router', vendor: 'frr', platform: 'frr', site: 'dev', management_address: '127.0.0.1' })
    const router = await standInRouter(() => ({ delayMs: 30_000 }))
    try {
      const activity = activityContext()
      const started = Date.now()
      const checking = activity.run(() => router.activities.checkConfig({ ...stepContext(p_, 'slow_check'), device: 'dev-ssh', config: node(10) }))
      setTimeout(() => activity.cancel(), 3_500)
      await assert.rejects(checking, (e: unknown) => e instanceof CancelledFailure)
      assert.ok(Date.now() - started < 10_000, 'it did not wait for the device')
      assert.ok(activity.heartbeats.length >= 2, `heartbeats: ${activity.heartbeats.length}`)
      assert.match(String(activity.heartbeats[0]), /dev-ssh/)
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(router.server.closed, 1, 'the connection is closed')
    } finally {
      await router.close()
    }
  })

  test('cancelled after its change, while verifying: the change is rolled back (a step that does not complete is not compensated)', async () => {
    const router = await standInRouter((command) => {
      if (command.includes('frr-reload.py --test')) return { stdout: 'Lines To Add\n============\nhostname dev-ssh\n' }
      if (command.includes('show ip route json')) return { stdout: '{}', delayMs: 30_000 }
      if (command.startsWith('cat /etc/frr/loom-backups/')) return { stdout: 'hostname before\n' }
      return {}
    })
    try {
      const activity = activityContext()
      const applying = activity.run(() => router.activities.applyConfig({ ...stepContext(p_, 'slow_verify'), device: 'dev-ssh', config: node(10), verify: { routes: ['10.255.7.1/32'] } }))
      while (!router.server.commands.some((c) => c.includes('show ip route json'))) await new Promise((resolve) => setTimeout(resolve, 20))
      activity.cancel()
      await assert.rejects(applying, (e: unknown) => e instanceof CancelledFailure)
      const reloads = router.server.commands.filter((c) => c.includes('frr-reload.py --reload'))
      assert.equal(reloads.length, 2, 'the change, and the rollback')
      assert.ok(router.server.commands.some((c) => c.startsWith(`cat /etc/frr/loom-backups/${p_}.slow_verify.conf`)), router.server.commands.join('\n'))
    } finally {
      await router.close()
    }
  })

  test('with the manual driver a person applies the configuration: the step says so and changes nothing', async () => {
    const activities = new DeviceActivities(new StepLog(prisma), new ManualDriver(), new BuiltinDcim(prisma), access)
    const applied = await activities.applyConfig({ ...stepContext(await newProcess(prisma), 'manual'), device: 'dev-r1', config: node(10), verify: { ospf_full_on: ['eth1'] } })
    assert.deepEqual(applied, { changed: false, diff: node(10), backup: null, needs_confirmation: true, verified: false })
  })
})
