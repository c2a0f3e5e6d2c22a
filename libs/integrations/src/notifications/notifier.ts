// Where a notification goes: e-mail through an SMTP relay (LOOM_SMTP_URL), or a signed webhook
// (LOOM_NOTIFY_WEBHOOK_URL); neither configured, notification steps are logged skipped.

export interface OutgoingMessage {
  /** stable for (process, step): a resend after a crash carries the same one, so the receiver can drop it */
  message_id: string
  to: string[]
  subject: string
  body: string
  process_id: string
  workflow: string
  step: string
  template: string
}

export interface Delivered {
  /** the addresses the relay accepted (all of `to` for a webhook) */
  accepted: string[]
  /** the relay's answer, e.g. "250 OK: queued as …" */
  response: string
}

export interface Notifier {
  readonly channel: 'smtp' | 'webhook'
  /** the right-hand side of Message-IDs: the sender's domain */
  readonly domain: string
  send(message: OutgoingMessage): Promise<Delivered>
}

/** The configured notifier, or null when no channel is configured. */
export const NOTIFIER = Symbol('NOTIFIER')
/** The folder notification templates are read from. */
export const NOTIFICATION_TEMPLATES = Symbol('NOTIFICATION_TEMPLATES')

/** RFC 5322 Message-ID of the notification a step sends: the same on every attempt of that step. */
export function messageIdOf(process_id: string, step: string, domain: string): string {
  return `<${process_id}.${step}@${domain}>`
}
