// Device steps with the simulator and the manual driver (the frr driver against real routers: test/e2e/frr-lab.test.ts).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApplicationFailure } from '@temporalio/common'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { newProcess, stepContext } from '../../../../test/support/records.js'
import { loadConfig } from '#config/index.js'
import { renderDeviceConfig } from '#domain/config/index.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
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

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  const dcim = new BuiltinDcim(prisma)
  await dcim.createSite({ name: 'dev' })
  await dcim.createDevice({ name: 'dev-r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'dev', management_address: '192.0.2.70' })
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

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
    const failsWith = (type: string, pattern: RegExp) => (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure && e.nonRetryable && e.type === type, String(e))
      assert.match(e.message, pattern)
      return true
    }
    await assert.rejects(activities.checkConfig({ ...stepContext(p, 'check'), device: 'dev-r1', config: 'bogus line\n' }), failsWith('InvalidConfiguration', /Unknown command: bogus line/))
    const before_ = simulator.running('dev-r1')
    await assert.rejects(
      activities.applyConfig({ ...stepContext(p, 'risky'), device: 'dev-r1', config: node(30), verify: { ospf_full_on: ['eth9'] } }),
      failsWith('VerificationFailed', /rolled back: no OSPF neighbour in state Full on eth9/),
    )
    assert.equal(simulator.running('dev-r1'), before_)
    await assert.rejects(activities.applyConfig({ ...stepContext(p, 'nowhere'), device: 'dev-r9', config: node(10) }), failsWith('NotFound', /dev-r9/))
  })

  test('with the manual driver a person applies the configuration: the step says so and changes nothing', async () => {
    const activities = new DeviceActivities(new StepLog(prisma), new ManualDriver(), new BuiltinDcim(prisma), access)
    const applied = await activities.applyConfig({ ...stepContext(await newProcess(prisma), 'manual'), device: 'dev-r1', config: node(10), verify: { ospf_full_on: ['eth1'] } })
    assert.deepEqual(applied, { changed: false, diff: node(10), backup: null, needs_confirmation: true, verified: false })
  })
})
