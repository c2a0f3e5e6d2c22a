import type { StdioOptions } from 'node:child_process'
import { join } from 'node:path'
import { firstMessage, type ManagedProcess, spawnManaged } from './managed-process.js'

const MAIN = join(__dirname, 'embedded-postgres.main.js')

/** The database the embedded PostgreSQL keeps Loom's data in (made at its first start). */
export const EMBEDDED_DATABASE = 'loom'

/** Its URL on `port`: known before it runs, so that what uses it can be started meanwhile. */
export const embeddedPostgresUrl = (port: number): string => `postgresql://postgres:postgres@127.0.0.1:${port}/${EMBEDDED_DATABASE}`

/**
 * Starts the embedded PostgreSQL (embedded-postgres.main.ts) on `dataDir`/postgres and `port` — made on the first
 * start, taken up again on the next — and resolves once it takes connections, with its URL. The launcher, the test
 * harness and the benchmarks start it this way.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string
  port: number
  /** a file descriptor its output goes to (the launcher's postgres.log); else only its errors, to ours */
  log?: number
}): Promise<{ url: string; process: ManagedProcess }> {
  const stdio: StdioOptions = opts.log === undefined ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', opts.log, opts.log, 'ipc']
  const child = spawnManaged('postgres', process.execPath, [MAIN], {
    env: { ...process.env, LOOM_DATA_DIR: opts.dataDir, LOOM_POSTGRES_PORT: String(opts.port) },
    stdio,
  })
  const message = await firstMessage<{ ready?: string; error?: string }>(child, 120_000)
  if (!message.ready) {
    await child.stop()
    throw new Error(`the embedded PostgreSQL did not start: ${message.error}`)
  }
  return { url: message.ready, process: child }
}
