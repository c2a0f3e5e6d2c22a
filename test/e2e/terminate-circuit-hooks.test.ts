// terminate_circuit with its OSS/BSS hooks configured (simulator driver, a real SMTP server, a real ticket system
// that checks signatures): the change ticket is opened before the change board is asked, noted at the approval and
// closed at the end; the customer is mailed from the workflow's template. A rejection closes the ticket as
// cancelled and mails nobody.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import type { ApiClient } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { loomStack } from '../support/loom.js'
import { type MailServer, startMailServer } from '../support/mail-server.js'
import { startTicketSystem, type TicketSystem } from '../support/ticket-system.js'
import { enrolNode, reservePort, runToCompletion } from '../support/workshop.js'
import { as } from '../support/api.js'

process.env.LOOM_TEST_TICKET_SECRET = 'ticket-s3cret'

let api: ApiClient
let mail: MailServer
let ticketing: TicketSystem
const node: Record<string, string> = {}
const port: Record<string, Record<string, string>> = {}

const loom = loomStack({
  devices: plannedRouters('hook', 2).map((r) => ({ ...r, interfaces: ['eth1', 'eth2', 'eth3'].map((name) => ({ name, speed_mbps: 10_000 })) })),
  simulator: true,
  config: () => ({
    oss: {
      smtp: { url: mail.url, from: 'NOC <noc@loom.test>', username: undefined, credentials: undefined },
      notifyWebhook: undefined,
      templatesDir: undefined, // the templates Loom ships
      ticketWebhook: { url: ticketing.url, secret: 'env:LOOM_TEST_TICKET_SECRET' },
      customers: { source: 'builtin', url: undefined },
    },
  }),
})

before(async () => {
  // The mail server and the ticket system are up before Loom's configuration names them.
  mail = await startMailServer() // a relay that takes mail without a login
  ticketing = await startTicketSystem('ticket-s3cret')
  await loom.start()
  api = loom.api
  // The default customer, with an address to write to.
  assert.equal((await api.call('PATCH', '/api/customers/acme', { name: 'ACME Corporation', contact_email: 'noc@acme.example' })).status, 200)
  for (const r of ['hook-r1', 'hook-r2']) {
    node[r] = await enrolNode(api, r)
    port[r] = { eth1: await reservePort(api, node[r], 'eth1'), eth2: await reservePort(api, node[r], 'eth2'), eth3: await reservePort(api, node[r], 'eth3') }
  }
})
after(async () => {
  await loom.stop()
  await mail?.close()
  await ticketing?.close()
})

const circuitOn = async (ifname: 'eth1' | 'eth2' | 'eth3', customer_id = 'acme') =>
  (await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node['hook-r1'], node_b: node['hook-r2'], port_a: port['hook-r1'][ifname], port_b: port['hook-r2'][ifname], customer_id }))
    .subscription_ids[0]

async function terminate(circuit: string, approved: boolean): Promise<ProcessDto> {
  const started = await api.call<ProcessStartedDto>('POST', '/api/processes/terminate_circuit', { subscription_id: circuit }, as('alice'))
  assert.equal(started.status, 201, JSON.stringify(started.body))
  const id = started.body.id
  const waiting = await api.waitForProcess(id, (p) => p.pending_input !== null)
  assert.equal(waiting.pending_input!.step, 'approve_termination')
  const [opened] = ticketing.deliveries.filter((d) => d.body.process_id === id)
  assert.equal(opened.body.event, 'open', 'the ticket is open before the change board is asked')
  const answer = await api.call('PUT', `/api/processes/${id}/resume`, { approved, comment: approved ? 'CAB 7' : 'not this week' }, as('carol', 'change-board'))
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return api.waitForProcess(id, (p) => p.completed_at !== null, 60_000)
}

describe('terminate_circuit with a ticket system and an SMTP relay', () => {
  test('create_circuit opens a change ticket before it provisions anything, mails the customer once the circuit is active, then closes the ticket', async () => {
    const done = await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node['hook-r1'], node_b: node['hook-r2'], port_a: port['hook-r1'].eth3, port_b: port['hook-r2'].eth3 })
    const steps = done.steps.map((s) => s.name)
    assert.deepEqual(steps.slice(steps.indexOf('store_process_subscription'), steps.indexOf('store_process_subscription') + 3), ['store_process_subscription', 'open_change_ticket', 'reserve_ips_in_ipam'])
    assert.deepEqual(steps.slice(-3), ['set_status_active', 'send_confirmation_email', 'close_change_ticket'])
    const deliveries = ticketing.deliveries.filter((d) => d.body.process_id === done.id)
    assert.deepEqual(deliveries.map((d) => [d.body.event, d.body.outcome ?? null, d.signature_ok]), [['open', null, true], ['close', 'completed', true]])
    assert.match(String(deliveries[1].body.summary), /^Circuit active in maintenance mode; link subnets [\d./]+, [\da-f:/]+$/)
    const [sent, ...more] = mail.delivered().filter((m) => m.headers['x-loom-process'] === done.id)
    assert.equal(more.length, 0)
    assert.deepEqual(sent.to, ['noc@acme.example'])
    assert.match(sent.subject, /^Your circuit is active: Circuit 10G hook-r1 eth3 – hook-r2 eth3, [\d./]+$/)
    assert.match(sent.text, /link subnets {2}[\d./]+ {2}[\da-f:/]+\n/)
    assert.match(sent.text, /mode {10}maintenance\n/)
    // Its port pair is needed below: the circuit goes again (approved), with nothing asked of it.
    assert.equal((await terminate(done.subscription_ids[0], true)).status, 'completed')
  })

  test('the change ticket is opened, noted at the approval and closed at the end; the customer gets the confirmation', async () => {
    const circuit = await circuitOn('eth1')
    const done = await terminate(circuit, true)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    const steps = done.steps.map((s) => s.name)
    assert.deepEqual(steps.slice(0, 3), ['read_circuit', 'open_change_ticket', 'approve_termination'])
    assert.deepEqual(steps.slice(steps.indexOf('release_ips_in_ipam')), ['release_ips_in_ipam', 'send_confirmation_email', 'close_change_ticket'])

    const deliveries = ticketing.deliveries.filter((d) => d.body.process_id === done.id)
    assert.ok(deliveries.every((d) => d.signature_ok && d.status < 300))
    assert.deepEqual(deliveries.map((d) => d.body.event), ['open', 'update', 'close'])
    const [open, update, close] = deliveries.map((d) => d.body)
    assert.match(String(open.summary), new RegExp(`^Terminate circuit hook-r1 eth1 – hook-r2 eth1 \\(${circuit}\\)$`))
    assert.equal(update.summary, 'Approved by the change board (CAB 7); draining the circuit')
    assert.match(String(close.summary), /^Circuit terminated; link subnets released: [\d./]+, [\da-f:/]+$/)
    assert.deepEqual([close.outcome, close.ticket_id, close.link], ['completed', update.ticket_id, `${loom.url}/api/processes/${done.id}`])

    const mails = mail.delivered().filter((m) => m.headers['x-loom-process'] === done.id)
    assert.equal(mails.length, 1)
    const [sent] = mails
    assert.deepEqual(sent.to, ['noc@acme.example'])
    const description = (await api.get<{ description: string }>(`/api/subscriptions/${circuit}`)).body.description
    assert.equal(sent.subject, `Your circuit has been terminated: ${description}`)
    assert.match(sent.text, /^Dear ACME Corporation,/)
    assert.match(sent.text, /released link subnets {2}[\d./]+, [\da-f:/]+\n/)
    assert.match(sent.text, new RegExp(`Process: {6}${loom.url}/api/processes/${done.id}`))
  })

  test('a rejection by the change board closes the ticket as cancelled and mails nobody', async () => {
    const circuit = await circuitOn('eth2')
    const done = await terminate(circuit, false)
    assert.equal(done.status, 'aborted')
    const deliveries = ticketing.deliveries.filter((d) => d.body.process_id === done.id)
    assert.deepEqual(deliveries.map((d) => [d.body.event, d.body.outcome ?? null]), [['open', null], ['close', 'cancelled']])
    assert.equal(mail.received.filter((m) => m.headers['x-loom-process'] === done.id).length, 0)
    assert.equal((await api.get<{ lifecycle: string }>(`/api/subscriptions/${circuit}`)).body.lifecycle, 'active', 'the circuit stays')
  })

  test('past the point of no return: a confirmation that cannot be sent suspends the process; it can only go forward — an abort is a 409, the cause fixed and retried it completes', async () => {
    assert.equal((await api.call('POST', '/api/customers', { id: 'quiet', name: 'Quiet Ltd', contact_email: 'noc@quiet.example' })).status, 201)
    const circuit = await circuitOn('eth3', 'quiet')
    assert.equal((await api.call('PATCH', '/api/customers/quiet', { contact_email: null })).status, 200, 'the customer has no contact address any more')
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/terminate_circuit', { subscription_id: circuit }, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const id = started.body.id
    await api.waitForProcess(id, (p) => p.pending_input?.step === 'approve_termination')
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, { approved: true }, as('carol', 'change-board'))).status, 200)
    const suspended = await api.waitForProcess(id, (p) => p.status === 'suspended', 60_000)
    assert.equal(suspended.suspended[0]?.step, 'send_confirmation_email')
    assert.match(suspended.suspended[0].error.message, /customer quiet has no contact_email/)

    const refused = await api.call<{ detail: string }>('PUT', `/api/processes/${id}/abort`, { reason: 'nobody to tell' }, as('alice'))
    assert.equal(refused.status, 409, 'a terminated circuit is not put back on its routers because a mail could not be sent')
    assert.match(refused.body.detail, /past its point of no return \(set_status_terminated\)/)
    assert.equal((await api.get<{ lifecycle: string }>(`/api/subscriptions/${circuit}`)).body.lifecycle, 'terminated')

    assert.equal((await api.call('PATCH', '/api/customers/quiet', { contact_email: 'ops@quiet.example' })).status, 200)
    assert.equal((await api.call('PUT', `/api/processes/${id}/resume`, {}, as('alice'))).status, 200)
    const done = await api.waitForProcess(id, (p) => p.completed_at !== null, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual(done.steps.filter((s) => s.kind === 'compensation'), [])
    assert.deepEqual(mail.delivered().filter((m) => m.headers['x-loom-process'] === id).map((m) => m.to), [['ops@quiet.example']])
    assert.notEqual((await api.get<{ end_date: string | null }>(`/api/subscriptions/${circuit}`)).body.end_date, null)
  })
})
