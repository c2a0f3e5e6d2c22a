import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { projectRoot } from './project-root.js'

const run = promisify(execFile)

/** `prisma migrate deploy` against `databaseUrl`: applies what is pending, changes nothing otherwise. */
export async function applyMigrations(databaseUrl: string): Promise<string> {
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
