import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { bundleWorkflowCode } from '@temporalio/worker'
import type { Logger } from '#logging/index.js'
import { PRELOAD_MODULES } from '#workflows/bundle-options.js'
import { projectRoot } from '#runtime/index.js'

/** A bundle no start has used for this long is removed when another is written. */
const STALE_MS = 24 * 60 * 60_000

/**
 * The workflow code the worker runs, bundled once per build: Temporal's bundler (webpack) takes seconds at every
 * worker start, which `npm start`, each restart and every test's worker would pay again for the same code. The
 * bundle is kept under dist/ by a hash of what goes into it — the compiled libraries and the installed packages —
 * so that any rebuild or install makes a new one, and a start on an unchanged build reads the file.
 * `interceptorModules` (tracing's) go into the bundle and its hash: a worker with tracing and one without each
 * find their own.
 */
export async function workflowBundle(workflowsPath: string, logger: Logger, interceptorModules: string[] = []): Promise<{ code: string }> {
  const dir = join(projectRoot(), 'dist', '.workflow-bundles')
  const file = join(dir, `${inputsHash(workflowsPath, interceptorModules)}.js`)
  try {
    const code = readFileSync(file, 'utf8')
    utimesSync(file, new Date(), new Date()) // in use: not stale
    return { code }
  } catch {
    // not bundled yet for this build
  }
  const started = performance.now()
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: interceptorModules, preloadModules: [...PRELOAD_MODULES], logger: quiet })
  mkdirSync(dir, { recursive: true })
  // Written whole, then renamed: a worker starting beside this one reads the old state or the new, never half.
  const partial = `${file}.${process.pid}.tmp`
  writeFileSync(partial, code)
  renameSync(partial, file)
  removeStale(dir, file)
  logger.info({ ms: Math.round(performance.now() - started), file }, 'bundled the workflow code (once per build)')
  return { code }
}

function inputsHash(workflowsPath: string, interceptorModules: string[]): string {
  const hash = createHash('sha256').update(workflowsPath).update(JSON.stringify(PRELOAD_MODULES))
  for (const module of interceptorModules) hash.update(module)
  const root = projectRoot()
  for (const dir of new Set([join(root, 'dist', 'libs'), dirname(workflowsPath)])) {
    for (const file of jsFiles(dir)) hash.update(file).update(readFileSync(file))
  }
  hash.update(readFileSync(join(root, 'package-lock.json')))
  return hash.digest('hex').slice(0, 32)
}

function jsFiles(dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...jsFiles(path))
    else if (entry.name.endsWith('.js')) files.push(path)
  }
  return files
}

function removeStale(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    try {
      if (path !== keep && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true })
    } catch {
      // removed by another worker meanwhile
    }
  }
}

const ignore = () => undefined
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore }
