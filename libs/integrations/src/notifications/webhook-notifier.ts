import { deliver } from '../hooks/signed-webhook.js'
import { resolveSecret } from '../hooks/secrets.js'
import type { Delivered, Notifier, OutgoingMessage } from './notifier.js'

/**
 * Notifications as a signed webhook (docs/oss-bss.md): POST {event: "notification", message_id, to, subject,
 * body, …} with X-Loom-Delivery = the message id, signed when LOOM_NOTIFY_WEBHOOK_SECRET is set.
 */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook'
  readonly domain: string

  constructor(private readonly settings: { url: string; secret: string | undefined }) {
    this.domain = new URL(settings.url).hostname || 'loom.invalid'
  }

  async send(m: OutgoingMessage): Promise<Delivered> {
    const secret = this.settings.secret ? resolveSecret(this.settings.secret, 'LOOM_NOTIFY_WEBHOOK_SECRET') : undefined
    await deliver({
      url: this.settings.url,
      secret,
      delivery_id: m.message_id,
      body: { event: 'notification', ...m },
      receiver: 'the notification webhook',
      refused_type: 'NotificationRejected',
    })
    return { accepted: m.to, response: 'delivered' }
  }
}
