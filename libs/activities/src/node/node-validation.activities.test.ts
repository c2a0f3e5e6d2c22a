// validate_node's check: what a source of truth refuses is a finding; a database (or DCIM) that is busy or down
// is not — the activity fails retryably, so that Temporal tries again and the node is never marked out of sync
// for it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApplicationFailure } from '@temporalio/common'
import { v7 as uuidv7 } from 'uuid'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { newProcess, stepContext } from '../../../../test/support/records.js'
import type { Dcim } from '#integrations/dcim/dcim.js'
import { notFound } from '#integrations/errors.js'
import type { Ipam } from '#integrations/ipam/ipam.js'
import { PrismaService } from '#persistence/index.js'
import { StepLog } from '../processes/step-log.js'
import { NodeValidationActivities } from './node-validation.activities.js'

let db: TestDatabase
let prisma: PrismaService
let subscription_id: string

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  subscription_id = uuidv7()
  await prisma.subscription.create({
    data: { id: subscription_id, product: 'node', customerId: 'acme', description: 'Node x', lifecycle: 'active', insync: true, domainModel: { node: { device_name: 'ams-pe9' } } },
  })
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

function validator(device: () => Promise<never>): NodeValidationActivities {
  const dcim = { device } as unknown as Dcim
  const ipam = { allocationOf: () => Promise.resolve(null) } as unknown as Ipam
  return new NodeValidationActivities(prisma, new StepLog(prisma), dcim, ipam)
}

describe('validate_node against its sources of truth', () => {
  test('a device DCIM does not have is a finding', async () => {
    const found = await validator(() => Promise.reject(notFound('DCIM has no device named ams-pe9'))).validateNode({ ...stepContext(await newProcess(prisma), 'validate'), subscription_id })
    assert.deepEqual(found.problems, ['DCIM has no device named ams-pe9'])
  })

  test('a database that is busy while DCIM is asked is not a finding: the activity fails, retryably', async () => {
    const busy = new Error('timeout exceeded when trying to connect')
    const process = await newProcess(prisma)
    await assert.rejects(validator(() => Promise.reject(busy)).validateNode({ ...stepContext(process, 'validate'), subscription_id }), (error: unknown) => {
      assert.equal(error, busy)
      assert.ok(!(error instanceof ApplicationFailure && error.nonRetryable))
      return true
    })
    const step = await prisma.processStep.findUnique({ where: { processId_name: { processId: process, name: 'validate' } } })
    assert.equal(step, null, 'nothing recorded as found')
  })
})
