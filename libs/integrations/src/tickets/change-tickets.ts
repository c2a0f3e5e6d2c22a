// The change-ticket system, over the signed webhook contract of docs/oss-bss.md: a process opens a ticket before
// it changes anything, updates it on the way and closes it at the end, or as cancelled when it is aborted.
import { HookError } from '../hooks/hook-error.js'
import { resolveSecret } from '../hooks/secrets.js'
import { deliver } from '../hooks/signed-webhook.js'

export type TicketOutcome = 'completed' | 'cancelled'

/** The JSON body of a delivery (docs/oss-bss.md, "Change tickets"). */
export interface TicketEvent {
  event: 'open' | 'update' | 'close'
  /** absent on open: the ticket system answers with it */
  ticket_id?: string
  process_id: string
  workflow: string
  subscription_id: string
  summary: string
  /** where people follow the process */
  link: string
  /** on close */
  outcome?: TicketOutcome
}

export interface ChangeTickets {
  readonly url: string
  /** one delivery; on open, resolves with the ticket the system made (or already had for this delivery id) */
  send(event: TicketEvent, delivery_id: string): Promise<{ ticket_id: string | null }>
}

/** The configured ticket system, or null when LOOM_TICKET_WEBHOOK_URL is unset. */
export const CHANGE_TICKETS = Symbol('CHANGE_TICKETS')

export class WebhookChangeTickets implements ChangeTickets {
  constructor(private readonly settings: { url: string; secret: string }) {}

  get url(): string {
    return this.settings.url
  }

  async send(event: TicketEvent, delivery_id: string): Promise<{ ticket_id: string | null }> {
    const answer = await deliver({
      url: this.settings.url,
      secret: resolveSecret(this.settings.secret, 'LOOM_TICKET_WEBHOOK_SECRET'),
      delivery_id,
      body: { ...event },
      receiver: 'the ticket system',
      refused_type: 'TicketRejected',
    })
    const ticket = (answer as { ticket_id?: unknown } | null)?.ticket_id
    if (event.event !== 'open') return { ticket_id: typeof ticket === 'string' ? ticket : (event.ticket_id ?? null) }
    if (typeof ticket !== 'string' || !ticket.trim()) {
      throw new HookError('TicketContractViolation', `the ticket system (${this.settings.url}) answered the open delivery ${delivery_id} without a ticket_id (expected {"ticket_id": "…"})`, false)
    }
    return { ticket_id: ticket }
  }
}
