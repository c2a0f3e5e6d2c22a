// The step engine through the API, on the real Temporal dev server and PostgreSQL, with fixture workflows that
// use every step kind (test/fixtures/engine): state and its log, parallel groups, conditions, input and
// approval steps (roles, self-approval, expiry, Update and Signal answers), retry steps, callbacks (tokens,
// schema, timeout), sub-workflows, suspend → retry → complete, suspend → abort → compensations, workflow-code
// bugs, and the engine switch.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { ApplicationFailure } from '@temporalio/activity'
import { Client, Connection } from '@temporalio/client'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { ProcessDto, ProcessStartedDto, ProcessSummaryDto } from '#contracts/index.js'
import type { StepContext } from '#activities/processes/step-context.js'
import { PrismaService, ServiceKey } from '#persistence/index.js'
import { waitFor } from '#runtime/index.js'
import { declareWorkflow, processFlow } from '#workflows/engine/declaration.js'
import { abortUpdate, answerSignal } from '#workflows/engine/messages.js'
import { ENGINE_FIXTURES } from '../fixtures/engine/declarations.js'
import { ENGINE_START_FORMS } from '../fixtures/engine/forms.js'
import { type ApiClient, apiClient, as, authorized } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { quietTemporalRuntime, testConfig, testTemporalAddress, testDataConverter } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { v7 as uuidv7 } from 'uuid'

let db: TestDatabase
let prisma: PrismaService
let loom: LoomWorker
let running: Promise<void> | undefined
let gw: RunningGateway
let api: ApiClient
let connection: Connection
let client: Client
let taskQueue: string
let carrier: Server
let carrierUrl: string
/** what the carrier (the external system of the callback fixture) was sent */
const notices: { callback_url: string; order: string }[] = []

/** What the fixture activities were asked, and which steps the test makes fail. */
const touched: { process: string; what: string }[] = []
const failing = new Set<string>()
let openGate: () => void = () => undefined
const gateOpen = new Promise<void>((resolve) => (openGate = resolve))
const attempts = new Map<string, number>()
const fixtureActivities = {
  touch: (input: StepContext & { what: string; value?: unknown }) => {
    touched.push({ process: input.process_id, what: input.what })
    return Promise.resolve(input.value ?? null)
  },
  flaky: (input: StepContext) => {
    const key = `${input.process_id}:${input.step}`
    const n = (attempts.get(key) ?? 0) + 1
    attempts.set(key, n)
    if (failing.has(input.step)) return Promise.reject(ApplicationFailure.retryable(`${input.step} was told to fail (attempt ${n})`, 'ToldToFail'))
    return Promise.resolve({ attempt: n })
  },
  gate: async (input: StepContext) => {
    touched.push({ process: input.process_id, what: 'gate entered' })
    await gateOpen
    return 'through'
  },
}

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  carrier = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      notices.push(JSON.parse(body) as { callback_url: string; order: string })
      res.writeHead(202).end()
    })
  })
  await new Promise<void>((resolve) => carrier.listen(0, '127.0.0.1', resolve))
  carrierUrl = `http://127.0.0.1:${(carrier.address() as AddressInfo).port}/orders`
  const config = testConfig(db.url)
  taskQueue = config.taskQueue
  gw = await startGateway(config, { declarations: ENGINE_FIXTURES, startForms: ENGINE_START_FORMS })
  // Callback URLs point at this gateway.
  loom = await createLoomWorker({ ...config, publicUrl: gw.url }, { workflowsPath: require.resolve('../fixtures/engine/workflows.js'), activities: fixtureActivities })
  running = loom.run()
  api = apiClient(gw.url)
  connection = await Connection.connect({ address: testTemporalAddress() })
  client = new Client({ connection, dataConverter: testDataConverter() })
})
after(async () => {
  if (running) {
    loom.shutdown()
    await running
  }
  await gw?.close()
  await connection?.close()
  carrier?.close()
  await prisma?.$disconnect()
  await db?.drop()
})

const start = async (workflow: string, input: Record<string, unknown> = {}, user = 'alice') => {
  const res = await api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, input, as(user))
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id
}
const resume = (id: string, body: unknown, user: string, roles: string[] = []) => api.call<ProcessDto & { detail?: string }>('PUT', `/api/processes/${id}/resume`, body, as(user, ...roles))
const abort = (id: string, reason?: string) => api.call<ProcessDto & { detail?: string }>('PUT', `/api/processes/${id}/abort`, reason ? { reason } : {}, as('olivia'))
const step = (p: ProcessDto, name: string) => p.steps.find((s) => s.name === name)!
const touchedBy = (id: string) => touched.filter((t) => t.process === id).map((t) => t.what)

describe('the engine', () => {
  test('GET /api/workflows/{name} lists the step list with every kind, nested, without running anything', async () => {
    const res = await api.get<{ steps: { name: string; kind: string; steps?: { name: string }[]; branches?: Record<string, { name: string }[]>; workflow?: string; compensation?: { name: string } }[] }>(
      '/api/workflows/engine_steps',
    )
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.steps.map((s) => [s.name, s.kind]), [
      ['prepare', 'step'], ['fan_out', 'parallel'], ['if_asked', 'conditional'], ['if_bug', 'conditional'], ['flaky', 'step'], ['poll', 'retry'], ['child', 'sub_workflow'], ['finish', 'step'],
    ])
    const fan = res.body.steps[1]
    assert.deepEqual(Object.fromEntries(Object.entries(fan.branches!).map(([b, steps]) => [b, steps.map((s) => s.name)])), { left: ['left'], right: ['right_1', 'right_2'] })
    assert.deepEqual(res.body.steps[2].steps!.map((s) => s.name), ['details'])
    assert.equal(res.body.steps[6].workflow, 'engine_child')
    assert.equal(res.body.steps[0].compensation!.name, 'undo_prepare')
    const approval = await api.get<{ steps: { kind: string; approval?: { role: string; self_approval: boolean } }[] }>('/api/workflows/engine_approval')
    assert.deepEqual(approval.body.steps[1].approval, { role: 'change-board', self_approval: false, expires_after: '1 hour', on_expiry: 'abort' })
  })

  test('every step kind runs in order; each step records its state change; the state is handed on and the sub-workflow is a process of its own', async () => {
    const id = await start('engine_steps', { ask: true })
    const waiting = await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input !== null)
    assert.equal(waiting.pending_input!.step, 'details')
    assert.equal(waiting.pending_input!.assignee, 'ops')
    assert.deepEqual(waiting.pending_input!.data, { left: 'L' }, 'the input step shows what the earlier steps made')
    // Teams find what waits for them.
    const mine = await api.get<{ items: ProcessSummaryDto[] }>('/api/processes?status=waiting&assignee=ops')
    assert.deepEqual(mine.body.items.map((p) => p.id), [id])

    const bad = await resume(id, { note: '' }, 'bob')
    assert.equal(bad.status, 422)
    assert.deepEqual((bad.body as unknown as { errors: { path: string; message: string }[] }).errors, [{ path: 'note', message: 'must not be empty' }])
    assert.equal((await resume(id, { note: 'go' }, 'bob')).status, 200)

    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    const deltas = Object.fromEntries(done.steps.map((s) => [s.name, s.state_delta]))
    assert.deepEqual(deltas.prepare, { prepared: 1 })
    assert.deepEqual(deltas.left, { left: 'L' })
    assert.deepEqual(deltas.right_2, { right: ['R1', 'R2'] }, 'a later step of a branch saw the earlier one')
    assert.deepEqual(deltas.details, { details: { note: 'go' } })
    assert.equal(step(done, 'details').answered_by, 'key:bob')
    assert.deepEqual([step(done, 'if_bug').status, step(done, 'buggy').status], ['skipped', 'skipped'], 'a condition that does not hold skips its steps')
    assert.deepEqual(
      done.steps.map((s) => s.status).filter((s) => s !== 'success' && s !== 'skipped'),
      [],
    )
    const child = deltas.child as { child: { process_id: string; status: string; result: { echoed: string } } }
    assert.deepEqual([child.child.status, child.child.result], ['completed', { echoed: 'L+R1R2' }])
    const childProcess = (await api.get<ProcessDto>(`/api/processes/${child.child.process_id}`)).body
    assert.deepEqual([childProcess.workflow, childProcess.parent_id, childProcess.status, childProcess.created_by], ['engine_child', id, 'completed', 'key:alice'])
    const outcome: unknown = await client.workflow.getHandle(id).result()
    assert.deepEqual(outcome, { status: 'completed', result: { prepared: 1, left: 'L', right: ['R1', 'R2'], finished: true } })
    assert.deepEqual(touchedBy(id).sort(), ['finish {"process_id":"' + child.child.process_id + '","status":"completed","result":{"echoed":"L+R1R2"}}', 'left', 'prepare', 'right_1', 'right_2'].sort())
  })

  test('a step that still fails after its retry policy suspends the process; PUT /resume {} retries it; a retry step tries on until it succeeds', async () => {
    failing.add('flaky')
    failing.add('poll')
    const id = await start('engine_steps')
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended')
    assert.deepEqual(suspended.suspended.map((s) => s.step), ['flaky'])
    assert.match(JSON.stringify(suspended.failure), /flaky was told to fail \(attempt 2\)/)
    assert.equal(attempts.get(`${id}:flaky`), 2, 'the step\'s own retry policy: two attempts')
    assert.equal(step(suspended, 'flaky').status, 'failed')
    assert.match(JSON.stringify(step(suspended, 'flaky').error), /ToldToFail/)

    // Retrying while the cause is still there: it runs again and suspends again.
    assert.equal((await resume(id, {}, 'olivia')).status, 200)
    await waitFor(async () => attempts.get(`${id}:flaky`) === 4 && (await api.get<ProcessDto>(`/api/processes/${id}`)).body.status === 'suspended', { timeoutMs: 20_000, describe: () => 'not in time' })
    failing.delete('flaky')
    assert.equal((await resume(id, {}, 'olivia')).status, 200)
    // The retry step keeps trying (each try recorded) until the test lets it through.
    const polling = await api.waitForProcess(id, (p) => step(p, 'poll').attempts >= 3)
    assert.equal(polling.status, 'running')
    assert.match(JSON.stringify(step(polling, 'poll').error), /poll was told to fail/)
    failing.delete('poll')
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.equal(step(done, 'poll').error, null)
    assert.equal(done.failure, null)
    const again = await resume(id, {}, 'olivia')
    assert.equal(again.status, 409, 'nothing to retry once it has ended')
  })

  test('PUT /abort on a suspended process runs the compensations of the completed steps, newest first, and ends it aborted', async () => {
    failing.add('flaky')
    const id = await start('engine_steps')
    await api.waitForProcess(id, (p) => p.status === 'suspended')
    const aborted = await abort(id, 'no longer needed')
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body))
    assert.equal(aborted.body.status, 'aborted')
    assert.deepEqual(aborted.body.failure, { message: 'no longer needed' })
    assert.deepEqual(aborted.body.steps.filter((s) => s.kind === 'compensation').map((s) => [s.name, s.status]), [['undo_prepare', 'success']], 'only completed steps are undone')
    assert.ok(touchedBy(id).includes('undo prepare 1'), 'the compensation saw the state its step left')
    assert.ok(!touchedBy(id).includes('undo flaky'))
    assert.equal((await abort(id)).status, 409)
    failing.delete('flaky')
  })

  test('an abort while one branch of a parallel group is mid-step waits for that step, then undoes it too', async () => {
    const id = await start('engine_parallel_abort')
    await api.waitForProcess(id, (p) => p.status === 'waiting')
    await waitFor(() => Promise.resolve(touchedBy(id).includes('gate entered')), { timeoutMs: 20_000, describe: () => 'the slow step never started' })
    // A raw Update, not sent (and signed) by the gateway, is refused: Temporal is no side door.
    await assert.rejects(
      client.workflow.getHandle(id).executeUpdate(abortUpdate, { args: [{ user: 'key:olivia', roles: ['operator'], reason: 'changed my mind' }] }),
      (error: Error) => /not sent through the Loom API/.test(String((error as Error & { cause?: Error }).cause?.message)),
    )
    const aborting = abort(id, 'changed my mind')
    await new Promise((resolve) => setTimeout(resolve, 1000))
    assert.equal((await api.get<ProcessDto>(`/api/processes/${id}`)).body.completed_at, null, 'it waits for the step in flight')
    openGate()
    assert.equal((await aborting).status, 200)
    const aborted = await api.waitForProcess(id, (p) => p.status === 'aborted')
    assert.deepEqual([step(aborted, 'slow').status, step(aborted, 'undo_slow').status], ['success', 'success'])
    assert.ok(touchedBy(id).includes('undo slow'), 'the step that finished after the abort was undone')
  })

  test('an abort cancels a step that is retrying (an unreachable device): no waiting out its retries; what was done is undone', async () => {
    failing.add('stubborn')
    try {
      const id = await start('engine_stubborn')
      await waitFor(() => Promise.resolve((attempts.get(`${id}:stubborn`) ?? 0) >= 3), { timeoutMs: 20_000, describe: () => 'the step never retried' })
      const aborted = await abort(id, 'the device is gone')
      assert.equal(aborted.status, 200)
      const done = await api.waitForProcess(id, (p) => p.status === 'aborted')
      assert.equal(step(done, 'stubborn').status, 'failed')
      assert.match(JSON.stringify(step(done, 'stubborn').error), /cancelled by the abort: the device is gone/)
      assert.equal(step(done, 'undo_prepare').status, 'success')
      const tried = attempts.get(`${id}:stubborn`)
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.equal(attempts.get(`${id}:stubborn`), tried, 'no attempt after the abort')
    } finally {
      failing.delete('stubborn')
    }
  })

  test('a step declared local runs in the worker (a marker, no activity task) with the same retries, suspension, log and compensation', async () => {
    failing.add('flaky_local')
    const id = await start('engine_local')
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended')
    assert.equal(attempts.get(`${id}:flaky_local`), 2, 'the step\'s own retry policy: two attempts')
    assert.equal(step(suspended, 'reserve').status, 'success')
    assert.equal(step(suspended, 'flaky_local').status, 'failed')
    assert.match(JSON.stringify(suspended.failure), /flaky_local was told to fail \(attempt 2\)/)
    failing.delete('flaky_local')
    assert.equal((await resume(id, {}, 'olivia')).status, 200)
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.equal(step(done, 'flaky_local').status, 'success')
    assert.equal(step(done, 'flaky_local').attempts, 1, 'the retry is a new run of the step')
    assert.deepEqual(touchedBy(id), ['reserve', 'finish'])
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? []
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []))
    assert.deepEqual(scheduled, ['touch'], 'only the ordinary step is an activity task')
    const locals = events.flatMap((e) => {
      const marker = e.markerRecordedEventAttributes
      if (marker?.markerName !== 'core_local_activity') return []
      // sdk-core's own record of the local activity (JSON, not a payload of ours): its type.
      const data = marker.details?.data?.payloads?.[0]?.data
      return [(JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as { activity_type: string }).activity_type]
    })
    // reserve; flaky_local failing (its two attempts in one local activity), then again once retried
    assert.deepEqual(locals.filter((type) => type === 'touch' || type === 'flaky'), ['touch', 'flaky', 'flaky'])

    // Aborted after its local steps: their compensation runs locally too, and the log says so.
    failing.add('flaky_local')
    const undone = await start('engine_local')
    await api.waitForProcess(undone, (p) => p.status === 'suspended')
    const aborted = await abort(undone, 'not needed')
    assert.equal(aborted.body.status, 'aborted', JSON.stringify(aborted.body))
    assert.deepEqual(aborted.body.steps.filter((s) => s.kind === 'compensation').map((s) => [s.name, s.status]), [['undo_reserve', 'success']])
    assert.deepEqual(touchedBy(undone), ['reserve', 'undo reserve'])
    failing.delete('flaky_local')
  })

  test('a local step may not declare a heartbeat: a local activity cannot heartbeat', () => {
    const flow = processFlow<Record<string, never>, { touch(): Promise<void> }>().step('device', 'Talks to a device', async (_s, { act }) => act.touch(), {
      local: true,
      activity: { heartbeatTimeout: '20 seconds' },
    })
    assert.throws(() => declareWorkflow({ name: 'engine_bad_local', target: 'SYSTEM', product: null, description: 'bad' }, flow), /engine_bad_local declares local steps with a heartbeat timeout: device/)
  })

  test('past an irreversible step the process only goes forward: an abort is a 409 naming the step; fixed and retried, it completes', async () => {
    const declared = (await api.get<{ steps: { name: string; irreversible?: boolean }[] }>('/api/workflows/engine_no_return')).body.steps
    assert.deepEqual(declared.map((s) => [s.name, s.irreversible ?? false]), [['reserve', false], ['hand_over', true], ['tell', false]])
    failing.add('tell')
    const id = await start('engine_no_return')
    await api.waitForProcess(id, (p) => p.status === 'suspended')
    const refused = await abort(id, 'gave up telling')
    assert.equal(refused.status, 409, JSON.stringify(refused.body))
    assert.match((refused.body as { detail?: string }).detail ?? '', /past its point of no return \(hand_over\) and can only go forward: fix the cause and PUT \/resume/)
    failing.delete('tell')
    assert.equal((await resume(id, {}, 'olivia')).status, 200)
    const done = await api.waitForProcess(id, (p) => p.completed_at !== null)
    assert.equal(done.status, 'completed')
    assert.ok(!touchedBy(id).includes('undo reserve'))
  })

  test('a bug in workflow code suspends the process and says so', async () => {
    const id = await start('engine_steps', { bug: true })
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended')
    assert.deepEqual(suspended.suspended.map((s) => s.step), ['buggy'])
    assert.equal(suspended.suspended[0].error.workflow_code_error, true)
    assert.match(suspended.suspended[0].error.message, /TypeError: .*a bug in workflow code/)
    assert.equal((await abort(id)).body.status, 'aborted')
  })
})

describe('approvals', () => {
  test('only the named role may answer; the starter may not approve their own process; an approval lets it go on', async () => {
    const id = await start('engine_approval', {}, 'alice')
    const waiting = await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input !== null)
    assert.deepEqual([waiting.pending_input!.kind, waiting.pending_input!.assignee, waiting.assignee], ['approval', 'change-board', 'change-board'])
    assert.deepEqual(waiting.pending_input!.data, { plan: 'change-42' })
    assert.ok(waiting.pending_input!.expires_at)
    const board = await api.get<{ items: { id: string }[] }>('/api/processes?status=waiting&assignee=change-board')
    assert.ok(board.body.items.some((p) => p.id === id))

    const noRole = await resume(id, { approved: true }, 'bob', ['noc'])
    assert.equal(noRole.status, 403)
    assert.match(String(noRole.body.detail), /role change-board/)
    const self = await resume(id, { approved: true }, 'alice', ['change-board'])
    assert.equal(self.status, 403)
    assert.match(String(self.body.detail), /key:alice started process .* may not approve it/)
    const malformed = await resume(id, { approved: 'yes' }, 'bob', ['change-board'])
    assert.equal(malformed.status, 422)

    // Past the gateway there is no way in: a raw Signal, whoever it claims to be, changes nothing.
    const viaSignal = client.workflow.getHandle(id)
    await viaSignal.signal(answerSignal, { answer: { approved: true, comment: 'fine' }, user: 'key:bob', roles: ['change-board'] })
    // Once a workflow task has run after the Signal, the workflow has seen it.
    await waitFor(
      async () => {
        const { events } = await viaSignal.fetchHistory()
        const signalled = events!.findIndex((e) => e.workflowExecutionSignaledEventAttributes)
        return signalled >= 0 && events!.slice(signalled).some((e) => e.workflowTaskCompletedEventAttributes)
      },
      { timeoutMs: 20_000, describe: () => 'the workflow never handled the Signal' },
    )
    assert.equal((await api.get<ProcessDto>(`/api/processes/${id}`)).body.status, 'waiting', 'a raw answer Signal is refused')
    assert.equal((await resume(id, { approved: true, comment: 'fine' }, 'bob', ['change-board'])).status, 200)
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.equal(step(done, 'sign_off').answered_by, 'key:bob')
    assert.deepEqual(step(done, 'sign_off').state_delta, { sign_off: { approved: true, comment: 'fine' } })
  })

  test('a process workflow started straight in Temporal runs nothing: not for a process Loom never recorded, not again for one that ran', async () => {
    const causes = (e: unknown): string => (e instanceof Error ? `${e.message} ${causes(e.cause)}` : '')
    const forged = uuidv7()
    const stray = await client.workflow.start('engine_steps', { taskQueue, workflowId: forged, args: [{ process_id: forged, subscription_id: uuidv7(), created_by: 'key:admin', input: { ask: false, bug: false } }] })
    await assert.rejects(stray.result(), (e: Error) => /not started through the Loom API: no process .* was recorded/.test(causes(e)))
    assert.equal(await prisma.process.count({ where: { id: forged } }), 0)
    assert.ok(!touched.some((t) => t.process === forged), 'no step ran')

    const done = await start('engine_steps')
    await api.waitForProcess(done, (p) => p.status === 'completed')
    const prepared = touchedBy(done).filter((w) => w === 'prepare').length
    const again = await client.workflow.start('engine_steps', { taskQueue, workflowId: done, args: [{ process_id: done, subscription_id: uuidv7(), created_by: 'key:admin', input: { ask: false, bug: false } }] })
    await assert.rejects(again.result(), (e: Error) => /has run already \(completed\)/.test(causes(e)))
    assert.equal(touchedBy(done).filter((w) => w === 'prepare').length, prepared, 'it did not run again')
  })

  test('a process a schedule started acts for its creator, who may not approve it either (no laundering through a schedule)', async () => {
    // What a schedule's run sends: the worker's service key, the schedule, and whom it acts for (oscar, an operator).
    assert.equal((await api.call('GET', '/api/auth/me', undefined, as('oscar', 'change-board'))).status, 200)
    const service = await new ServiceKey(prisma).get()
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/engine_approval', {}, {
      authorization: `Bearer ${service}`,
      'x-loom-on-behalf-of': 'schedule:nightly',
      'x-loom-acting-for': 'key:oscar',
    })
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const id = started.body.id
    const waiting = await api.waitForProcess(id, (p) => p.status === 'waiting')
    assert.equal(waiting.created_by, 'schedule:nightly')
    const laundered = await resume(id, { approved: true }, 'oscar', ['change-board'])
    assert.equal(laundered.status, 403)
    assert.match(String(laundered.body.detail), /key:oscar created the schedule or task \(schedule:nightly\) that started process/)
    // The service identity may start, but it holds no team role: it cannot approve either.
    const bySchedule = await api.call<{ detail: string }>('PUT', `/api/processes/${id}/resume`, { approved: true }, { authorization: `Bearer ${service}` })
    assert.equal(bySchedule.status, 403)
    // Anyone else's X-Loom-On-Behalf-Of means nothing: an operator stays who they are.
    const claimed = await api.call<ProcessStartedDto>('POST', '/api/processes/engine_approval', {}, { ...as('mallory'), 'x-loom-on-behalf-of': 'schedule:nightly' })
    assert.equal((await api.get<ProcessDto>(`/api/processes/${claimed.body.id}`)).body.created_by, 'key:mallory')
    assert.equal((await resume(id, { approved: true }, 'bob', ['change-board'])).status, 200)
    await api.waitForProcess(id, (p) => p.status === 'completed')
    await abort(claimed.body.id)

    // A schedule acts with its creator's authority as it is now: with their keys revoked, it starts nothing more.
    const keys = (await api.get<{ id: string; owner: string }[]>('/api/auth/keys')).body.filter((k) => k.owner === 'key:oscar')
    for (const k of keys) await api.call('DELETE', `/api/auth/keys/${k.id}`)
    const orphaned = await api.call<{ detail: string }>('POST', '/api/processes/engine_approval', {}, { authorization: `Bearer ${service}`, 'x-loom-on-behalf-of': 'schedule:nightly', 'x-loom-acting-for': 'key:oscar' })
    assert.equal(orphaned.status, 403)
    assert.match(orphaned.body.detail, /acts for key:oscar, whose keys no longer give permission processes.start/)
  })

  test('a rejection aborts the process and undoes what it did', async () => {
    const id = await start('engine_approval', {}, 'alice')
    await api.waitForProcess(id, (p) => p.status === 'waiting')
    assert.equal((await resume(id, { approved: false, comment: 'not now' }, 'carol', ['change-board'])).status, 200)
    const aborted = await api.waitForProcess(id, (p) => p.status === 'aborted')
    assert.deepEqual(aborted.failure, { message: 'sign_off was rejected by key:carol' })
    assert.equal(step(aborted, 'undo_plan').status, 'success')
    assert.equal(step(aborted, 'carry_out').status, 'pending')
    assert.ok(touchedBy(id).includes('drop change-42'))
  })

  test('an approval nobody answers expires with its declared outcome (abort)', async () => {
    const id = await start('engine_expiring_approval')
    const aborted = await api.waitForProcess(id, (p) => p.status === 'aborted', 20_000)
    assert.deepEqual(aborted.failure, { message: 'nobody answered sign_off within 2 seconds' })
    assert.equal(step(aborted, 'sign_off').status, 'failed')
    assert.ok(touchedBy(id).includes('drop change-43'))
  })
})

describe('approvals that suspend', () => {
  test('an approval declared to suspend on expiry suspends the process; a retry asks again', async () => {
    const id = await start('engine_suspending_approval', {}, 'alice')
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended', 20_000)
    assert.deepEqual(suspended.suspended.map((s) => [s.step, s.error.type]), [['sign_off', 'Expired']])
    assert.equal((await resume(id, {}, 'olivia')).status, 200)
    await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input?.step === 'sign_off')
    assert.equal((await resume(id, { approved: true }, 'bob', ['change-board'])).status, 200)
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.equal(done.steps.find((s) => s.name === 'sign_off')!.answered_by, 'key:bob')
  })
})

describe('callbacks', () => {
  const tokenOf = (url: string) => url.split('/callback/')[1]

  test('a callback notice goes only where LOOM_CALLBACK_URL_PREFIXES allows: elsewhere the step suspends, nothing is sent', async () => {
    const before = notices.length
    const id = await start('engine_callback', { notify_url: 'http://169.254.169.254/latest/meta-data/' })
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended')
    assert.match(JSON.stringify(suspended.failure), /may not go to http:\/\/169\.254\.169\.254\/latest\/meta-data\/: it is not under LOOM_CALLBACK_URL_PREFIXES \(http:\/\/127\.0\.0\.1:\)/)
    assert.equal(notices.length, before)
    assert.equal((await abort(id)).status, 200)
  })

  test('the external system is told where to call back; a wrong token is a 404, a wrong body a 422; the right call moves the process on, once', async () => {
    const id = await start('engine_callback', { notify_url: carrierUrl })
    await waitFor(() => Promise.resolve(notices.some((n) => n.callback_url.includes(id))), { timeoutMs: 20_000, describe: () => 'not in time' })
    const notice = notices.find((n) => n.callback_url.includes(id))!
    assert.equal(notice.order, 'ORD-1')
    assert.ok(notice.callback_url.startsWith(`${gw.url}/api/processes/${id}/callback/`))
    const running = (await api.get<ProcessDto>(`/api/processes/${id}`)).body
    assert.deepEqual(running.awaiting_callback, ['wait_for_carrier'])
    const history = JSON.stringify(await client.workflow.getHandle(id).fetchHistory())
    assert.ok(!history.includes(tokenOf(notice.callback_url)), 'the token never enters workflow history')

    assert.equal((await api.call('POST', `/api/processes/${id}/callback/not-the-token`, { circuit_id: 'C-1' })).status, 404)
    const bad = await api.call<{ errors: { path: string }[] }>('POST', new URL(notice.callback_url).pathname, { circuit_id: 'X' })
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors.map((e) => e.path), ['circuit_id'])
    const ok = await api.call('POST', new URL(notice.callback_url).pathname, { circuit_id: 'C-7' })
    assert.deepEqual([ok.status, ok.body], [200, { step: 'wait_for_carrier' }])
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.deepEqual(step(done, 'record_circuit').state_delta, { recorded: 'C-7' })
    assert.equal((await api.call('POST', new URL(notice.callback_url).pathname, { circuit_id: 'C-7' })).status, 404, 'a token works once')
  })

  test('no callback within the timeout suspends the process; a retry opens a new callback', async () => {
    const id = await start('engine_callback', { notify_url: carrierUrl })
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended', 20_000)
    assert.match(suspended.suspended[0].error.message, /no callback for wait_for_carrier within 4 seconds/)
    const first = notices.filter((n) => n.callback_url.includes(id)).map((n) => n.callback_url)
    assert.equal(first.length, 1)
    assert.equal((await api.call('POST', new URL(first[0]).pathname, { circuit_id: 'C-8' })).status, 404, 'the old token no longer works')
    assert.equal((await resume(id, {}, 'olivia')).status, 200)
    await waitFor(() => Promise.resolve(notices.filter((n) => n.callback_url.includes(id)).length === 2), { timeoutMs: 20_000, describe: () => 'not in time' })
    const second = notices.filter((n) => n.callback_url.includes(id))[1].callback_url
    assert.equal((await api.call('POST', new URL(second).pathname, { circuit_id: 'C-9' })).status, 200)
    await api.waitForProcess(id, (p) => p.status === 'completed')
  })
})

describe('engine switch', () => {
  test('stopped: new processes get a 503 with the reason, running ones wait at the next step boundary; started again, they go on', async () => {
    const id = await start('engine_approval', {}, 'alice')
    await api.waitForProcess(id, (p) => p.status === 'waiting')
    const stopped = await api.call<{ running: boolean; processes_notified: number }>('PUT', '/api/settings/engine', { running: false, reason: 'maintenance' })
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body))
    assert.equal(stopped.body.running, false)
    assert.ok(stopped.body.processes_notified >= 1)
    const refused = await api.call<{ detail: string }>('POST', '/api/processes/engine_steps', {}, as('alice'))
    assert.equal(refused.status, 503)
    assert.match(refused.body.detail, /engine is stopped: maintenance/)

    assert.equal((await resume(id, { approved: true }, 'bob', ['change-board'])).status, 200)
    const paused = await api.waitForProcess(id, (p) => p.paused && step(p, 'sign_off').status === 'success')
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const still = (await api.get<ProcessDto>(`/api/processes/${id}`)).body
    assert.equal(step(still, 'carry_out').status, 'pending', `paused at the boundary: ${paused.status}`)

    const bad = await api.call('PUT', '/api/settings/engine', { running: 'yes' })
    assert.equal(bad.status, 422)
    const started = await api.call<{ running: boolean }>('PUT', '/api/settings/engine', { running: true })
    assert.equal(started.body.running, true)
    await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.equal((await api.call('POST', '/api/processes/engine_steps', {}, as('alice'))).status, 201)
  })
})

describe('the process log', () => {
  test('filters and sorts: pages of any sort hold every matching process once, in order, with the total', async () => {
    const expected = await prisma.process.findMany({ where: { createdBy: 'key:alice' }, orderBy: [{ workflow: 'asc' }, { id: 'asc' }], select: { id: true, workflow: true } })
    assert.ok(expected.length > 3)
    const seen: { id: string; workflow: string }[] = []
    let cursor: string | null = null
    do {
      const res: { status: number; body: { items: ProcessSummaryDto[]; total: number; next_cursor: string | null } } = await api.get(
        `/api/processes?created_by=key:alice&sort=workflow&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      assert.equal(res.status, 200)
      assert.equal(res.body.total, expected.length)
      seen.push(...res.body.items.map((p) => ({ id: p.id, workflow: p.workflow })))
      cursor = res.body.next_cursor
    } while (cursor)
    assert.deepEqual(seen, expected)
    const children = await api.get<{ items: ProcessSummaryDto[]; total: number }>('/api/processes?workflow=engine_child&status=completed')
    assert.ok(children.body.total >= 1)
    assert.ok(children.body.items.every((p) => p.workflow === 'engine_child' && p.status === 'completed' && p.parent_id))
    assert.equal(children.body.total, await prisma.process.count({ where: { workflow: 'engine_child', status: 'completed' } }))
  })
})

describe('metrics', () => {
  test('/metrics counts processes by workflow and status, who waits for input, and step durations', async () => {
    const id = await start('engine_approval', {}, 'alice')
    await api.waitForProcess(id, (p) => p.status === 'waiting')
    // The scrape and the counts below must see the same processes: none of the earlier tests' may still be moving.
    await waitFor(async () => (await prisma.process.count({ where: { workflow: 'engine_steps', completedAt: null } })) === 0, { timeoutMs: 30_000, describe: () => 'an engine_steps process never ended' })
    const res = await fetch(`${gw.url}/metrics`, { headers: authorized() })
    assert.equal(res.status, 200)
    const text = await res.text()
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
    const completed = await prisma.process.count({ where: { workflow: 'engine_steps', status: 'completed' } })
    const loom = text.split('\n').filter((l) => l.startsWith('loom_')).join('\n')
    assert.equal(value('loom_processes{workflow="engine_steps",status="completed"}'), completed, loom)
    assert.equal(value('loom_processes{workflow="engine_steps",status="aborted"}'), await prisma.process.count({ where: { workflow: 'engine_steps', status: 'aborted' } }))
    assert.equal(value('loom_processes_waiting_input{assignee="change-board"}'), 1)
    assert.ok(value('loom_step_duration_seconds_count{workflow="engine_steps",step="prepare",status="success"}') >= completed)
    assert.equal((await abort(id)).body.status, 'aborted')
  })
})
