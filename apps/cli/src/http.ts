// How every command calls the Loom API: the base URL and tenant from the global options, the key from
// credentials.ts, a 429 waited out as Retry-After asks, and the ways a call ends the command (exit 1 with the problem).
import { adminKeyFile, apiKey } from './credentials.js'
import { EXIT, problemText, usage } from './output.js'

export interface ApiTarget {
  /** the API base URL */
  base: string
  /** the tenant every request acts in (`-t/--project_id`), sent as X-Loom-Tenant */
  tenant?: string
}

/** A 429 is sent again at most this many times, each after at most MAX_WAIT_S. */
const MAX_RETRIES = 5
const MAX_WAIT_S = 60

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Seconds a 429 asks to wait: Retry-After in seconds or as an HTTP date; 1 when it says nothing usable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === '') return 1
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - now) / 1000
  if (!Number.isFinite(seconds)) return 1
  return Math.min(MAX_WAIT_S, Math.max(0, Math.ceil(seconds)))
}

export class Api {
  constructor(private readonly target: () => ApiTarget) {}

  get base(): string {
    return this.target().base
  }

  /** The key to send; without one, the command ends (usage) saying where it looked. */
  key(): { key: string; from: string } {
    const found = apiKey()
    if (!found) usage(`no API key: set LOOM_API_KEY, or run where \`npm start\` wrote ${adminKeyFile()}`)
    return found
  }

  /** The headers every call sends: the key and the tenant. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const { tenant } = this.target()
    return { authorization: `Bearer ${this.key().key}`, ...(tenant ? { 'x-loom-tenant': tenant } : {}), ...extra }
  }

  url(path: string): URL {
    return new URL(path, this.base)
  }

  /**
   * Calls the API. An API that cannot be reached, or refuses the key, ends the command (exit 1). A 429 is sent
   * again after the wait its Retry-After asks (the rate limit is per minute and per caller), up to 5 times.
   */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    for (let retry = 0; ; retry++) {
      const res = await fetch(this.url(path), {
        method,
        headers: this.headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }),
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch((e: Error) => {
        console.error(`cannot reach ${this.base}: ${e.message}`)
        process.exit(EXIT.error)
      })
      if (res.status === 401) {
        const problem = (await res.json().catch(() => ({}))) as { detail?: string }
        console.error(`the API refused the key from ${apiKey()?.from}: ${problem.detail ?? res.statusText}`)
        process.exit(EXIT.error)
      }
      if (res.status !== 429 || retry === MAX_RETRIES) return res
      const wait = retryAfterSeconds(res.headers.get('retry-after'))
      await res.body?.cancel()
      console.error(`${method} ${path}: 429 too many requests; trying again in ${wait} s (Retry-After), ${retry + 1} of ${MAX_RETRIES}`)
      await sleep(wait * 1000)
    }
  }

  get(path: string, headers?: Record<string, string>): Promise<Response> {
    return this.request('GET', path, undefined, headers)
  }

  /** The body of an answer the command expects to be 2xx; else the problem on stderr, and exit 1. */
  async expectOk<T>(res: Response, what: string): Promise<T> {
    const text = await res.text()
    let body: unknown
    try {
      body = text ? JSON.parse(text) : null
    } catch {
      body = { detail: text.slice(0, 200) }
    }
    if (!res.ok) {
      console.error(problemText(what, res.status, body))
      process.exit(EXIT.error)
    }
    return body as T
  }

  /** GET a path and expect a 2xx body. */
  async getOk<T>(path: string, what: string): Promise<T> {
    return this.expectOk<T>(await this.get(path), what)
  }

  /** Every item of a list (DESIGN.md, Lists: `{items, total, next_cursor}`), page after page. */
  async getAll<T>(path: string, what = path): Promise<T[]> {
    const items: T[] = []
    let cursor: string | null = null
    do {
      const page: { items: T[]; next_cursor: string | null } = await this.getOk(`${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, what)
      items.push(...page.items)
      cursor = page.next_cursor
    } while (cursor)
    return items
  }
}

/** `?status=waiting&workflow=create_node` from the options given (the others left out). */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const text = q.toString()
  return text ? `?${text}` : ''
}
