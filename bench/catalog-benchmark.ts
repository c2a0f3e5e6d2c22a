// The service catalogue under load (issue 16 item 6): the seed's known issue — registering services in a loop fails
// unless one waits 60 s between them — as 1,000 registrations from 16 clients, each with a key of its own and the
// default rate limit, against a plain write (customers) in the same run; and 1,000 instances of a create_node
// service running at once on simulated routers, against the same processes started directly.
import type { SeedDevice } from '#persistence/index.js'
import type { apiClient } from '../test/support/api.js'

type Api = ReturnType<typeof apiClient>

export interface Outcome {
  /** requests per second over the whole run */
  perSecond: number
  p50: number
  p99: number
  /** answers that were not 2xx, by status */
  refused: Map<number, number>
  latencies: number[]
  seconds: number
}

/** Planned simulated routers in numbers the documentation ranges cannot hold: addresses from 100.64.0.0/10. */
export function generatedRouters(prefix: string, count: number): SeedDevice[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-r${i + 1}`,
    role: 'router',
    vendor: 'frr',
    platform: 'frr',
    site: prefix,
    management_address: `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    primary_ipv4: `100.96.${(i >> 8) & 255}.${i & 255}/32`,
    primary_ipv6: `2001:db8:ffff::${(i + 1).toString(16)}/128`,
  }))
}

/** Room for `count` loopbacks: the demo's /24 is replaced by a pool as large as needed. */
export async function widenLoopbacks(api: Api, count: number): Promise<void> {
  const bits = Math.max(8, Math.ceil(Math.log2(count + 2)))
  const gone = await api.call('DELETE', '/api/ipam/pools/loopbacks-v4')
  if (gone.status !== 204) throw new Error(`could not delete the demo loopback pool: ${gone.status} ${JSON.stringify(gone.body)}`)
  const made = await api.call('POST', '/api/ipam/pools', { name: 'loopbacks-v4', prefix: `100.112.0.0/${32 - bits}`, role: 'loopback', description: 'benchmark loopbacks' })
  if (made.status !== 201) throw new Error(`could not make the loopback pool: ${made.status} ${JSON.stringify(made.body)}`)
}

/** API keys for `clients` operators, one each (the rate limit counts per caller). */
export async function clientKeys(api: Api, clients: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const res = await api.call<{ key: string }>('POST', '/api/auth/keys', { name: `catalog bench client ${i}`, owner: `client-${i}`, roles: ['operator'] })
      if (res.status !== 201) throw new Error(`could not make a key: ${res.status} ${JSON.stringify(res.body)}`)
      return res.body.key
    }),
  )
}

/** `n` POSTs from `keys.length` clients at once, each client sending its own requests one after the other. */
export async function postFromClients(api: Api, keys: string[], n: number, path: string, body: (i: number) => unknown, from = 0): Promise<Outcome> {
  const latencies: number[] = []
  const refused = new Map<number, number>()
  let next = 0
  const started = performance.now()
  await Promise.all(
    keys.map(async (key) => {
      while (next < n) {
        const i = from + next++
        const t = performance.now()
        const res = await api.call('POST', path, body(i), { authorization: `Bearer ${key}` })
        latencies.push(performance.now() - t)
        if (res.status >= 300) refused.set(res.status, (refused.get(res.status) ?? 0) + 1)
      }
    }),
  )
  return outcome([{ latencies, seconds: (performance.now() - started) / 1000, refused }])
}

/** Rounds taken together (alternated with another contestant's, so that both meet the same load). */
export function outcome(rounds: Pick<Outcome, 'latencies' | 'seconds' | 'refused'>[]): Outcome {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0)
  const refused = new Map<number, number>()
  for (const r of rounds) for (const [status, count] of r.refused) refused.set(status, (refused.get(status) ?? 0) + count)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), refused, latencies, seconds }
}

/** Polls a list's total (a cheap `limit=1` page) until it reaches `n`; the seconds it took from `since`. */
export async function untilTotal(api: Api, path: string, n: number, since: number, timeoutMs = 600_000): Promise<number> {
  for (;;) {
    const total = (await api.get<{ total: number }>(path)).body.total
    if (total >= n) return (performance.now() - since) / 1000
    if (performance.now() - since > timeoutMs) throw new Error(`${path}: ${total} of ${n} after ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

export const describeRefused = (o: Outcome) => (o.refused.size ? [...o.refused].map(([status, count]) => `${count} × ${status}`).join(', ') : 'none')
