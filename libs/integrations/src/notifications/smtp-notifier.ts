import type * as Nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import { HookError } from '../hooks/hook-error.js'
import { resolveSecret } from '../hooks/secrets.js'
import type { Delivered, Notifier, OutgoingMessage } from './notifier.js'

export interface SmtpSettings {
  /** smtp://host:port (STARTTLS when offered) or smtps://host:port (TLS from the start) */
  url: string
  from: string
  username: string | undefined
  /** a reference (env:NAME or file:/path) to the password */
  credentials: string | undefined
}

/**
 * Mails through the configured relay with nodemailer, one connection per message (the password is read from
 * its reference at each send, so a rotated secret is picked up). A 5xx from the relay is a refusal
 * (`MailRejected`, not retried); a 4xx or a relay that does not answer is retried by the activity's policy.
 */
export class SmtpNotifier implements Notifier {
  readonly channel = 'smtp'
  readonly domain: string

  constructor(private readonly settings: SmtpSettings) {
    const address = /<([^>]+)>/.exec(settings.from)?.[1] ?? settings.from
    this.domain = address.split('@')[1] ?? 'loom.invalid'
  }

  async send(m: OutgoingMessage): Promise<Delivered> {
    const url = new URL(this.settings.url)
    const secure = url.protocol === 'smtps:'
    const options: SMTPTransport.Options = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : secure ? 465 : 25,
      secure,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      ...(this.settings.username
        ? { auth: { user: this.settings.username, pass: this.settings.credentials ? resolveSecret(this.settings.credentials, 'LOOM_SMTP_CREDENTIALS') : '' } }
        : {}),
    }
    // Loaded at the first mail: ~0.1 s that the gateway and the worker would otherwise spend at every start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const transport = (require('nodemailer') as typeof Nodemailer).createTransport(options)
    try {
      const info = await transport.sendMail({
        from: this.settings.from,
        to: m.to,
        subject: m.subject,
        text: m.body,
        messageId: m.message_id,
        headers: { 'X-Loom-Process': m.process_id, 'X-Loom-Step': m.step, 'X-Loom-Workflow': m.workflow },
      })
      return { accepted: (info.accepted as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)), response: info.response }
    } catch (error) {
      const e = error as Error & { responseCode?: number; code?: string }
      const relay = `the SMTP relay ${url.host}`
      if (e.responseCode && e.responseCode >= 500) throw new HookError('MailRejected', `${relay} refused the notification ${m.message_id}: ${e.message}`, false)
      if (e.code === 'EAUTH') throw new HookError('MailRejected', `${relay} refused the login of ${this.settings.username}: ${e.message}`, false)
      throw new HookError('Unavailable', `${relay} did not take the notification ${m.message_id}: ${e.message}`, true)
    } finally {
      transport.close()
    }
  }
}
