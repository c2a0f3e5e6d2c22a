// Following one process through GET /api/processes/{id}/events until it ends or waits for someone; the stream is
// opened again when it drops (a gateway restart), and given up after five failures in a row.
import type { ProcessDto } from '#contracts/index.js'
import { problemLines, serverSentEvents, settled } from './task-progress.js'

/** Following stopped before the process settled: the message says why (the process goes on). */
export class FollowError extends Error {}

export interface FollowOptions {
  /** the API base URL */
  base: string
  id: string
  /** the key and the tenant */
  headers: Record<string, string>
  /** what to call the process in messages (`the task`, `the process`) */
  what: string
  /** each new view of the process */
  seen: (p: ProcessDto) => void
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function followProcess({ base, id, headers, what, seen }: FollowOptions): Promise<ProcessDto> {
  let attempts = 0
  let lastError: string
  const url = new URL(`/api/processes/${encodeURIComponent(id)}/events`, base)
  for (;;) {
    const controller = new AbortController()
    let done: ProcessDto | undefined
    try {
      const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal })
      if (!res.ok) {
        const problem: unknown = await res.json().catch(() => null)
        // 429: the rate limit; like a 5xx it passes, so it is tried again after a pause.
        if (res.status < 500 && res.status !== 429) throw new FollowError(problemLines(`following process ${id}`, res.status, problem).join('\n'))
        lastError = problemLines('', res.status, problem)[0].replace(/^: /, '')
      } else {
        for await (const event of serverSentEvents(res.body as unknown as AsyncIterable<Uint8Array>)) {
          if (event.event !== 'process') continue
          const p = JSON.parse(event.data) as ProcessDto
          attempts = 0
          seen(p)
          if (settled(p)) {
            done = p
            break // cancels the stream
          }
        }
        lastError = `the event stream ended before ${what} did`
      }
    } catch (error) {
      if (error instanceof FollowError) throw error
      lastError = (error as Error).message
    } finally {
      controller.abort()
    }
    if (done) return done
    if (++attempts > 5) throw new FollowError(`lost ${what} at ${base}: ${lastError}`)
    await sleep(Math.min(attempts, 3) * 1000)
  }
}
