// What the tests and benchmarks run against: one Temporal dev server (in memory, free port) and a migrated
// template database on the local PostgreSQL when one answers, else on an embedded PostgreSQL.
import { join } from 'node:path'
import { Connection } from '@temporalio/client'
import pg from 'pg'
import { createApiKey, PrismaService } from '#persistence/index.js'
import { TEST_ADMIN_KEY } from './api.js'
import { prepareDatabase } from '../../apps/launcher/src/prepare-database.js'
import { loadConfig } from '#config/index.js'
import {
  ensureSearchAttributes,
  findTemporalCli,
  freePort,
  type ManagedProcess,
  startEmbeddedPostgres,
  startTemporalDevServer,
  type TemporalCli,
} from '#runtime/index.js'
import { dropDatabase, randomName, urlFor } from './database.js'

export interface TestStack {
  cli: TemporalCli
  temporalAddress: string
  /** admin URL of the PostgreSQL server (database `postgres`) */
  databaseServer: string
  templateDatabase: string
  stop(): Promise<void>
}

async function postgresAnswers(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlFor('postgres', serverUrl), connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

async function startEmbedded(scratch: string): Promise<{ url: string; process: ManagedProcess }> {
  const { url, process } = await startEmbeddedPostgres({ dataDir: join(scratch, 'embedded'), port: await freePort() })
  return { url: urlFor('postgres', url), process }
}

/** `scratch` must be enterable by the OS user postgres (chmod 755) in case the embedded PostgreSQL is needed. */
export async function startTestStack(scratch: string, note: (message: string) => void): Promise<TestStack> {
  const owned: ManagedProcess[] = []
  let template: string | undefined
  let server: string | undefined
  const stop = async () => {
    if (template && server) await dropDatabase(template, server).catch(() => {})
    await Promise.all(owned.map((p) => p.stop(10_000)))
  }
  try {
    const config = loadConfig()
    const cli = await findTemporalCli({ configured: config.temporalCli, dataDir: config.dataDir, install: true, log: note })
    const [temporal, databaseServer] = await Promise.all([
      startTemporalDevServer({ cli: cli.path, dbFile: undefined, port: await freePort(), uiPort: undefined, namespace: 'default', logFile: join(scratch, 'temporal.log') }),
      (async () => {
        const local = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
        if (await postgresAnswers(local)) return local
        note(`no PostgreSQL answers at ${new URL(local).host}: using an embedded one`)
        const embedded = await startEmbedded(scratch)
        owned.push(embedded.process)
        return embedded.url
      })(),
    ])
    owned.push(temporal.process)
    server = databaseServer
    const connection = await Connection.connect({ address: temporal.address })
    await ensureSearchAttributes(connection, 'default').finally(() => connection.close())

    template = randomName('loom_tpl')
    const admin = new pg.Client({ connectionString: urlFor('postgres', databaseServer) })
    await admin.connect()
    await admin.query(`CREATE DATABASE "${template}"`).finally(() => admin.end())
    // What every database looks like once Loom has started on it: migrated, its product catalogue synced.
    await prepareDatabase(urlFor(template, databaseServer), { demoData: false, say: () => undefined })
    // Every test database is a copy of the template, so one administrator key made here works in all of them;
    // test clients find it in the environment (test/support/api.ts), as the CLI finds `npm start`'s in a file.
    const prisma = new PrismaService(urlFor(template, databaseServer))
    try {
      process.env[TEST_ADMIN_KEY] = (await createApiKey(prisma, { owner: 'test-admin', name: 'the test run', roles: ['admin'], createdBy: 'test' })).key
    } finally {
      await prisma.$disconnect()
    }
    return { cli, temporalAddress: temporal.address, databaseServer, templateDatabase: template, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
