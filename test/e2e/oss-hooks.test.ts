// The OSS/BSS hooks (docs/oss-bss.md) through the API, on the real Temporal dev server and PostgreSQL, against a
// real SMTP server (npm smtp-server, with a login) and a real HTTP ticket system that checks signatures: a change
// opens a ticket (the ticket system's first answer is a 503: retried, one ticket), notes it, mails the customer
// (the relay's first answer is a 451: retried, one mail) and closes it; an abort closes it as cancelled; a 4xx and
// a bad template are named failures; a retried step sends nothing twice, and a resend after a crash carries the
// same Message-ID; with nothing configured the hooks are skipped and the process completes.
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import { ChangeTicketActivities, NotificationActivities } from '#activities/index.js'
import type { LoomConfig } from '#config/index.js'
import type { ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import { WebhookNotifier } from '#integrations/notifications/webhook-notifier.js'
import { PrismaService } from '#persistence/index.js'
import { projectRoot } from '#runtime/index.js'
import { OSS_FIXTURES } from '../fixtures/oss/declarations.js'
import { OSS_START_FORMS } from '../fixtures/oss/forms.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { quietTemporalRuntime, testConfig } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { type MailServer, startMailServer } from '../support/mail-server.js'
import { startTicketSystem, type TicketSystem } from '../support/ticket-system.js'

// The secrets live in the worker's environment; the configuration (and every history) holds references to them.
process.env.LOOM_TEST_SMTP_PASSWORD = 'smtp-s3cret'
process.env.LOOM_TEST_TICKET_SECRET = 'ticket-s3cret'

interface Stack {
  worker: LoomWorker
  running: Promise<void>
  gateway: RunningGateway
  api: ApiClient
}

let db: TestDatabase
let prisma: PrismaService
let mail: MailServer
let ticketing: TicketSystem
let templates: string
let hooked: Stack
let bare: Stack

async function startStack(oss: LoomConfig['oss']): Promise<Stack> {
  const config = testConfig(db.url, { oss })
  const gateway = await startGateway(config, { declarations: OSS_FIXTURES, startForms: OSS_START_FORMS })
  const worker = await createLoomWorker({ ...config, publicUrl: gateway.url }, { workflowsPath: require.resolve('../fixtures/oss/workflows.js') })
  return { worker, running: worker.run(), gateway, api: apiClient(gateway.url) }
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return
  stack.worker.shutdown()
  await stack.running
  await stack.gateway.close()
}

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  mail = await startMailServer({ username: 'loom', password: 'smtp-s3cret' })
  ticketing = await startTicketSystem('ticket-s3cret')
  // A templates folder of the test's own: one test repairs a missing template in it.
  templates = mkdtempSync(join(tmpdir(), 'loom-oss-templates-'))
  cpSync(join(projectRoot(), 'test', 'fixtures', 'oss', 'templates'), templates, { recursive: true })
  hooked = await startStack({
    smtp: { url: mail.url, from: 'Loom <loom@oss.test>', username: 'loom', credentials: 'env:LOOM_TEST_SMTP_PASSWORD' },
    notifyWebhook: undefined,
    templatesDir: templates,
    ticketWebhook: { url: ticketing.url, secret: 'env:LOOM_TEST_TICKET_SECRET' },
    customers: { source: 'builtin', url: undefined },
  })
  bare = await startStack({ smtp: undefined, notifyWebhook: undefined, templatesDir: templates, ticketWebhook: undefined, customers: { source: 'builtin', url: undefined } })
  const customer = await hooked.api.call('POST', '/api/customers', { id: 'globex', name: 'Globex Networks', contact_email: 'noc@globex.example' })
  assert.equal(customer.status, 201, JSON.stringify(customer.body))
})

after(async () => {
  await stopStack(hooked)
  await stopStack(bare)
  await mail?.close()
  await ticketing?.close()
  await prisma?.$disconnect()
  await db?.drop()
  if (templates) rmSync(templates, { recursive: true, force: true })
})

/** An active subscription of customer globex for a process to change. */
async function subscription(description: string): Promise<string> {
  const id = uuidv7()
  await prisma.subscription.create({ data: { id, product: 'node', customerId: 'globex', description, lifecycle: 'active', insync: true, domainModel: {} } })
  return id
}

async function start(stack: Stack, workflow: string, input: Record<string, unknown>): Promise<string> {
  const res = await stack.api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, input, as('alice'))
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id
}

const step = (p: ProcessDto, name: string) => p.steps.find((s) => s.name === name)!
const ended = (p: ProcessDto) => ['completed', 'aborted', 'failed'].includes(p.status)
const deliveriesOf = (process: string) => ticketing.deliveries.filter((d) => d.body.process_id === process)
const mailsOf = (process: string) => mail.received.filter((m) => m.headers['x-loom-process'] === process)

describe('OSS/BSS hooks', () => {
  test('a change opens a ticket (after a 503: retried, one ticket), notes it, mails the customer (after a 451: one mail) and closes it', async () => {
    const sub = await subscription('Node oss-r1 (router, ams)')
    ticketing.failNext(1)
    mail.refuseNext(1)
    const id = await start(hooked, 'oss_change', { subscription_id: sub, summary: 'Move the uplink' })
    const done = await hooked.api.waitForProcess(id, ended, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))

    // The ticket system: one ticket, opened on the second try of the same delivery, every delivery signed.
    const deliveries = deliveriesOf(id)
    assert.ok(deliveries.every((d) => d.signature_ok), 'every delivery carries a valid X-Loom-Signature')
    assert.deepEqual(deliveries.map((d) => [d.body.event, d.status, d.delivery_id]), [
      ['open', 503, `${id}:open_change_ticket`],
      ['open', 201, `${id}:open_change_ticket`],
      ['update', 200, `${id}:note_change`],
      ['close', 200, `${id}:close_change_ticket`],
    ])
    const mine = [...ticketing.tickets.values()].filter((t) => t.events[0].process_id === id)
    assert.equal(mine.length, 1, 'one ticket')
    const [ticket] = mine
    assert.deepEqual(ticket.events.map((e) => [e.event, e.ticket_id, e.summary, e.outcome]), [
      ['open', undefined, 'Move the uplink', undefined],
      ['update', ticket.id, 'Move the uplink: done', undefined],
      ['close', ticket.id, 'Completed', 'completed'],
    ])
    for (const e of ticket.events) {
      assert.deepEqual([e.process_id, e.workflow, e.subscription_id, e.link], [id, 'oss_change', sub, `${hooked.gateway.url}/api/processes/${id}`])
    }
    assert.equal(step(done, 'open_change_ticket').attempts, 2)
    assert.deepEqual(step(done, 'close_change_ticket').state_delta, { change_ticket: { status: 'closed', ticket_id: ticket.id, outcome: 'completed' } })

    // The mail: once, to the customer's contact address, from the template, logged in at the relay.
    const mails = mailsOf(id)
    assert.deepEqual(mails.map((m) => m.accepted), [false, true], 'the relay refused the first try (451); the retry was taken')
    const messageId = `<${id}.send_confirmation_email@oss.test>`
    assert.deepEqual(mails.map((m) => m.message_id), [messageId, messageId], 'both tries carry the same Message-ID')
    const [, sent] = mails
    assert.deepEqual(sent.to, ['noc@globex.example'])
    assert.equal(sent.from, '"Loom" <loom@oss.test>')
    assert.equal(sent.subject, 'Change done for Globex Networks: Move the uplink')
    assert.equal(
      sent.text.trim(),
      [
        'Dear Globex Networks,',
        '',
        'Move the uplink on Node oss-r1 (router, ams) is done (changed: true).',
        '',
        `Follow it at ${hooked.gateway.url}/api/processes/${id}`,
        `Subscription ${sub}, process ${id} (oss_change).`,
      ].join('\n'),
    )
    const logged = step(done, 'send_confirmation_email')
    assert.equal(logged.status, 'success')
    assert.equal(logged.attempts, 2)
    assert.deepEqual(logged.state_delta, { send_confirmation_email: { status: 'sent', channel: 'smtp', message_id: messageId, to: ['noc@globex.example'], subject: sent.subject } })
  })

  test('a retried step sends nothing again; only a resend after a crash between send and log repeats it, with the same Message-ID', async () => {
    const sub = await subscription('Node oss-r2 (router, ams)')
    const id = await start(hooked, 'oss_change', { subscription_id: sub, summary: 'Swap the optics', to: ['ops@globex.example', 'customer'] })
    const done = await hooked.api.waitForProcess(id, ended, 60_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    assert.deepEqual(mailsOf(id).map((m) => m.to), [['ops@globex.example', 'noc@globex.example']])
    const deliveries = deliveriesOf(id).length

    // The same activity again, as Temporal would run it after a lost answer: the log says it is done.
    const notifications = hooked.worker.app.get(NotificationActivities)
    const again = { process_id: id, step: 'send_confirmation_email', started_at: new Date().toISOString(), template: 'oss_change', to: ['customer'], subscription_id: sub, data: { summary: 'Swap the optics', changed: true } }
    const repeated = await notifications.sendNotification(again)
    assert.deepEqual(repeated, (step(done, 'send_confirmation_email').state_delta as Record<string, unknown>).send_confirmation_email, 'the stored result, nothing sent')
    assert.equal(mailsOf(id).length, 1)
    const tickets = hooked.worker.app.get(ChangeTicketActivities)
    const reopened = await tickets.openChangeTicket({ process_id: id, step: 'open_change_ticket', started_at: new Date().toISOString(), subscription_id: sub, summary: 'Swap the optics' })
    assert.equal(reopened.ticket_id, (step(done, 'close_change_ticket').state_delta as { change_ticket: { ticket_id: string } }).change_ticket.ticket_id)
    assert.equal(deliveriesOf(id).length, deliveries, 'no delivery for a step already done')

    // A worker that died after the relay took the mail and before the log recorded it: the retry mails again,
    // with the same Message-ID, on which receivers dedupe (at-least-once, docs/oss-bss.md).
    await prisma.processStep.delete({ where: { processId_name: { processId: id, name: 'send_confirmation_email' } } })
    await notifications.sendNotification(again)
    const both = mailsOf(id)
    assert.equal(both.length, 2)
    assert.equal(both[1].message_id, both[0].message_id)
  })

  test('an abort closes the open ticket as cancelled, and mails nobody', async () => {
    const sub = await subscription('Node oss-r3 (router, ams)')
    const id = await start(hooked, 'oss_change', { subscription_id: sub, summary: 'Re-home the circuit', hold: true })
    await hooked.api.waitForProcess(id, (p) => p.status === 'waiting')
    const aborted = await hooked.api.call<ProcessDto>('PUT', `/api/processes/${id}/abort`, { reason: 'window closed' }, as('olivia'))
    assert.equal(aborted.status, 200)
    const done = await hooked.api.waitForProcess(id, ended)
    assert.equal(done.status, 'aborted')
    assert.equal(step(done, 'undo_open_change_ticket').status, 'success')
    const [ticket] = [...ticketing.tickets.values()].filter((t) => t.events[0].process_id === id)
    assert.deepEqual(ticket.events.map((e) => [e.event, e.outcome ?? null, e.summary]), [
      ['open', null, 'Re-home the circuit'],
      ['close', 'cancelled', 'Cancelled: Re-home the circuit'],
    ])
    assert.equal(deliveriesOf(id).at(-1)!.delivery_id, `${id}:undo_open_change_ticket`)
    assert.deepEqual(mailsOf(id), [])
  })

  test('a 4xx from the ticket system is a named failure, not retried: the process is suspended at the step', async () => {
    const sub = await subscription('Node oss-r4 (router, ams)')
    const id = await start(hooked, 'oss_change', { subscription_id: sub, summary: 'please reject this' })
    const suspended = await hooked.api.waitForProcess(id, (p) => p.status === 'suspended')
    const failed = step(suspended, 'open_change_ticket')
    assert.equal(failed.status, 'failed')
    assert.equal((failed.error as { type: string }).type, 'TicketRejected')
    assert.match((failed.error as { message: string }).message, /the ticket system \(http:\/\/127\.0\.0\.1:\d+\) refused delivery .* with 422: .*refused by the change policy/)
    assert.equal(deliveriesOf(id).length, 1, 'a refusal is not retried')
    await hooked.api.call('PUT', `/api/processes/${id}/abort`, {}, as('olivia'))
    const done = await hooked.api.waitForProcess(id, ended)
    assert.equal(done.status, 'aborted')
    assert.equal(done.steps.some((s) => s.name === 'undo_open_change_ticket' && s.status !== 'pending'), false, 'no ticket was opened: nothing to cancel')
  })

  test('a bad template is a named error; a missing one too, and once it is written a retry sends the mail', async () => {
    const broken = await start(hooked, 'oss_broken_template', { subscription_id: await subscription('Node oss-r5 (router, ams)') })
    const b = await hooked.api.waitForProcess(broken, (p) => p.status === 'suspended')
    assert.deepEqual(step(b, 'send_confirmation_email').error, {
      type: 'TemplateError',
      message: 'notification template oss_broken.txt uses {{ticket_number}}, which the step does not provide (it provides customer_id, customer_name, process_id, process_url, step, subscription_description, subscription_id, summary, workflow)',
    })
    assert.equal(step(b, 'send_confirmation_email').attempts, 1, 'not retried')

    const missing = await start(hooked, 'oss_missing_template', { subscription_id: await subscription('Node oss-r6 (router, ams)') })
    const m = await hooked.api.waitForProcess(missing, (p) => p.status === 'suspended')
    assert.deepEqual(step(m, 'send_confirmation_email').error, { type: 'TemplateError', message: `no notification template oss_missing_template.txt in ${templates}` })
    assert.deepEqual([...mailsOf(broken), ...mailsOf(missing)], [])

    writeFileSync(join(templates, 'oss_missing_template.txt'), 'Subject: Hello {{customer_name}}\n\nAll done: {{process_url}}\n')
    assert.equal((await hooked.api.call('PUT', `/api/processes/${missing}/resume`, {}, as('olivia'))).status, 200)
    const done = await hooked.api.waitForProcess(missing, ended)
    assert.equal(done.status, 'completed')
    assert.deepEqual(mailsOf(missing).map((x) => [x.subject, x.text.trim()]), [['Hello Globex Networks', `All done: ${hooked.gateway.url}/api/processes/${missing}`]])
    await hooked.api.call('PUT', `/api/processes/${broken}/abort`, {}, as('olivia'))
  })

  test('with no SMTP relay and no ticket system the hooks are logged skipped, with the reason, and the process completes', async () => {
    const sub = await subscription('Node oss-r7 (router, ams)')
    const before = { mails: mail.received.length, deliveries: ticketing.deliveries.length }
    const id = await start(bare, 'oss_change', { subscription_id: sub, summary: 'Demo change' })
    const done = await bare.api.waitForProcess(id, ended)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    for (const name of ['open_change_ticket', 'note_change', 'close_change_ticket']) {
      assert.equal(step(done, name).status, 'skipped', name)
      assert.match((step(done, name).state_delta as { reason: string }).reason, /LOOM_TICKET_WEBHOOK_URL|no change ticket was opened/, name)
    }
    const notification = step(done, 'send_confirmation_email')
    assert.equal(notification.status, 'skipped')
    assert.deepEqual(notification.state_delta, {
      send_confirmation_email: { status: 'skipped', reason: 'no notification channel is configured (LOOM_SMTP_URL or LOOM_NOTIFY_WEBHOOK_URL)', subject: 'Change done for Globex Networks: Demo change' },
      reason: 'no notification channel is configured (LOOM_SMTP_URL or LOOM_NOTIFY_WEBHOOK_URL)',
    })
    assert.equal(step(done, 'make_change').status, 'success')
    assert.deepEqual([mail.received.length, ticketing.deliveries.length], [before.mails, before.deliveries])
  })

  test('the notification webhook: a signed POST whose delivery id is the Message-ID', async () => {
    const notifier = new WebhookNotifier({ url: ticketing.notifyUrl, secret: 'env:LOOM_TEST_TICKET_SECRET' })
    const message = { message_id: '<p1.notify@loom.test>', to: ['noc@globex.example'], subject: 'Hi', body: 'Done.\n', process_id: 'p1', workflow: 'oss_change', step: 'notify', template: 'oss_change' }
    assert.deepEqual(await notifier.send(message), { accepted: ['noc@globex.example'], response: 'delivered' })
    const [delivery] = ticketing.deliveries.filter((d) => d.path === '/notify')
    assert.equal(delivery.signature_ok, true)
    assert.equal(delivery.delivery_id, '<p1.notify@loom.test>')
    assert.deepEqual(delivery.body, { event: 'notification', ...message })
  })
})
