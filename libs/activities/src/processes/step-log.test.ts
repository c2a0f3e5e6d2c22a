// Step activities against the real database: idempotent by (process id, step name).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { PrismaService } from '#persistence/index.js'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { plannedRouters, seed } from '../../../../test/support/dcim.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { DcimActivities } from '../dcim/dcim.activities.js'
import { ProcessActivities } from './process.activities.js'
import { StepLog } from './step-log.js'
import { newProcess as createProcess, stepContext } from '../../../../test/support/records.js'

let db: TestDatabase
let prisma: PrismaService
let dcim: DcimActivities
let processes: ProcessActivities

before(async () => {
  db = await cloneDatabase()
  await seed(db.url, plannedRouters('idem', 1))
  prisma = new PrismaService(db.url)
  const steps = new StepLog(prisma)
  dcim = new DcimActivities(steps, new BuiltinDcim(prisma))
  processes = new ProcessActivities(prisma, steps, 'http://localhost:3000', [])
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

const newProcess = () => createProcess(prisma)

describe('step activities', () => {
  test('a retried step changes nothing twice and returns what the first run returned', async () => {
    const ctx = stepContext(await newProcess(), 'update_node_status')
    const first = await dcim.setDeviceStatus({ ...ctx, device_name: 'idem-r1', status: 'active' })
    const again = await dcim.setDeviceStatus({ ...ctx, device_name: 'idem-r1', status: 'active' })
    assert.deepEqual(first, { status: 'active', previous: 'planned' })
    assert.deepEqual(again, first)
    const device = await prisma.dcimDevice.findUniqueOrThrow({ where: { name: 'idem-r1' } })
    assert.equal(device.version, 2, 'one update, not two')
    const steps = await prisma.processStep.findMany({ where: { processId: ctx.process_id } })
    assert.equal(steps.length, 1)
    assert.equal(steps[0].status, 'success')
    assert.deepEqual(steps[0].stateDelta, { device_status: 'active' })
  })

  test('the same step of another process does the work again', async () => {
    const ctx = stepContext(await newProcess(), 'update_node_status')
    assert.deepEqual(await dcim.setDeviceStatus({ ...ctx, device_name: 'idem-r1', status: 'staged' }), { status: 'staged', previous: 'active' })
    assert.equal((await prisma.dcimDevice.findUniqueOrThrow({ where: { name: 'idem-r1' } })).version, 3)
  })

  test('a step whose work fails leaves no trace, so that its retry starts clean', async () => {
    const ctx = stepContext(await newProcess(), 'construct_node_model')
    await assert.rejects(dcim.readDevice({ ...ctx, device_name: 'no-such-router' }), /DCIM has no device named no-such-router/)
    assert.equal(await prisma.processStep.count({ where: { processId: ctx.process_id } }), 0)
  })

  test('recording an input step never undoes its answer', async () => {
    const ctx = stepContext(await newProcess(), 'provide_config_to_user')
    await processes.recordStep({ ...ctx, status: 'waiting', process_status: 'waiting', assignee: 'noc' })
    assert.equal((await prisma.process.findUniqueOrThrow({ where: { id: ctx.process_id } })).status, 'waiting')
    await processes.recordStep({ ...ctx, status: 'success', answered_by: 'bob', process_status: 'running' })
    await processes.recordStep({ ...ctx, status: 'waiting', process_status: 'waiting' }) // a late retry of the first record
    const step = await prisma.processStep.findFirstOrThrow({ where: { processId: ctx.process_id } })
    assert.deepEqual([step.status, step.answeredBy], ['success', 'bob'])
  })

  test('a finished process is not reopened by a late step record', async () => {
    const ctx = stepContext(await newProcess(), 'set_status_active')
    await processes.finishProcess({ process_id: ctx.process_id, status: 'completed' })
    await processes.recordStep({ ...ctx, status: 'success', process_status: 'running' })
    const process = await prisma.process.findUniqueOrThrow({ where: { id: ctx.process_id } })
    assert.equal(process.status, 'completed')
    assert.ok(process.completedAt)
  })
})
