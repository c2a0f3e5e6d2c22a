import { Inject, Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import { CUSTOMERS, type Customer, type CustomerSource } from '#integrations/customers/customers.js'
import { messageIdOf, NOTIFICATION_TEMPLATES, NOTIFIER, type Notifier } from '#integrations/notifications/notifier.js'
import { renderTemplate, type TemplateFields } from '#integrations/notifications/templates.js'
import { PrismaService } from '#persistence/index.js'
import { PUBLIC_URL } from '../processes/process.activities.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'
import { hookCall } from './hook-failure.js'
import { processFacts } from './process-facts.js'

/** `customer`: the contact address of the subscription's customer (from the customer source); else an address. */
export type Recipient = 'customer' | (string & {})

export type TemplateValue = string | number | boolean | null

export interface NotificationRequest extends StepContext {
  /** the template's name; null: the workflow's name */
  template: string | null
  to: Recipient[]
  subscription_id: string
  /** the fields the template may use besides the built-in ones */
  data: Record<string, TemplateValue>
}

export type NotificationResult =
  | { status: 'sent'; channel: 'smtp' | 'webhook'; message_id: string; to: string[]; subject: string }
  | { status: 'skipped'; reason: string; subject: string }

const NOT_CONFIGURED = 'no notification channel is configured (LOOM_SMTP_URL or LOOM_NOTIFY_WEBHOOK_URL)'

/**
 * The notification step (libs/workflows/src/shared/oss-steps.ts): renders the template with the process's facts
 * and the step's data, and sends it by the configured channel — or, with none, is skipped saying so.
 *
 * Delivery is once per (process, step) as far as Loom can know: a step already logged done returns what it sent
 * and sends nothing. Only a worker that dies after the relay took the message and before the log recorded it
 * sends again on the retry — with the same Message-ID (`<process.step@domain>`), on which receivers and relays
 * dedupe. So: at-least-once, with a stable Message-ID.
 */
@Injectable()
export class NotificationActivities {
  constructor(
    private readonly steps: StepLog,
    private readonly prisma: PrismaService,
    @Inject(NOTIFIER) private readonly notifier: Notifier | null,
    @Inject(NOTIFICATION_TEMPLATES) private readonly templates: string,
    @Inject(CUSTOMERS) private readonly customers: CustomerSource,
    @Inject(PUBLIC_URL) private readonly publicUrl: string,
  ) {}

  async sendNotification(input: NotificationRequest): Promise<NotificationResult> {
    return this.steps.onceOutside<NotificationResult>(input, () =>
      hookCall(async () => {
        const { workflow, link } = await processFacts(this.prisma, this.publicUrl, input.process_id)
        const subscription = await this.prisma.subscription.findUnique({ where: { id: input.subscription_id }, select: { customerId: true, description: true } })
        const customerId = subscription?.customerId ?? null
        const customer = customerId ? await this.customers.customer(customerId) : null
        const template = input.template ?? workflow
        const fields: TemplateFields = {
          process_id: input.process_id,
          workflow,
          step: input.step,
          subscription_id: input.subscription_id,
          subscription_description: subscription?.description ?? '',
          customer_id: customerId ?? '',
          customer_name: customer?.name ?? customerId ?? '',
          process_url: link,
          ...Object.fromEntries(Object.entries(input.data).map(([k, v]) => [k, v === null ? '' : String(v)])),
        }
        const { subject, body } = renderTemplate(this.templates, template, fields)
        if (!this.notifier) {
          const result: NotificationResult = { status: 'skipped', reason: NOT_CONFIGURED, subject }
          return { result, state_delta: { notification: result } }
        }
        const to = [...new Set(input.to.map((r) => (r === 'customer' ? contactOf(customer, customerId, input.subscription_id) : r)))]
        const message_id = messageIdOf(input.process_id, input.step, this.notifier.domain)
        const delivered = await this.notifier.send({ message_id, to, subject, body, process_id: input.process_id, workflow, step: input.step, template })
        const result: NotificationResult = { status: 'sent', channel: this.notifier.channel, message_id, to: delivered.accepted, subject }
        return { result, state_delta: { notification: { ...result, response: delivered.response } } }
      }),
    )
  }
}

function contactOf(customer: Customer | null, customerId: string | null, subscription: string): string {
  if (!customerId) throw ApplicationFailure.nonRetryable(`the notification is for the customer of subscription ${subscription}, which does not exist`, 'NoRecipient')
  if (!customer) throw ApplicationFailure.nonRetryable(`the notification is for customer ${customerId}, whom the customer source does not know; add the customer (POST /api/customers), then retry`, 'NoRecipient')
  if (!customer.contact_email) {
    throw ApplicationFailure.nonRetryable(`customer ${customerId} has no contact_email to send the notification to; set it (PATCH /api/customers/${customerId}), then retry`, 'NoRecipient')
  }
  return customer.contact_email
}
