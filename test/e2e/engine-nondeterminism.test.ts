// A deploy that changes a workflow without patched(): a process started on the old code, continued by a worker
// running the new code, cannot replay. Temporal keeps retrying it; the API says so, naming non-determinism,
// instead of showing a process that merely seems stuck. Deploying the old code back lets it go on.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import type { StepContext } from '#activities/processes/step-context.js'
import { answerSignal } from '#workflows/engine/messages.js'
import { changedV1 } from '../fixtures/engine/changed.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { quietTemporalRuntime, testConfig, testTemporalAddress, testDataConverter } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { z } from 'zod'
import type { StartForm } from '#contracts/forms/index.js'

let db: TestDatabase
let gw: RunningGateway
let api: ApiClient
let connection: Connection
let config: ReturnType<typeof testConfig>

const activities = {
  touch: (input: StepContext & { value?: unknown }) => Promise.resolve(input.value ?? null),
  flaky: () => Promise.resolve({ attempt: 1 }),
}
const startForm = { workflow: 'engine_changed', pages: [() => Promise.resolve(z.object({}).strict())], claims: () => [], customerId: () => '', summary: () => 'changed' } as unknown as StartForm<never>

/** A worker on the given version of the workflow, running until stopped. */
async function workerOn(version: 'v1' | 'v2'): Promise<{ stop(): Promise<void> }> {
  const loom: LoomWorker = await createLoomWorker(config, { workflowsPath: require.resolve(`../fixtures/engine/changed-${version}.workflows.js`), activities })
  const running = loom.run()
  return {
    stop: async () => {
      loom.shutdown()
      await running
    },
  }
}

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  config = testConfig(db.url)
  gw = await startGateway(config, { declarations: [changedV1], startForms: [startForm] })
  api = apiClient(gw.url)
  connection = await Connection.connect({ address: testTemporalAddress() })
})
after(async () => {
  await gw?.close()
  await connection?.close()
  await db?.drop()
})

describe('a workflow changed without patched()', () => {
  test('is reported as non-determinism on the process, and goes on once the code that started it is back', async () => {
    const v1 = await workerOn('v1')
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/engine_changed', {})
    assert.equal(started.status, 201)
    const id = started.body.id
    await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input !== null)
    await v1.stop()

    const v2 = await workerOn('v2')
    // Something for the new worker to do (a Signal, which it would refuse): it must replay the history first, and cannot.
    await new Client({ connection, dataConverter: testDataConverter() }).workflow.getHandle(id).signal(answerSignal, { answer: { go: true }, user: 'bob', roles: [] })
    const broken = await api.waitForProcess(id, (p) => p.workflow_error !== null, 60_000, 500)
    assert.equal(broken.workflow_error!.non_determinism, true, JSON.stringify(broken.workflow_error))
    assert.match(broken.workflow_error!.message, /[Nn]ondetermin/)
    assert.equal(broken.completed_at, null, 'not failed: Temporal retries it until the code replays')
    await v2.stop()

    // The old code back: it replays, still waits (the Signal changed nothing), takes the answer through the API and completes.
    const again = await workerOn('v1')
    try {
      await api.waitForProcess(id, (p) => p.workflow_error === null && p.status === 'waiting', 60_000, 500)
      assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { go: true }, as('bob'))).status, 200)
      const done = await api.waitForProcess(id, (p) => p.status === 'completed', 60_000, 500)
      assert.equal(done.workflow_error, null)
      assert.equal((done.steps.find((s) => s.name === 'wait') as ProcessDto['steps'][number]).answered_by, 'key:bob')
    } finally {
      await again.stop()
    }
  })
})
