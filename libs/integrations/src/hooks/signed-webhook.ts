// One delivery of a signed webhook (docs/oss-bss.md): POST of a JSON body with
//   X-Loom-Delivery: an id the sender keeps across retries of the same delivery (the receiver dedupes on it)
//   X-Loom-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the shared secret>
// A 2xx is delivered; a 5xx, 408, 429 or no answer (10 s) is retryable; any other status is a refusal.
import { createHmac } from 'node:crypto'
import { HookError } from './hook-error.js'
import { originOf } from './url-in-messages.js'

export const DELIVERY_HEADER = 'X-Loom-Delivery'
export const SIGNATURE_HEADER = 'X-Loom-Signature'
const TIMEOUT_MS = 10_000

/** `sha256=<hex>`: what X-Loom-Signature carries for `rawBody` under `secret`. */
export function signatureOf(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`
}

export interface Delivery {
  url: string
  /** the shared secret itself (resolved from its reference by the caller, inside an activity); none: unsigned */
  secret: string | undefined
  delivery_id: string
  body: Record<string, unknown>
  /** who answers, for messages: "the ticket system" */
  receiver: string
  /** the failure type of a refusal (4xx) */
  refused_type: string
}

/** Delivers once; resolves with the answer's JSON body (null when it has none). */
export async function deliver(d: Delivery): Promise<unknown> {
  const raw = JSON.stringify(d.body)
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'loom', [DELIVERY_HEADER]: d.delivery_id }
  if (d.secret !== undefined) headers[SIGNATURE_HEADER] = signatureOf(raw, d.secret)
  const what = `${d.receiver} (${originOf(d.url)})`
  let response: Response
  try {
    response = await fetch(d.url, { method: 'POST', headers, body: raw, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message)
    throw new HookError('Unavailable', `${what} did not answer delivery ${d.delivery_id}: ${reason}`, true)
  }
  const text = await response.text().catch(() => '')
  if (response.ok) {
    if (!text.trim()) return null
    try {
      return JSON.parse(text) as unknown
    } catch {
      return null
    }
  }
  const said = text.trim() ? `: ${text.trim().slice(0, 300)}` : ''
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new HookError('Unavailable', `${what} answered ${response.status} to delivery ${d.delivery_id}${said}`, true)
  }
  throw new HookError(d.refused_type, `${what} refused delivery ${d.delivery_id} with ${response.status}${said}`, false)
}
