// NetBox's REST API: token authentication, `next`-link pagination, retries with exponential backoff for what
// may pass (network errors, 429, 5xx), and NetBox's own words for what will not (4xx).
import { setTimeout as sleep } from 'node:timers/promises'
import { SourceOfTruthError } from '../errors.js'

export interface NetboxClientOptions {
  url: string
  token: string
  /** attempts for a request that may pass on a retry (default 4) */
  attempts?: number
  /** the first backoff; it doubles each time (default 250 ms) */
  backoffMs?: number
  timeoutMs?: number
}

/** Query parameters; a list is repeated (`site=a&site=b`), which NetBox's filters read as any of them. */
export type NetboxQuery = Record<string, string | number | readonly (string | number)[] | undefined>

interface Page<T> {
  count: number
  next: string | null
  results: T[]
}

/** NetBox's error bodies: {detail} or {field: [messages]} (or a list of those for bulk requests). */
function describe(body: unknown): string {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const o = body as Record<string, unknown>
    if (typeof o.detail === 'string') return o.detail
    return Object.entries(o)
      .map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(' ') : JSON.stringify(messages)}`)
      .join('; ')
  }
  return typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body)
}

export class NetboxClient {
  private readonly base: string

  constructor(private readonly options: NetboxClientOptions) {
    this.base = options.url.replace(/\/+$/, '')
  }

  get<T>(path: string, query: NetboxQuery = {}): Promise<T> {
    return this.request<T>('GET', this.url(path, query))
  }

  /** Every result of a list, following NetBox's `next` links. */
  async list<T>(path: string, query: NetboxQuery = {}): Promise<T[]> {
    const results: T[] = []
    let next: string | null = this.url(path, { limit: 1000, ...query })
    while (next) {
      const page: Page<T> = await this.request<Page<T>>('GET', next)
      results.push(...page.results)
      next = page.next === null ? null : this.sameOrigin(page.next)
    }
    return results
  }

  /**
   * A `next` link as NetBox gives it, kept to the configured NetBox: the token goes with every request, so a link
   * elsewhere is refused. Its scheme may differ (a NetBox behind a TLS proxy writes http links): the configured one wins.
   */
  private sameOrigin(link: string): string {
    const base = new URL(this.base)
    const next = new URL(link, base)
    if (next.host !== base.host) throw new SourceOfTruthError('invalid', `NetBox at ${base.origin} gave a next page on another host (${next.host}); not followed`)
    return `${base.origin}${next.pathname}${next.search}`
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', this.url(path), body)
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', this.url(path), body)
  }

  /** True when deleted, false when it was not there. */
  async delete(path: string): Promise<boolean> {
    try {
      await this.request('DELETE', this.url(path))
      return true
    } catch (error) {
      if (error instanceof SourceOfTruthError && error.kind === 'not_found') return false
      throw error
    }
  }

  private url(path: string, query: NetboxQuery = {}): string {
    const url = new URL(`${this.base}/api/${path.replace(/^\/+/, '')}`)
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue
      url.searchParams.delete(k)
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one))
    }
    return url.toString()
  }

  private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const attempts = this.options.attempts ?? 4
    let wait = this.options.backoffMs ?? 250
    for (let attempt = 1; ; attempt++) {
      let res: Response
      try {
        res = await fetch(url, {
          method,
          headers: { authorization: `Token ${this.options.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          // A redirect would carry the token wherever it points: refused, not followed.
          redirect: 'error',
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        })
      } catch (error) {
        if (attempt >= attempts) {
          throw new SourceOfTruthError('unavailable', `NetBox at ${this.base} did not answer ${method} ${new URL(url).pathname} after ${attempts} attempts: ${(error as Error).message}`)
        }
        await sleep(wait)
        wait *= 2
        continue
      }
      const text = await res.text()
      const parsed: unknown = text ? safeJson(text) : null
      if (res.ok) return parsed as T
      if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
        await sleep(Number(res.headers.get('retry-after')) * 1000 || wait)
        wait *= 2
        continue
      }
      const what = `NetBox ${method} ${new URL(url).pathname} answered ${res.status}: ${describe(parsed)}`
      if (res.status === 404) throw new SourceOfTruthError('not_found', what)
      if (res.status === 409) throw new SourceOfTruthError('conflict', what)
      if (res.status >= 400 && res.status < 500) throw new SourceOfTruthError('invalid', what)
      throw new SourceOfTruthError('unavailable', what)
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
