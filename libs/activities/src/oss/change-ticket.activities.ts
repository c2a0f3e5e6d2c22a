import { Inject, Injectable } from '@nestjs/common'
import { CHANGE_TICKETS, type ChangeTickets, type TicketEvent, type TicketOutcome } from '#integrations/tickets/change-tickets.js'

export type { TicketOutcome }
import { PrismaService } from '#persistence/index.js'
import { PUBLIC_URL } from '../processes/process.activities.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'
import { hookCall } from './hook-failure.js'
import { processFacts } from './process-facts.js'

/** A process's change ticket as the state carries it: its id, or why there is none. */
export type ChangeTicket = { status: 'open' | 'updated' | 'closed'; ticket_id: string; outcome?: TicketOutcome } | { status: 'skipped'; ticket_id: null; reason: string }

interface TicketRequest extends StepContext {
  subscription_id: string
  summary: string
}

const NOT_CONFIGURED = 'no ticket system is configured (LOOM_TICKET_WEBHOOK_URL)'
const NONE_OPENED = 'no change ticket was opened for this process'

/**
 * The change-ticket steps (libs/workflows/src/shared/oss-steps.ts), over the signed webhook of docs/oss-bss.md.
 * Each delivery's X-Loom-Delivery is `<process id>:<step>`, the same on every retry; a step already logged done
 * delivers nothing again. A worker that dies between the ticket system's answer and the log's record delivers
 * again on the retry with the same delivery id, which the contract obliges the ticket system to recognise (an open
 * answers the ticket it made the first time). 5xx and timeouts are retried by the step's policy; a 4xx fails the
 * step (`TicketRejected`), suspending the process.
 */
@Injectable()
export class ChangeTicketActivities {
  constructor(
    private readonly steps: StepLog,
    private readonly prisma: PrismaService,
    @Inject(CHANGE_TICKETS) private readonly tickets: ChangeTickets | null,
    @Inject(PUBLIC_URL) private readonly publicUrl: string,
  ) {}

  async openChangeTicket(input: TicketRequest): Promise<ChangeTicket> {
    return this.deliver(input, null, (facts) => ({ event: 'open', ...facts }), (ticket_id) => ({ status: 'open', ticket_id }))
  }

  async updateChangeTicket(input: TicketRequest & { ticket: ChangeTicket }): Promise<ChangeTicket> {
    return this.deliver(input, input.ticket, (facts, ticket_id) => ({ event: 'update', ticket_id, ...facts }), (ticket_id) => ({ status: 'updated', ticket_id }))
  }

  /** `completed` at the end of a process; `cancelled` from the compensation of the open step (an abort). */
  async closeChangeTicket(input: TicketRequest & { ticket: ChangeTicket; outcome: TicketOutcome }): Promise<ChangeTicket> {
    return this.deliver(
      input,
      input.ticket,
      (facts, ticket_id) => ({ event: 'close', ticket_id, ...facts, outcome: input.outcome }),
      (ticket_id) => ({ status: 'closed', ticket_id, outcome: input.outcome }),
    )
  }

  private readonly deliver = (
    input: TicketRequest,
    ticket: ChangeTicket | null,
    event: (facts: Omit<TicketEvent, 'event' | 'ticket_id' | 'outcome'>, ticket_id: string) => TicketEvent,
    after: (ticket_id: string) => ChangeTicket,
  ): Promise<ChangeTicket> =>
    this.steps.onceOutside(input, () =>
      hookCall(async () => {
        const skip = !this.tickets ? NOT_CONFIGURED : ticket && ticket.ticket_id === null ? NONE_OPENED : null
        if (skip || !this.tickets) {
          const result: ChangeTicket = { status: 'skipped', ticket_id: null, reason: skip ?? NOT_CONFIGURED }
          return { result, state_delta: { change_ticket: result } }
        }
        const { workflow, link } = await processFacts(this.prisma, this.publicUrl, input.process_id)
        const body = event({ process_id: input.process_id, workflow, subscription_id: input.subscription_id, summary: input.summary, link }, ticket?.ticket_id ?? '')
        if (body.event === 'open') delete body.ticket_id
        const answered = await this.tickets.send(body, `${input.process_id}:${input.step}`)
        const result = after(answered.ticket_id ?? ticket?.ticket_id ?? '')
        return { result, state_delta: { change_ticket: result } }
      }),
    )
}
