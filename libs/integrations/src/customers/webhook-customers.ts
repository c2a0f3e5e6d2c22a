import { SourceOfTruthError } from '../errors.js'
import { originOf } from '../hooks/url-in-messages.js'
import type { Customer, CustomerSource } from './customers.js'

const TIMEOUT_MS = 5_000

/**
 * Customers from the organisation's customer system: `GET <LOOM_CUSTOMERS_URL>/<id>` answers 200 with
 * `{id, name, contact_email?, contact_name?}` or 404 (docs/oss-bss.md). Anything else is `unavailable` (a 503
 * from the API; an activity retries).
 */
export class WebhookCustomers implements CustomerSource {
  readonly kind = 'webhook'

  constructor(private readonly url: string) {}

  async customer(id: string): Promise<Customer | null> {
    const where = originOf(this.url)
    let response: Response
    try {
      response = await fetch(`${this.url}/${encodeURIComponent(id)}`, { headers: { accept: 'application/json', 'user-agent': 'loom' }, signal: AbortSignal.timeout(TIMEOUT_MS) })
    } catch (error) {
      throw new SourceOfTruthError('unavailable', `the customer system (${where}) did not answer: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`)
    }
    if (response.status === 404) return null
    if (!response.ok) throw new SourceOfTruthError('unavailable', `the customer system (${where}) answered ${response.status}`)
    const body = (await response.json().catch(() => null)) as Partial<Record<keyof Customer, unknown>> | null
    if (!body || typeof body.name !== 'string') throw new SourceOfTruthError('unavailable', `the customer system (${where}) answered without a customer name (expected {"id", "name", "contact_email"?})`)
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null)
    return { id, name: body.name, contact_email: text(body.contact_email), contact_name: text(body.contact_name) }
  }
}
