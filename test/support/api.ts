import assert from 'node:assert/strict'
import type { ProcessDto } from '#contracts/index.js'
import { waitFor } from '#runtime/index.js'

export interface ApiResponse<T = Record<string, unknown>> {
  status: number
  headers: Headers
  body: T
}

/** A small JSON client for the gateway under test. */
export function apiClient(base: string) {
  async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
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
