// DCIM steps on the built-in DCIM: each idempotent by (process, step), each change with what its inverse needs.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApplicationFailure } from '@temporalio/common'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { newProcess, stepContext } from '../../../../test/support/records.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { PrismaService } from '#persistence/index.js'
import { StepLog } from '../processes/step-log.js'
import { DcimActivities } from './dcim.activities.js'

let db: TestDatabase
let prisma: PrismaService
let dcim: BuiltinDcim
let activities: DcimActivities

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  dcim = new BuiltinDcim(prisma)
  activities = new DcimActivities(new StepLog(prisma), dcim)
  await dcim.createSite({ name: 'act' })
  for (const name of ['act-r1', 'act-r2']) {
    await dcim.createDevice({ name, role: 'router', vendor: 'frr', platform: 'frr', site: 'act' })
    await dcim.createInterface(name, { name: 'eth1', speed_mbps: 10000, description: 'spare' })
  }
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

describe('DCIM activities', () => {
  test('a cable planned, connected and deleted (the inverse), each step once however often retried', async () => {
    const p = await newProcess(prisma)
    const ends = { a: { device: 'act-r1', interface: 'eth1' }, b: { device: 'act-r2', interface: 'eth1' } }
    const planned = await activities.planCable({ ...stepContext(p, 'plan_cable'), ...ends, description: 'r1-r2' })
    assert.deepEqual(await activities.planCable({ ...stepContext(p, 'plan_cable'), ...ends }), planned)
    assert.equal(planned.status, 'planned')
    assert.equal((await activities.setCableStatus({ ...stepContext(p, 'connect_cable'), cable_id: planned.id, status: 'connected' })).status, 'connected')
    assert.deepEqual(await activities.deleteCable({ ...stepContext(p, 'undo_cable'), cable_id: planned.id }), { deleted: true })
    assert.deepEqual(await activities.deleteCable({ ...stepContext(await newProcess(prisma), 'undo_cable'), cable_id: planned.id }), { deleted: false }, 'already gone: not an error')
    assert.deepEqual(await dcim.cables({ device: 'act-r1' }), [])
  })

  test('status and interface changes keep what they replaced, which is what their inverse applies', async () => {
    const p = await newProcess(prisma)
    assert.deepEqual(await activities.setDeviceStatus({ ...stepContext(p, 'activate'), device_name: 'act-r1', status: 'active' }), { status: 'active', previous: 'planned' })
    const changed = await activities.updateInterface({ ...stepContext(p, 'describe'), ref: { device: 'act-r1', interface: 'eth1' }, patch: { description: 'to act-r2', enabled: false } })
    assert.deepEqual(changed.previous, { description: 'spare', enabled: true })
    await activities.updateInterface({ ...stepContext(p, 'undescribe'), ref: { device: 'act-r1', interface: 'eth1' }, patch: changed.previous })
    const eth1 = (await dcim.interfaces('act-r1'))[0]
    assert.deepEqual([eth1.description, eth1.enabled], ['spare', true])
  })

  test('an unknown device fails the step at once, naming it', async () => {
    await assert.rejects(activities.readDevice({ ...stepContext(await newProcess(prisma), 'read'), device_name: 'act-r9' }), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure && e.nonRetryable && e.type === 'NotFound')
      assert.match(e.message, /act-r9/)
      return true
    })
  })
})
