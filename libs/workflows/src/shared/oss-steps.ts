// OSS/BSS hooks as ordinary steps any declaration adds with one call each (docs/oss-bss.md):
//
//   processFlow<Input, MyActivities & OssActivities>()
//     .pipe(openChangeTicket({ summary: (s) => `Terminate circuit ${s.subscription_id}` }))
//     …
//     .pipe(notify('send_confirmation_email', { data: (s) => ({ released: s.released.join(', ') }) }))
//     .pipe(closeChangeTicket())
//
// Each builder adds one `step` (or, for the ticket's open, a step with its compensation): it is logged, retried,
// suspended and compensated like any other. The types check that the flow's activities include the hook's and
// that its state has what the hook reads (an update or close needs the open's `change_ticket`); the builders'
// callbacks see the flow's state. A hook that is not configured is logged `skipped` with the reason, and the
// process goes on.
import type { ChangeTicket, ChangeTicketActivities, TicketOutcome } from '#activities/oss/change-ticket.activities.js'
import type { NotificationActivities, NotificationResult, Recipient, TemplateValue } from '#activities/oss/notification.activities.js'
import { patched } from '@temporalio/workflow'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { type Flow, type Merge, skipped, type StepActivityOptions } from '../engine/declaration.js'

export type { ChangeTicket, NotificationResult, Recipient }
export type NotifyActivities = Pick<ActivityInterface<NotificationActivities>, 'sendNotification'>
export type ChangeTicketStepActivities = Pick<ActivityInterface<ChangeTicketActivities>, 'openChangeTicket' | 'updateChangeTicket' | 'closeChangeTicket'>
/** What a flow's activities must include to use every hook. */
export type OssActivities = NotifyActivities & ChangeTicketStepActivities

/** Every process state has the subscription the process is for. */
interface ProcessState {
  subscription_id: string
}

/**
 * Hooks talk to other organisations' systems: a slow answer is retried with backoff for a few minutes (5xx,
 * timeouts), then the process is suspended; a refusal (4xx) suspends it at once.
 */
export const HOOK_ACTIVITY_OPTIONS: StepActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
}

/**
 * Hooks added to a workflow that processes may be running name the change (`since`, a patch id): a process whose
 * history was made before it skips the hook where replaying its history reaches it (logged skipped, no command, so
 * its history still replays); from there on, and in every process started since, the hook runs.
 */
interface Since {
  since?: string
}

const BEFORE_THE_HOOK = 'the process started before this step was added to its workflow'
const addedLater = (options: Since) => options.since !== undefined && !patched(options.since)

export interface NotifyOptions<S> extends Since {
  label?: string
  /** the template (`<template>.txt` in the templates folder); default: the workflow's name */
  template?: string
  /** who gets it: `customer` (the contact address of the subscription's customer; the default) and/or addresses */
  to?: (state: S) => Recipient | Recipient[]
  /** fields for the template, beside process_id, workflow, step, subscription_id, subscription_description, customer_id, customer_name, process_url */
  data?: (state: S) => Record<string, TemplateValue>
}

/** A notification step: the template filled from the process and `data`, mailed (or POSTed) once; its result is added under `name`. */
export function notify<S extends ProcessState, A extends NotifyActivities, K extends string>(name: K, options: NotifyOptions<S> = {}) {
  const to = (s: S): Recipient[] => {
    const given = options.to?.(s) ?? 'customer'
    return Array.isArray(given) ? given : [given]
  }
  const label = options.label ?? `Notify ${options.to ? 'the recipients' : 'the customer'}${options.template ? ` (template ${options.template})` : ''}`
  return (flow: Flow<S, A>): Flow<Merge<S, Record<K, NotificationResult>>, A> =>
    flow.step(
      name,
      label,
      async (s, { act, step }) => {
        if (addedLater(options)) return skipped(BEFORE_THE_HOOK, { [name]: { status: 'skipped', reason: BEFORE_THE_HOOK, subject: '' } } as Record<K, NotificationResult>)
        const result = await act.sendNotification({ ...step, template: options.template ?? null, to: to(s), subscription_id: s.subscription_id, data: options.data?.(s) ?? {} })
        const delta = { [name]: result } as Record<K, NotificationResult>
        return result.status === 'skipped' ? skipped(result.reason, delta) : delta
      },
      { activity: HOOK_ACTIVITY_OPTIONS },
    )
}

interface TicketOptions<S> extends Since {
  /** the step's name (default open_change_ticket, close_change_ticket) */
  name?: string
  label?: string
  /** what the ticket says about the change at this point */
  summary: (state: S) => string
}

type WithTicket = { change_ticket: ChangeTicket }

const ticketDelta = (ticket: ChangeTicket): WithTicket => (ticket.status === 'skipped' ? skipped(ticket.reason, { change_ticket: ticket }) : { change_ticket: ticket })
const notAdded = (): WithTicket => ticketDelta({ status: 'skipped', ticket_id: null, reason: BEFORE_THE_HOOK })

/**
 * Opens the process's change ticket (before it changes anything); the ticket goes into the state as
 * `change_ticket`. Its compensation closes the ticket as `cancelled` when the process is aborted or fails before its
 * point of no return (an irreversible step).
 */
export function openChangeTicket<S extends ProcessState, A extends ChangeTicketStepActivities>(options: TicketOptions<S>) {
  return (flow: Flow<S, A>): Flow<Merge<S, WithTicket>, A> =>
    flow.step(
      options.name ?? 'open_change_ticket',
      options.label ?? 'Open a change ticket in the ticket system',
      async (s, { act, step }) => (addedLater(options) ? notAdded() : ticketDelta(await act.openChangeTicket({ ...step, subscription_id: s.subscription_id, summary: options.summary(s) }))),
      {
        activity: HOOK_ACTIVITY_OPTIONS,
        compensate: {
          label: 'Close the change ticket as cancelled',
          run: (s, { act, step }) =>
            act.closeChangeTicket({ ...step, ticket: s.change_ticket, subscription_id: s.subscription_id, summary: `Cancelled: ${options.summary(s as unknown as S)}`, outcome: 'cancelled' }),
        },
      },
    )
}

/** Adds a note to the change ticket (e.g. who approved, what was reserved); `name` is the step's. */
export function updateChangeTicket<S extends ProcessState & WithTicket, A extends ChangeTicketStepActivities>(options: TicketOptions<S> & { name: string }) {
  return (flow: Flow<S, A>): Flow<Merge<S, WithTicket>, A> =>
    flow.step(
      options.name,
      options.label ?? 'Update the change ticket',
      async (s, { act, step }) =>
        addedLater(options) ? notAdded() : ticketDelta(await act.updateChangeTicket({ ...step, ticket: s.change_ticket, subscription_id: s.subscription_id, summary: options.summary(s) })),
      { activity: HOOK_ACTIVITY_OPTIONS },
    )
}

/** Closes the change ticket at the end of the process (`completed`, unless `outcome` says otherwise). */
export function closeChangeTicket<S extends ProcessState & WithTicket, A extends ChangeTicketStepActivities>(options: Partial<TicketOptions<S>> & { outcome?: TicketOutcome } = {}) {
  return (flow: Flow<S, A>): Flow<Merge<S, WithTicket>, A> =>
    flow.step(
      options.name ?? 'close_change_ticket',
      options.label ?? 'Close the change ticket',
      async (s, { act, step }) => {
        if (addedLater(options)) return notAdded()
        const summary = options.summary?.(s) ?? 'Completed'
        return ticketDelta(await act.closeChangeTicket({ ...step, ticket: s.change_ticket, subscription_id: s.subscription_id, summary, outcome: options.outcome ?? 'completed' }))
      },
      { activity: HOOK_ACTIVITY_OPTIONS },
    )
}
