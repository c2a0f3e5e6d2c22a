// `npm test`: starts what the tests need once for the whole run — a Temporal dev server (in memory, free ports)
// and a migrated template database (on the local PostgreSQL when one answers, else an embedded one) — then runs
// node's test runner on every compiled *.test.js, and cleans up without printing after the runner's summary.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Connection } from '@temporalio/client'
import pg from 'pg'
import { loadConfig } from '../libs/config/src/index.js'
import {
  applyMigrations,
  ensureSearchAttributes,
  findTemporalCli,
  firstMessage,
  freePort,
  type ManagedProcess,
  projectRoot,
  spawnManaged,
  startTemporalDevServer,
} from '../libs/runtime/src/index.js'
import { dropDatabase, randomName, urlFor } from './support/database.js'

const note = (message: string) => console.log(`# harness: ${message}`)

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []))
    .sort()
}

async function localServerAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlFor('postgres', url), connectionTimeoutMillis: 2000 })
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
  const dataDir = join(scratch, 'embedded')
  const child = spawnManaged('postgres', process.execPath, [join(projectRoot(), 'dist', 'libs', 'runtime', 'src', 'embedded-postgres.main.js')], {
    env: { ...process.env, LOOM_DATA_DIR: dataDir, LOOM_POSTGRES_PORT: String(await freePort()) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const message = await firstMessage<{ ready?: string; error?: string }>(child, 120_000)
  if (!message.ready) throw new Error(`embedded PostgreSQL: ${message.error}`)
  return { url: message.ready, process: child }
}

async function main(): Promise<number> {
  const root = projectRoot()
  const files = testFiles(join(root, 'dist')).filter((f) => !process.argv[2] || f.includes(process.argv[2]))
  const scratch = mkdtempSync(join(tmpdir(), 'loom-test-'))
  chmodSync(scratch, 0o755) // the embedded PostgreSQL runs as the OS user postgres when we are root
  const owned: ManagedProcess[] = []
  let template: { name: string; server: string } | undefined
  try {
    const config = loadConfig()
    const cli = await findTemporalCli({ configured: config.temporalCli, dataDir: config.dataDir, install: true, log: note })
    const temporalPort = await freePort()
    const [temporal, server] = await Promise.all([
      startTemporalDevServer({ cli: cli.path, dbFile: undefined, port: temporalPort, uiPort: undefined, namespace: 'default', logFile: join(scratch, 'temporal.log') }),
      (async () => {
        const local = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
        if (await localServerAnswers(local)) return local
        note('no PostgreSQL answers on 127.0.0.1:5432 (or TEST_DATABASE_URL): using an embedded one')
        const embedded = await startEmbedded(scratch)
        owned.push(embedded.process)
        return embedded.url
      })(),
    ])
    owned.push(temporal.process)
    const connection = await Connection.connect({ address: temporal.address })
    await ensureSearchAttributes(connection, 'default')
    await connection.close()

    template = { name: randomName('loom_tpl'), server }
    const admin = new pg.Client({ connectionString: urlFor('postgres', server) })
    await admin.connect()
    await admin.query(`CREATE DATABASE "${template.name}"`)
    await admin.end()
    await applyMigrations(urlFor(template.name, server))
    note(`temporal ${temporal.address} (${cli.source}), postgres ${new URL(server).host}, ${files.length} test files`)

    const runner = spawn(process.execPath, ['--test', '--test-reporter=tap', ...files.map((f) => relative(root, f))], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        LOOM_TEST_TEMPORAL_ADDRESS: temporal.address,
        LOOM_TEST_TEMPORAL_CLI: cli.path,
        LOOM_TEST_DATABASE_SERVER: server,
        LOOM_TEST_TEMPLATE_DB: template.name,
        LOOM_TEST_SCRATCH: scratch,
      },
    })
    return await new Promise<number>((resolve) => runner.on('exit', (code) => resolve(code ?? 1)))
  } finally {
    if (template) await dropDatabase(template.name, template.server).catch(() => {})
    await Promise.all(owned.map((p) => p.stop(10_000)))
    if (statSync(scratch, { throwIfNoEntry: false })) rmSync(scratch, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('# harness failed:', error)
    console.log('0 passed, 1 failed')
    process.exit(1)
  },
)
