// Dependencies a test may take away and give back: a Temporal dev server and a PostgreSQL server of the test's
// own (the run's shared ones serve the other test files, which run meanwhile). Each keeps its data across a stop
// (the dev server in its SQLite file, PostgreSQL in its data directory), as a restarted installation does.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Connection } from '@temporalio/client'
import { prepareDatabase } from '../../apps/launcher/src/prepare-database.js'
import { API_KEY_PREFIX, hashApiKey, PrismaService } from '#persistence/index.js'
import {
  ensureSearchAttributes,
  freePort,
  type ManagedProcess,
  startEmbeddedPostgres,
  startTemporalDevServer,
} from '#runtime/index.js'
import { adminKey } from './api.js'
import { testTemporalCli } from './env.js'

export interface Dependency {
  readonly address: string
  /** SIGTERM: the server shuts down and closes every connection; resolves once it has exited */
  stop(): Promise<void>
  /** again, on the same port with the same data; resolves once it answers */
  start(): Promise<void>
}

function scratchDir(name: string): string {
  const scratch = process.env.LOOM_TEST_SCRATCH
  if (!scratch) throw new Error('LOOM_TEST_SCRATCH is not set: run the tests with `npm test`')
  const dir = join(scratch, `${name}-${process.pid}-${Date.now()}`)
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  return dir
}

/** A dev server of its own, its state in a file. */
export async function ownTemporal(): Promise<Dependency & { close(): Promise<void> }> {
  const dir = scratchDir('temporal')
  const port = await freePort()
  let server: ManagedProcess | undefined
  const start = async () => {
    const started = await startTemporalDevServer({ cli: testTemporalCli(), dbFile: join(dir, 'temporal.db'), port, uiPort: undefined, namespace: 'default', logFile: join(dir, 'temporal.log') })
    server = started.process
  }
  await start()
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` })
  await ensureSearchAttributes(connection, 'default').finally(() => connection.close())
  const stop = async () => void (await server?.stop(10_000))
  return { address: `127.0.0.1:${port}`, start, stop, close: stop }
}

/**
 * An embedded PostgreSQL of its own with one database, migrated and catalogued as `npm start` leaves it, in which
 * the test run's administrator key works (its hash, as the shared template database has it).
 */
export async function ownPostgres(): Promise<Dependency & { databaseUrl: string; close(): Promise<void> }> {
  const dir = scratchDir('postgres')
  const port = await freePort()
  let server: ManagedProcess | undefined
  let url = ''
  const start = async () => {
    const started = await startEmbeddedPostgres({ dataDir: dir, port })
    server = started.process
    url = started.url
  }
  await start()
  await prepareDatabase(url, { demoData: false, say: () => undefined })
  const prisma = new PrismaService(url)
  try {
    await prisma.apiKey.create({ data: { id: crypto.randomUUID(), prefix: adminKey().slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(adminKey()), owner: 'test-admin', name: 'the test run', roles: ['admin'], createdBy: 'test' } })
  } finally {
    await prisma.$disconnect()
  }
  const stop = async () => void (await server?.stop(15_000))
  return { address: `127.0.0.1:${port}`, databaseUrl: url, start, stop, close: stop }
}

