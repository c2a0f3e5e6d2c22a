import assert from 'node:assert/strict'
import type { ProcessDto } from '#contracts/index.js'
import { waitFor } from '#runtime/index.js'

export interface ApiResponse<T = Record<string, unknown>> {
  status: number
  headers: Headers
  body: T
}

/** The environment variable that carries the test run's administrator key (made in the template database). */
export const TEST_ADMIN_KEY = 'LOOM_TEST_ADMIN_KEY'

/** Not sent: tells the test client whose API key to send (made for that person on first use). */
const ACT_AS = 'x-test-act-as'

/**
 * Headers that make the test client call as `user` (canonical id `key:<user>`) with the operator role and any
 * team roles given; `asOnly` gives exactly the roles given. The keys are real ones, made by the test run's admin.
 */
export const as = (user: string, ...teamRoles: string[]) => asOnly(user, 'operator', ...teamRoles)
export const asOnly = (user: string, ...roles: string[]) => ({ [ACT_AS]: JSON.stringify({ user, roles }) })
/** Headers for a call without any credentials. */
export const anonymously = { [ACT_AS]: 'none' }

const keys = new Map<string, Promise<string>>()

export function adminKey(): string {
  const key = process.env[TEST_ADMIN_KEY]
  if (!key) throw new Error(`${TEST_ADMIN_KEY} is not set: run the tests with \`npm test\``)
  return key
}

/** Headers of a plain `fetch` as the test run's administrator. */
export const authorized = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${adminKey()}`, ...headers })

/** A small JSON client for the gateway under test; it calls as the test run's administrator unless told `as(…)`. */
export function apiClient(base: string) {
  async function keyFor(actAs: string): Promise<string> {
    const id = `${base} ${actAs}`
    if (!keys.has(id)) {
      const { user, roles } = JSON.parse(actAs) as { user: string; roles: string[] }
      const made = (async () => {
        const res = await call<{ key: string; detail?: string }>('POST', '/api/auth/keys', { name: `test key of ${user}`, owner: user, roles })
        if (res.status !== 201) throw new Error(`could not make a test key for ${user}: ${res.status} ${res.body.detail}`)
        return res.body.key
      })()
      keys.set(id, made)
      made.catch(() => keys.delete(id))
    }
    return keys.get(id)!
  }

  async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const { [ACT_AS]: actAs, ...sent } = headers
    const authorization = actAs === 'none' ? undefined : (sent.authorization ?? `Bearer ${actAs ? await keyFor(actAs) : adminKey()}`)
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...sent, ...(authorization ? { authorization } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T }
  }
  return {
    call,
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    /** Polls GET /api/processes/{id} until `until` holds; fails with the last view. */
    async waitForProcess(id: string, until: (p: ProcessDto) => boolean, timeoutMs = 30_000, intervalMs = 100): Promise<ProcessDto> {
      let last: ProcessDto | undefined
      await waitFor(
        async () => {
          const res = await call<ProcessDto>('GET', `/api/processes/${id}`)
          assert.equal(res.status, 200)
          last = res.body
          return until(res.body)
        },
        { timeoutMs, intervalMs, describe: () => `process ${id} never got there; last seen:\n${JSON.stringify(last, null, 2)}` },
      )
      return last!
    },
  }
}

export type ApiClient = ReturnType<typeof apiClient>
