import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { projectRoot } from './project-root.js'

const run = promisify(execFile)

/**
 * `prisma migrate deploy` against `databaseUrl`: applies what is pending, changes nothing otherwise. A database
 * that already has every migration is told so without the CLI (a process of its own: about a second of every start).
 */
export async function applyMigrations(databaseUrl: string): Promise<string> {
  const applied = await migrationsApplied(databaseUrl)
  if (applied !== undefined) return `No pending migrations: all ${applied} in prisma/migrations are applied (_prisma_migrations, same checksums).`
  const cli = require.resolve('prisma/build/index.js')
  try {
    const { stdout } = await run(process.execPath, [cli, 'migrate', 'deploy'], {
      cwd: projectRoot(), // the CLI reads prisma.config.ts from the working directory
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      timeout: 120_000,
    })
    return stdout
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    throw new Error(`database migration failed: ${`${e.stderr ?? ''}\n${e.stdout ?? ''}`.trim() || String(error)}`, { cause: error })
  }
}

/**
 * How many migrations there are, when the database records every one of them as Prisma does (finished, not rolled
 * back, the SHA-256 of its migration.sql as checksum) and none as failed; undefined in any other case — a database
 * without the table, unreachable, or behind — which the CLI then handles (and reports).
 */
export async function migrationsApplied(databaseUrl: string): Promise<number | undefined> {
  const dir = join(projectRoot(), 'prisma', 'migrations')
  const local = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => [d.name, createHash('sha256').update(readFileSync(join(dir, d.name, 'migration.sql'))).digest('hex')] as const)
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    const { rows } = await client.query<{ name: string; checksum: string; finished: boolean; rolled_back: boolean }>(
      `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations`,
    )
    if (rows.some((r) => !r.finished && !r.rolled_back)) return undefined
    const recorded = new Map(rows.filter((r) => r.finished && !r.rolled_back).map((r) => [r.name, r.checksum]))
    return local.every(([name, checksum]) => recorded.get(name) === checksum) ? local.length : undefined
  } catch {
    return undefined
  } finally {
    await client.end().catch(() => undefined)
  }
}
