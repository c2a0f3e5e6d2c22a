// Custom workflows as data, through the API, on the real Temporal dev server, worker and PostgreSQL: a definition
// registers without a redeploy, runs through the same engine as code workflows (input and approval answered through
// PUT /resume, an abort that gives its allocation back), and a running process keeps its version.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import type { CustomWorkflowDetailDto, CustomWorkflowVersionDto, ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import { type ApiClient, as, asOnly } from '../support/api.js'
import { loomStack } from '../support/loom.js'
import { recordHistoryIfAsked } from '../support/histories.js'

const loom = loomStack({ devices: [] })
let api: ApiClient
let sql: pg.Client

before(async () => {
  await loom.start()
  api = loom.api
  sql = new pg.Client({ connectionString: loom.databaseUrl })
  await sql.connect()
})
after(async () => {
  await sql?.end()
  await loom.stop()
})

/** A lab host's address: the NOC names the pool, IPAM gives an address (given back on abort), the change board signs off. */
const labAddress = (name: string, description = 'Give a lab host an address') => ({
  name,
  description,
  input: { type: 'object', properties: { host: { type: 'string', minLength: 1 } }, required: ['host'], additionalProperties: false },
  steps: [
    { name: 'choose_pool', kind: 'input', assignee: 'noc', form: { type: 'object', properties: { pool: { type: 'string', minLength: 1 } }, required: ['pool'], additionalProperties: false } },
    {
      name: 'allocate',
      action: 'ipam.allocate_address',
      with: { pool: { $ref: 'steps.choose_pool.pool' }, purpose: 'lab_host', description: { $ref: 'input.host' } },
      compensate: { action: 'ipam.release_allocation', with: { purpose: { $ref: 'steps.allocate.purpose' } } },
    },
    { name: 'sign_off', kind: 'approval', role: 'change-board' },
    { name: 'if_rejected_later', kind: 'when', condition: { eq: [{ $ref: 'steps.sign_off.approved' }, false] }, steps: [{ name: 'refused', kind: 'fail', message: 'not signed off' }] },
    { name: 'done', kind: 'end' },
  ] as Record<string, unknown>[],
})

const register = (body: unknown, headers: Record<string, string> = {}) => api.call<CustomWorkflowVersionDto & { errors?: { path: string; message: string }[]; detail?: string }>('POST', '/api/catalog/workflows', body, headers)

async function start(name: string, input: unknown): Promise<string> {
  const res = await api.call<ProcessStartedDto>('POST', `/api/catalog/workflows/${name}/start`, input, as('olivia'))
  assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.equal(res.headers.get('location'), `/api/processes/${res.body.id}`)
  return res.body.id
}

const waitingAt = (id: string, step: string) => api.waitForProcess(id, (p) => p.pending_input?.step === step)
const allocationsOf = async (host: string) => (await sql.query<{ prefix: string }>(`SELECT host(prefix) AS prefix FROM ipam_allocations WHERE description = $1`, [host])).rows

describe('custom workflows', () => {
  test('registered once, the same content again answers the same version; new content makes the next one', async () => {
    const first = await register(labAddress('lab_versions'))
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal(first.body.version, 1)
    assert.equal(first.headers.get('location'), '/api/catalog/workflows/lab_versions/versions/1')
    const again = await register(labAddress('lab_versions'))
    assert.equal(again.status, 200)
    assert.deepEqual(again.body, first.body)
    const list = await api.get<{ items: { name: string; latest_version: number }[] }>('/api/catalog/workflows')
    assert.deepEqual(list.body.items.find((w) => w.name === 'lab_versions')?.latest_version, 1)
    const v1 = await api.get<CustomWorkflowVersionDto>('/api/catalog/workflows/lab_versions/versions/1')
    assert.equal(v1.status, 200)
    assert.deepEqual((v1.body.definition as { steps: unknown[] }).steps.length, 5)
  })

  test('a process runs its input and approval steps through PUT /resume and completes, with its step log', async () => {
    assert.equal((await register(labAddress('lab_address'))).status, 201)
    const id = await start('lab_address', { host: 'lab-run' })
    const asked = await waitingAt(id, 'choose_pool')
    assert.equal(asked.workflow, 'lab_address')
    assert.equal(asked.pending_input?.assignee, 'noc')
    // The gateway checks the answer against the definition's form before it is sent: nothing is recorded.
    const wrong = await api.call<{ errors: { path: string }[] }>('PUT', `/api/processes/${id}/resume`, { pool: '', colour: 'red' }, as('nina'))
    assert.equal(wrong.status, 422)
    assert.deepEqual(wrong.body.errors.map((e) => e.path).sort(), ['', 'pool'])
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { pool: 'loopbacks-v4' }, as('nina'))).status, 200)
    await waitingAt(id, 'sign_off')
    const [held] = await allocationsOf('lab-run')
    assert.match(held.prefix, /^198\.51\.100\./)
    // The one who started it may not approve it; someone of the change board may.
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { approved: true }, as('olivia', 'change-board'))).status, 403)
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { approved: 'yes' }, as('carl', 'change-board'))).status, 422)
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { approved: true, comment: 'fine' }, as('carl', 'change-board'))).status, 200)
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    const steps = Object.fromEntries(done.steps.map((s) => [s.name, s]))
    assert.equal(steps.choose_pool.answered_by, 'key:nina')
    assert.equal(steps.sign_off.answered_by, 'key:carl')
    assert.equal(steps.allocate.status, 'success')
    assert.equal((steps.allocate.state_delta as { allocate: { prefix: string } }).allocate.prefix, `${held.prefix}/32`)
    assert.equal(steps.if_rejected_later.status, 'skipped')
    assert.equal(steps.refused.status, 'skipped')
    assert.deepEqual(await allocationsOf('lab-run'), [held], 'a completed process keeps what it allocated')
    await recordHistoryIfAsked(id, 'custom', 'run_custom_workflow')
  })

  test('an abort runs the compensations: the address goes back to IPAM', async () => {
    assert.equal((await register(labAddress('lab_abort'))).status, 201)
    const id = await start('lab_abort', { host: 'lab-abort' })
    await waitingAt(id, 'choose_pool')
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { pool: 'loopbacks-v4' }, as('nina'))).status, 200)
    await waitingAt(id, 'sign_off')
    assert.equal((await allocationsOf('lab-abort')).length, 1)
    const aborted = await api.call<ProcessDto>('PUT', `/api/processes/${id}/abort`, { reason: 'lab closed' })
    assert.equal(aborted.status, 200)
    const ended = await api.waitForProcess(id, (p) => p.status === 'aborted')
    assert.equal(ended.steps.find((s) => s.name === 'undo_allocate')?.status, 'success')
    assert.deepEqual(await allocationsOf('lab-abort'), [])
    await recordHistoryIfAsked(id, 'custom', 'run_custom_workflow.aborted')
  })

  test('a process keeps its version: v2 registered while a v1 process waits, the v1 process completes as v1', async () => {
    assert.equal((await register(labAddress('lab_pinned'))).status, 201)
    const old = await start('lab_pinned', { host: 'lab-v1' })
    await waitingAt(old, 'choose_pool')
    const v2 = labAddress('lab_pinned', 'Give a lab host an address, once the database answers')
    v2.steps.splice(4, 0, { name: 'check_database', action: 'system.check_database' })
    const second = await register(v2)
    assert.equal(second.status, 201, JSON.stringify(second.body))
    assert.equal(second.body.version, 2)
    const newer = await start('lab_pinned', { host: 'lab-v2' })
    for (const id of [old, newer]) {
      await waitingAt(id, 'choose_pool')
      assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { pool: 'loopbacks-v4' }, as('nina'))).status, 200)
      await waitingAt(id, 'sign_off')
      assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { approved: true }, as('carl', 'change-board'))).status, 200)
    }
    const oldDone = await api.waitForProcess(old, (p) => p.status === 'completed')
    const newDone = await api.waitForProcess(newer, (p) => p.status === 'completed')
    assert.ok(!oldDone.steps.some((s) => s.name === 'check_database'), 'v1 has no check_database step')
    assert.equal(newDone.steps.find((s) => s.name === 'check_database')?.status, 'success')
    const versions = (await sql.query<{ id: string; version: number }>(`SELECT p.id::text, v.version FROM processes p JOIN custom_workflow_versions v ON v.id = p.workflow_version_id WHERE p.id = ANY($1::uuid[]) ORDER BY v.version`, [[old, newer]])).rows
    assert.deepEqual(versions, [{ id: old, version: 1 }, { id: newer, version: 2 }])
    const detail = await api.get<CustomWorkflowDetailDto>('/api/catalog/workflows/lab_pinned')
    assert.deepEqual(detail.body.versions.map((v) => v.version), [1, 2])
    assert.equal(detail.body.latest_version, 2)
    // Versions are what processes ran: the database refuses to change one.
    await assert.rejects(sql.query(`UPDATE custom_workflow_versions SET definition = '{}' WHERE workflow_id = (SELECT id FROM custom_workflows WHERE name = 'lab_pinned')`), /immutable/)
  })

  test('a step that fails suspends, PUT /resume {} retries it; a fail step ends the process failed', async () => {
    const def = {
      name: 'lab_retry',
      steps: [
        { name: 'allocate', action: 'ipam.allocate_address', with: { pool: 'lab-later', purpose: 'lab_retry', description: 'lab-retry' }, compensate: { action: 'ipam.release_allocation', with: { purpose: 'lab_retry' } } },
        { name: 'decide', kind: 'input', assignee: 'noc', form: { type: 'object', properties: { give_up: { type: 'boolean' } }, required: ['give_up'] } },
        { name: 'if_given_up', kind: 'when', condition: { eq: [{ $ref: 'steps.decide.give_up' }, true] }, steps: [{ name: 'give_up', kind: 'fail', message: 'the NOC gave up on this host' }] },
      ],
    }
    assert.equal((await register(def)).status, 201)
    const id = await start('lab_retry', {})
    // No pool of that name yet: the step fails for good and the process waits for an operator.
    const stuck = await api.waitForProcess(id, (p) => p.status === 'suspended')
    assert.deepEqual(stuck.suspended.map((s) => s.step), ['allocate'])
    assert.equal((await api.call('POST', '/api/ipam/pools', { name: 'lab-later', prefix: '10.99.0.0/28', role: 'customer' })).status, 201)
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, {}, as('otto'))).status, 200)
    await waitingAt(id, 'decide')
    const [held] = await allocationsOf('lab-retry')
    assert.match(held.prefix, /^10\.99\.0\.\d+$/)
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { give_up: true }, as('nina'))).status, 200)
    const failed = await api.waitForProcess(id, (p) => p.status === 'failed')
    assert.equal(failed.steps.find((s) => s.name === 'give_up')?.status, 'failed')
    assert.match(JSON.stringify(failed.failure), /the NOC gave up on this host/)
  })

  test('parallel branches join, then a retry step reads what a branch gave', async () => {
    const def = {
      name: 'lab_parallel',
      steps: [
        {
          name: 'both',
          kind: 'parallel',
          branches: {
            left: [{ name: 'db_left', action: 'system.check_database' }],
            right: [{ name: 'take', action: 'ipam.allocate_address', with: { pool: 'loopbacks-v4', purpose: 'lab_parallel', description: 'lab-parallel' } }],
          },
        },
        { name: 'give_back', kind: 'retry', every: '1 second', for: '30 seconds', action: 'ipam.release_allocation', with: { purpose: { $ref: 'steps.take.purpose' } } },
      ],
    }
    assert.equal((await register(def)).status, 201)
    const id = await start('lab_parallel', {})
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.deepEqual(
      done.steps.filter((s) => ['both', 'db_left', 'take', 'give_back'].includes(s.name)).map((s) => s.status),
      ['success', 'success', 'success', 'success'],
    )
    assert.deepEqual((done.steps.find((s) => s.name === 'give_back')?.state_delta as { give_back: { released: string } }).give_back.released.split('/')[1], '32')
    assert.deepEqual(await allocationsOf('lab-parallel'), [], 'the retry step gave back what the branch took')
    await recordHistoryIfAsked(id, 'custom', 'run_custom_workflow.parallel')
  })

  test('the notification and change-ticket actions run in a custom process (no subscription of its own): skipped, saying why, with no channel or ticket system configured', async () => {
    const body = {
      name: 'lab_tell',
      steps: [
        { name: 'ticket', action: 'tickets.open', with: { summary: 'lab work' }, compensate: { action: 'tickets.close', with: { summary: 'lab work', ticket: { $ref: 'steps.ticket' }, outcome: 'cancelled' } } },
        { name: 'tell', action: 'notify.send', with: { to: ['lab@example.net'], data: { by: { $ref: 'process.created_by' } } } },
        { name: 'note', action: 'tickets.update', with: { summary: 'told the lab', ticket: { $ref: 'steps.ticket' } } },
        { name: 'close', action: 'tickets.close', with: { summary: 'done', ticket: { $ref: 'steps.ticket' }, outcome: 'completed' } },
      ],
    }
    const registered = await register(body)
    assert.equal(registered.status, 201, JSON.stringify(registered.body))
    const id = await start('lab_tell', {})
    const done = await api.waitForProcess(id, (p) => p.completed_at !== null)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    const log = new Map(done.steps.map((st) => [st.name, st]))
    for (const step of ['ticket', 'tell', 'note', 'close']) assert.equal(log.get(step)?.status, 'success', step)
    assert.match(JSON.stringify(done.steps.find((st) => st.name === 'tell')), /no notification channel is configured/)
  })

  test('every refusal names its reason, and leaves nothing behind', async () => {
    const unknownAction = labAddress('lab_refused')
    unknownAction.steps[1] = { ...unknownAction.steps[1], action: 'dcim.reboot' }
    const refused = await register(unknownAction)
    assert.equal(refused.status, 422)
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8')
    assert.ok(refused.body.errors?.some((e) => e.path === 'steps.1.action' && /no action dcim\.reboot/.test(e.message)), JSON.stringify(refused.body))
    const clash = await register(labAddress('create_node'))
    assert.equal(clash.status, 422)
    assert.deepEqual(clash.body.errors?.map((e) => e.path), ['name'])
    const badRef = labAddress('lab_refused')
    badRef.steps[1] = { ...badRef.steps[1], with: { pool: { $ref: 'steps.sign_off.approved' }, purpose: 'lab_host' } }
    assert.equal((await register(badRef)).status, 422)
    assert.equal((await register('[1, 2')).status, 400)
    assert.equal((await register(labAddress('lab_refused'), asOnly('oscar', 'operator'))).status, 403)
    assert.equal((await api.get('/api/catalog/workflows/lab_refused')).status, 404, 'nothing was stored')
    assert.equal((await sql.query(`SELECT 1 FROM custom_workflows WHERE name IN ('lab_refused', 'create_node')`)).rowCount, 0)

    assert.equal((await register(labAddress('lab_starts'))).status, 201)
    const badInput = await api.call<{ errors: { path: string }[] }>('POST', '/api/catalog/workflows/lab_starts/start', { host: '' }, as('olivia'))
    assert.equal(badInput.status, 422)
    assert.deepEqual(badInput.body.errors.map((e) => e.path), ['host'])
    assert.equal((await api.call('POST', '/api/catalog/workflows/no_such_workflow/start', {}, as('olivia'))).status, 404)
    assert.equal((await api.call('POST', '/api/catalog/workflows/lab_starts/start', { host: 'x' }, asOnly('vera', 'viewer'))).status, 403)
    assert.equal((await sql.query(`SELECT 1 FROM processes WHERE workflow = 'lab_starts'`)).rowCount, 0, 'no process was recorded')
    assert.equal((await api.get('/api/catalog/workflows/lab_starts/versions/2')).status, 404)
    assert.equal((await api.get('/api/catalog/workflows/lab_starts/versions/two')).status, 400)
    assert.equal((await api.get('/api/catalog/workflows/nobody')).status, 404)
    // An Idempotency-Key gives back the process the first request started; the same key for another input is a 422.
    const keyed = { 'idempotency-key': 'custom-start-once', ...as('olivia') }
    const first = await api.call<ProcessStartedDto>('POST', '/api/catalog/workflows/lab_starts/start', { host: 'lab-key' }, keyed)
    assert.equal(first.status, 201)
    const replay = await api.call<ProcessStartedDto>('POST', '/api/catalog/workflows/lab_starts/start', { host: 'lab-key' }, keyed)
    assert.equal(replay.status, 201)
    assert.equal(replay.headers.get('idempotent-replayed'), 'true')
    assert.equal(replay.body.id, first.body.id)
    assert.equal((await api.call('POST', '/api/catalog/workflows/lab_starts/start', { host: 'lab-other' }, keyed)).status, 422)
    assert.equal((await sql.query(`SELECT 1 FROM processes WHERE workflow = 'lab_starts'`)).rowCount, 1)
    await waitingAt(first.body.id, 'choose_pool')
    assert.equal((await api.call('PUT', `/api/processes/${first.body.id}/abort`, {})).status, 200)
    // The engine switch stops custom workflows as it stops every start: a 503, and no process recorded.
    assert.equal((await api.call('PUT', '/api/settings/engine', { running: false, reason: 'maintenance' })).status, 200)
    try {
      const stopped = await api.call('POST', '/api/catalog/workflows/lab_starts/start', { host: 'lab-stopped' }, as('olivia'))
      assert.equal(stopped.status, 503)
      assert.ok(stopped.headers.get('retry-after'))
    } finally {
      assert.equal((await api.call('PUT', '/api/settings/engine', { running: true })).status, 200)
    }
    assert.equal((await sql.query(`SELECT 1 FROM processes WHERE workflow = 'lab_starts'`)).rowCount, 1)
    // A custom workflow is not a code workflow: POST /api/processes does not start it.
    assert.equal((await api.call('POST', '/api/processes/lab_starts', { host: 'x' }, as('olivia'))).status < 500, true)
  })
})
