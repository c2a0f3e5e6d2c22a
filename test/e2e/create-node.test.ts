// create_node through every layer, as an API consumer drives it: form → start → input step → active subscription.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import pg from 'pg'
import { v7 as uuidv7 } from 'uuid'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { DeviceDto, Page, ProcessDto, ProcessStartedDto, ProcessSummaryDto, SubscriptionDto, SubscriptionSummaryDto } from '#contracts/index.js'
import { waitFor } from '#runtime/index.js'
import { INVALID_ANSWER, resumeUpdate } from '#workflows/engine/messages.js'
import { type ApiClient, apiClient, as, authorized } from '../support/api.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { quietTemporalRuntime, testConfig, testTemporalAddress, testDataConverter } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'

let db: TestDatabase
let loom: LoomWorker
let running: Promise<void>
let gw: RunningGateway
let api: ApiClient
let client: Client
let connection: Connection
let sql: pg.Client

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  await seed(db.url, plannedRouters('e2e', 6))
  const config = testConfig(db.url, { temporalUiUrl: 'http://ui.example.test:8233' })
  loom = await createLoomWorker(config)
  running = loom.run()
  gw = await startGateway(config)
  api = apiClient(gw.url)
  connection = await Connection.connect({ address: testTemporalAddress() })
  client = new Client({ connection, dataConverter: testDataConverter() })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

after(async () => {
  await sql?.end()
  await connection?.close()
  await gw?.close()
  loom?.shutdown()
  await running
  await db?.drop()
})

const start = (answers: unknown, user = 'alice') => api.call<ProcessStartedDto>('POST', '/api/processes/create_node', answers, as(user))
const resume = (id: string, answer: unknown, user = 'bob') => api.call<ProcessDto>('PUT', `/api/processes/${id}/resume`, answer, as(user))
/**
 * Waits until Temporal's visibility — what the Web UI's search and `temporal workflow list` use — finds the
 * process with `query` (it indexes a moment after the workflow changes).
 */
async function foundByVisibility(id: string, query: string): Promise<void> {
  await waitFor(
    async () => {
      for await (const w of client.workflow.list({ query: `${query} AND WorkflowId = "${id}"` })) if (w.workflowId === id) return true
      return false
    },
    { timeoutMs: 15_000, intervalMs: 200, describe: () => `Temporal visibility never found process ${id} with ${query}` },
  )
}

const formRouters = async () => ((await api.get<{ properties: { router: { enum: string[] } } }>('/api/workflows/create_node/form')).body.properties.router.enum)

describe('create_node end to end', () => {
  test('a planned router becomes an active node subscription, through the input step', async () => {
    const workflow = await api.get<{ steps: { name: string; kind: string; steps?: { name: string; kind: string; assignee: string }[]; compensation?: { name: string } }[]; target: string }>(
      '/api/workflows/create_node',
    )
    assert.equal(workflow.status, 200)
    assert.deepEqual(workflow.body.steps.map((s) => s.name), [
      'construct_node_model', 'store_process_subscription', 'allocate_loopback_ipv4', 'allocate_loopback_ipv6', 'fetch_ip_address_information',
      'apply_base_config', 'manual_configuration', 'set_status_provisioning', 'update_node_status', 'set_status_active',
    ])
    const manual = workflow.body.steps.find((s) => s.name === 'manual_configuration')!
    assert.equal(manual.kind, 'conditional')
    assert.deepEqual(manual.steps!.map((s) => [s.name, s.kind, s.assignee]), [['provide_config_to_user', 'input', 'noc']])
    assert.equal(workflow.body.steps.find((s) => s.name === 'allocate_loopback_ipv4')!.compensation!.name, 'undo_allocate_loopback_ipv4')
    assert.ok((await formRouters()).includes('e2e-r1'))

    // A start form's customer must be known to the customer source.
    assert.equal((await start({ router: 'e2e-r1', customer_id: 'surf' })).status, 422)
    assert.equal((await api.call('POST', '/api/customers', { id: 'surf', name: 'SURF', contact_email: 'noc@surf.example' })).status, 201)
    const started = await start({ router: 'e2e-r1', customer_id: 'surf' })
    assert.equal(started.status, 201)
    assert.equal(started.body.status, 'created')
    assert.equal(started.body.workflow_id, started.body.id)
    assert.match(started.body.run_id, /^[0-9a-f-]{36}$/)
    assert.equal(started.headers.get('location'), `/api/processes/${started.body.id}`)
    const id = started.body.id

    const waiting = await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input !== null)
    assert.equal(waiting.current_step, 'provide_config_to_user')
    assert.equal(waiting.assignee, 'noc')
    assert.equal(waiting.created_by, 'key:alice')
    assert.equal(waiting.temporal_ui_url, `http://ui.example.test:8233/namespaces/default/workflows/${id}`)
    assert.match(String(waiting.pending_input!.data.config), /^hostname e2e-r1$/m)
    assert.match(String(waiting.pending_input!.data.config), /^ ip address 198\.51\.100\.1\/32$/m)
    assert.deepEqual((waiting.pending_input!.form as { required: string[] }).required, ['confirm_config_applied'])
    // The worker runs the manual driver (the default): applying is left to a person, so the input step waits.
    assert.deepEqual(waiting.steps.map((s) => s.status), ['success', 'success', 'success', 'success', 'success', 'success', 'success', 'waiting', 'pending', 'pending', 'pending'])
    const [subscriptionId] = waiting.subscription_ids
    assert.equal((await api.get<SubscriptionDto>(`/api/subscriptions/${subscriptionId}`)).body.lifecycle, 'initial')
    // In the Temporal Web UI the workflow is "Running"; LoomStatus says what Loom knows: it waits for someone.
    await foundByVisibility(id, 'LoomStatus = "waiting"')
    assert.ok(!(await formRouters()).includes('e2e-r1'), 'a router being enrolled is no longer offered')

    // Straight to Temporal, past the gateway: the workflow's own Update validator refuses a bad answer
    // before it enters history.
    await assert.rejects(
      client.workflow.getHandle(id).executeUpdate(resumeUpdate, { args: [{ answer: { confirm_config_applied: 'yes' }, user: 'mallory', roles: [] }] }),
      (error: Error) => {
        assert.ok(error instanceof WorkflowUpdateFailedError)
        assert.ok(error.cause instanceof ApplicationFailure)
        assert.equal(error.cause.type, INVALID_ANSWER)
        assert.deepEqual((error.cause.details?.[0] as { path: string }[]).map((e) => e.path), ['confirm_config_applied'])
        return true
      },
    )
    const history = await client.workflow.getHandle(id).fetchHistory()
    assert.ok(!JSON.stringify(historyToJSON(history)).includes('mallory'), 'the refused answer is not in history')

    // A wrong answer is refused field by field, and nothing is recorded.
    const wrong = await resume(id, { confirm_config_applied: false })
    assert.equal(wrong.status, 422)
    assert.deepEqual((wrong.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path), ['confirm_config_applied'])
    const stillWaiting = (await api.get<ProcessDto>(`/api/processes/${id}`)).body
    assert.equal(stillWaiting.status, 'waiting')
    assert.equal(stillWaiting.steps.find((s) => s.name === 'provide_config_to_user')!.answered_by, null)

    const answered = await resume(id, { confirm_config_applied: true })
    assert.equal(answered.status, 200, JSON.stringify(answered.body))
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.ok(done.steps.every((s) => s.status === 'success'), JSON.stringify(done.steps))
    const input = done.steps.find((s) => s.name === 'provide_config_to_user')!
    assert.equal(input.answered_by, 'key:bob')
    assert.deepEqual(input.state_delta, { provide_config_to_user: { confirm_config_applied: true } })
    assert.ok(done.completed_at)
    assert.equal(done.pending_input, null)

    const subscription = await api.get<SubscriptionDto>(`/api/subscriptions/${subscriptionId}`)
    assert.equal(subscription.status, 200)
    assert.equal(subscription.body.lifecycle, 'active')
    assert.equal(subscription.body.product, 'node')
    assert.equal(subscription.body.customer_id, 'surf')
    assert.equal(subscription.body.customer?.name, 'SURF', 'the detail names the customer')
    assert.equal(subscription.body.insync, true)
    assert.equal(subscription.body.locked_by, null)
    assert.ok(subscription.body.start_date)
    assert.deepEqual(subscription.body.domain_model, {
      node: {
        device_name: 'e2e-r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'e2e',
        management_address: '192.0.2.1', loopback_ipv4: '198.51.100.1/32', loopback_ipv6: '2001:db8::1/128',
        igp_protocol: 'ospf', igp_area: '0.0.0.0',
      },
    })
    assert.deepEqual(subscription.body.processes.map((p) => [p.id, p.workflow, p.status]), [[id, 'create_node', 'completed']])
    const listed = await api.get<Page<SubscriptionSummaryDto>>('/api/subscriptions?product=node&lifecycle=active')
    assert.ok(listed.body.items.some((s) => s.id === subscriptionId))

    const { rows } = await sql.query(`SELECT status::text, version FROM dcim_devices WHERE name = 'e2e-r1'`)
    assert.deepEqual(rows, [{ status: 'active', version: 2 }])

    const description = await client.workflow.getHandle(id).describe()
    assert.equal(description.type, 'create_node')
    assert.deepEqual(description.searchAttributes.LoomSubscriptionIds, [subscriptionId])
    assert.deepEqual(description.searchAttributes.LoomProduct, ['node'])
    assert.deepEqual(description.searchAttributes.LoomCustomer, ['surf'])
    assert.deepEqual(description.searchAttributes.LoomTarget, ['CREATE'])
    assert.deepEqual(description.searchAttributes.LoomCreatedBy, ['key:alice'])
    assert.deepEqual(description.searchAttributes.LoomStatus, ['completed'])
    await foundByVisibility(id, 'LoomStatus = "completed" AND LoomProduct = "node"')

    // The enrolled router is refused from now on, as a field error.
    const again = await start({ router: 'e2e-r1' })
    assert.equal(again.status, 422)
    assert.match(JSON.stringify(again.body), /"path":"router".*not a planned router that is free to enrol/)

    await recordHistoryIfAsked(id, 'node', 'create_node')
  })

  test('GET /api/processes/{id}/events streams the process as it changes, and ends when it ends', async () => {
    assert.equal((await fetch(`${gw.url}/api/processes/${uuidv7()}/events`, { headers: authorized() })).status, 404)
    const started = await start({ router: 'e2e-r6' })
    const res = await fetch(`${gw.url}/api/processes/${started.body.id}/events`, { headers: authorized() })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
    const seen: ProcessDto[] = []
    let buffer = ''
    const decoder = new TextDecoder()
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = /^event: process\ndata: (.*)$/s.exec(frame)
        if (!data) continue
        const process = JSON.parse(data[1]) as ProcessDto
        seen.push(process)
        // The person who watches the stream answers when it asks: the stream goes on to the end.
        if (process.status === 'waiting' && seen.filter((p) => p.status === 'waiting').length === 1) {
          assert.equal((await resume(started.body.id, { confirm_config_applied: true })).status, 200)
        }
      }
    }
    const statuses = seen.map((p) => p.status)
    assert.ok(statuses.includes('waiting'), statuses.join(' → '))
    assert.equal(statuses.at(-1), 'completed', 'the last event is the end, and the server closed the stream')
    assert.ok(seen.length >= 3, statuses.join(' → '))
    const steps = seen.at(-1)!.steps.map((st) => st.status)
    assert.ok(steps.every((st) => st === 'success'), steps.join(','))
  })

  test('two racing starts for one router: exactly one process, the other a 409 naming it', async () => {
    const [a, b] = await Promise.all([start({ router: 'e2e-r2' }), start({ router: 'e2e-r2' })])
    const statuses = [a.status, b.status].sort()
    assert.deepEqual(statuses, [201, 409], JSON.stringify([a.body, b.body]))
    const winner = a.status === 201 ? a : b
    const loser = a.status === 201 ? b : a
    assert.match(String((loser.body as unknown as { detail: string }).detail), new RegExp(`dcim_device e2e-r2 is held by process ${winner.body.id}`))
    assert.match(loser.headers.get('content-type') ?? '', /application\/problem\+json/)
    const { rows } = await sql.query(`SELECT process_id FROM resource_claims WHERE resource_key = 'e2e-r2'`)
    assert.deepEqual(rows, [{ process_id: winner.body.id }])
    const { rows: processes } = await sql.query(`SELECT count(*)::int AS n FROM processes WHERE id NOT IN (SELECT process_id FROM resource_claims)`)
    assert.deepEqual(processes, [{ n: 0 }], 'the refused start left no process behind')
  })

  test('a router without a management address suspends the process, naming the field; an abort gives everything back', async () => {
    await sql.query(`INSERT INTO dcim_devices (id, name, role, vendor, platform, site, updated_at) VALUES (gen_random_uuid(), 'e2e-bare', 'router', 'frr', 'frr', 'e2e', now())`)
    const started = await start({ router: 'e2e-bare' })
    assert.equal(started.status, 201)
    const suspended = await api.waitForProcess(started.body.id, (p) => p.status === 'suspended')
    assert.match(JSON.stringify(suspended.failure), /cannot be provisioned: missing management_address of device e2e-bare in DCIM/)
    // The step that reads DCIM is the one that fails: once the address is there, a retry reads it.
    assert.deepEqual(suspended.suspended.map((s) => s.step), ['fetch_ip_address_information'])
    assert.equal(suspended.steps.find((s) => s.name === 'fetch_ip_address_information')!.status, 'failed')
    // Not "Running" in the Temporal Web UI: suspended, waiting for an operator.
    await foundByVisibility(started.body.id, 'LoomStatus = "suspended"')
    const [subscriptionId] = suspended.subscription_ids
    const held = await sql.query<{ purpose: string }>(`SELECT purpose FROM ipam_allocations WHERE subscription_id = $1 ORDER BY purpose`, [subscriptionId])
    assert.deepEqual(held.rows.map((r) => r.purpose), ['loopback_ipv4', 'loopback_ipv6'], 'suspended, it still holds what it took')

    // A retry runs the step again and it fails again: suspended anew (the process moved, to running and back).
    const retried = await api.call<ProcessDto>('PUT', `/api/processes/${started.body.id}/resume`, {}, as('olivia'))
    assert.equal(retried.status, 200, JSON.stringify(retried.body))
    await api.waitForProcess(started.body.id, (p) => p.status === 'suspended' && p.updated_at > suspended.updated_at && p.suspended.length === 1)

    const aborted = await api.call<ProcessDto>('PUT', `/api/processes/${started.body.id}/abort`, { reason: 'router has no management address yet' }, as('olivia'))
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body))
    assert.equal(aborted.body.status, 'aborted')
    assert.deepEqual(aborted.body.failure, { message: 'router has no management address yet' })
    // The compensations ran newest first, each logged.
    const undone = aborted.body.steps.filter((s) => s.kind === 'compensation')
    assert.deepEqual(undone.map((s) => [s.name, s.status]), [
      ['undo_allocate_loopback_ipv6', 'success'], ['undo_allocate_loopback_ipv4', 'success'], ['undo_store_process_subscription', 'success'],
    ])
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM ipam_allocations WHERE subscription_id = $1`, [subscriptionId])
    assert.deepEqual(rows, [{ n: 0 }], 'no allocation leaked')
    const subscription = (await api.get<SubscriptionDto>(`/api/subscriptions/${subscriptionId}`)).body
    assert.deepEqual([subscription.lifecycle, subscription.locked_by], ['terminated', null])
    assert.ok(subscription.end_date, 'a terminated subscription has ended: end_date is set')
    assert.ok(Date.parse(subscription.end_date) >= Date.parse(suspended.created_at), subscription.end_date)
    assert.equal(subscription.start_date, null, 'it never went live')
    // Not "Completed" in the Temporal Web UI: aborted.
    await foundByVisibility(started.body.id, 'LoomStatus = "aborted"')
    const claims = await sql.query(`SELECT count(*)::int AS n FROM resource_claims WHERE resource_key = 'e2e-bare'`)
    assert.deepEqual(claims.rows, [{ n: 0 }], 'the router can be enrolled again')
    assert.ok((await formRouters()).includes('e2e-bare'))
    const again = await api.call('PUT', `/api/processes/${started.body.id}/abort`, {})
    assert.equal(again.status, 409)
  })
})

describe('create_node repaired through the DCIM API', () => {
  test('suspended for a missing management address: the operator sets it in DCIM, retries, and the process completes', async () => {
    const made = await api.call<DeviceDto>('POST', '/api/dcim/devices', { name: 'e2e-fixme', role: 'router', vendor: 'frr', platform: 'frr', site: 'e2e' })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.equal(made.body.management_address, null)
    const started = await start({ router: 'e2e-fixme' })
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const id = started.body.id
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended')
    assert.deepEqual(suspended.suspended.map((s) => s.step), ['fetch_ip_address_information'])
    assert.match(JSON.stringify(suspended.failure), /PATCH \/api\/dcim\/devices\/e2e-fixme/)

    // While the process holds the device, it keeps its name and stays in DCIM.
    const rename = await api.call('PATCH', '/api/dcim/devices/e2e-fixme', { name: 'e2e-fixed' })
    assert.equal(rename.status, 409)
    assert.match(String(rename.body.detail), new RegExp(`device e2e-fixme cannot be renamed while dcim_device e2e-fixme is held by subscription [0-9a-f-]{36} \\(node, initial\\), process ${id}`))
    const remove = await api.call('DELETE', '/api/dcim/devices/e2e-fixme')
    assert.equal(remove.status, 409)
    assert.match(String(remove.body.detail), new RegExp(`cannot be deleted while .*process ${id}`))
    // A bad address is refused, naming the field; nothing changes.
    const bad = await api.call<{ errors: { path: string }[] }>('PATCH', '/api/dcim/devices/e2e-fixme', { management_address: '192.0.2.300' })
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors.map((e) => e.path), ['management_address'])

    const fixed = await api.call<DeviceDto>('PATCH', '/api/dcim/devices/e2e-fixme', { management_address: '192.0.2.77' }, as('olivia'))
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body))
    assert.deepEqual([fixed.body.name, fixed.body.management_address, fixed.body.status], ['e2e-fixme', '192.0.2.77', 'planned'])
    const retried = await api.call<ProcessDto>('PUT', `/api/processes/${id}/resume`, {}, as('olivia'))
    assert.equal(retried.status, 200, JSON.stringify(retried.body))

    // It goes on from the step that failed, now with the address, to the configuration that waits to be applied.
    const waiting = await api.waitForProcess(id, (p) => p.status === 'waiting' && p.pending_input !== null)
    assert.equal(waiting.steps.find((s) => s.name === 'fetch_ip_address_information')!.status, 'success')
    assert.equal((waiting.steps.find((s) => s.name === 'fetch_ip_address_information')!.state_delta as { management_address: string }).management_address, '192.0.2.77')
    assert.equal((await resume(id, { confirm_config_applied: true })).status, 200)
    const done = await api.waitForProcess(id, (p) => p.status === 'completed')
    assert.ok(done.steps.filter((s) => s.kind !== 'compensation').every((s) => s.status === 'success'), JSON.stringify(done.steps))
    const subscription = (await api.get<SubscriptionDto>(`/api/subscriptions/${done.subscription_ids[0]}`)).body
    assert.equal(subscription.lifecycle, 'active')
    assert.equal((subscription.domain_model.node as { management_address: string }).management_address, '192.0.2.77')
    assert.equal((await api.get<DeviceDto>('/api/dcim/devices/e2e-fixme')).body.status, 'active')
    await foundByVisibility(id, 'LoomStatus = "completed"')
  })
})

describe('create_node bad input', () => {
  test('malformed JSON is 400', async () => {
    const res = await api.call('POST', '/api/processes/create_node', '{"router": ')
    assert.equal(res.status, 400)
    assert.equal(res.body.type, 'urn:loom:problem:bad-request')
  })

  test('an unknown workflow is 404, for the form and for a start', async () => {
    assert.equal((await api.call('POST', '/api/processes/create_rocket', {})).status, 404)
    const form = await api.get('/api/workflows/create_rocket/form')
    assert.equal(form.status, 404)
    assert.match(String(form.body.detail), /No workflow named "create_rocket"/)
  })

  test('an unknown router, a missing router and an unknown field are 422 with one error each', async () => {
    const unknown = await start({ router: 'nope-r9' })
    assert.equal(unknown.status, 422)
    const errors = (unknown.body as unknown as { errors: { path: string; message: string }[] }).errors
    assert.equal(errors.length, 1)
    assert.equal(errors[0].path, 'router')
    assert.match(errors[0].message, /"nope-r9" is not a planned router that is free to enrol; choose one of: .*e2e-r3/)
    const missing = await start({})
    assert.deepEqual((missing.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path), ['router'])
    const extra = await start({ router: 'e2e-r3', colour: 'blue' })
    assert.equal(extra.status, 422)
    assert.match(JSON.stringify(extra.body), /colour/)
    const checked = await api.call('POST', '/api/workflows/create_node/form', { router: 'e2e-r3' })
    assert.deepEqual([checked.status, checked.body], [200, { complete: true }])
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM resource_claims WHERE resource_key IN ('nope-r9', 'e2e-r3')`)
    assert.deepEqual(rows, [{ n: 0 }], 'refused starts claim nothing')
  })

  test('process and subscription ids: not a UUID is 400, unknown is 404', async () => {
    assert.equal((await api.get('/api/processes/not-a-uuid')).status, 400)
    assert.equal((await api.get('/api/processes/01a214d3-616f-7228-b2e4-000000000000')).status, 404)
    assert.equal((await api.get('/api/subscriptions/01a214d3-616f-7228-b2e4-000000000000')).status, 404)
    assert.equal((await api.call('PUT', '/api/processes/01a214d3-616f-7228-b2e4-000000000000/resume', {})).status, 404)
  })

  test('bad list parameters are 400 naming the parameter', async () => {
    for (const [path, param] of [
      ['/api/processes?status=sleeping', 'status'],
      ['/api/processes?limit=0', 'limit'],
      ['/api/processes?limit=501', 'limit'],
      ['/api/processes?cursor=bogus', 'cursor'],
      ['/api/processes?sort=colour', 'sort'],
      ['/api/subscriptions?sort=-lifecycle_of_brian', 'sort'],
      ['/api/subscriptions?lifecycle=dead', 'lifecycle'],
      ['/api/subscriptions?insync=maybe', 'insync'],
    ]) {
      const res = await api.get(path)
      assert.equal(res.status, 400, path)
      assert.deepEqual((res.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path), [param], path)
    }
  })

  test('lists page with a cursor: every process once', async () => {
    const all: string[] = []
    let cursor: string | null = null
    let total: number
    do {
      const page: { body: Page<ProcessSummaryDto> } = await api.get<Page<ProcessSummaryDto>>(`/api/processes?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      all.push(...page.body.items.map((p) => p.id))
      total = page.body.total
      cursor = page.body.next_cursor
    } while (cursor)
    assert.equal(all.length, total)
    assert.equal(new Set(all).size, all.length)
  })
})
