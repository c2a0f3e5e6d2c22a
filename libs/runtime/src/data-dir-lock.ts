import { execFileSync } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** What the command line of a running launcher contains (`node dist/apps/launcher/src/main.js`). */
export const LAUNCHER_COMMAND = join('apps', 'launcher', 'src', 'main.js')

export class DataDirInUse extends Error {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(
      `another Loom is already running on the data dir ${dataDir} (launcher pid ${pid}); stop it first (Ctrl-C where it runs, or kill ${pid}), ` +
        'or give this start a LOOM_DATA_DIR and ports of its own',
    )
    this.name = 'DataDirInUse'
  }
}

/** True while a process with this pid exists (a zombie included). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The command line of process `pid`: from /proc on Linux, from `ps` elsewhere; '' for a zombie or a process that is
 * gone, undefined when neither source can be read.
 */
export function commandLineOf(pid: number): string | undefined {
  if (existsSync('/proc/self/cmdline')) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
    } catch {
      return ''
    }
  }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '' // no `ps`; or it exits 1: no such process
  }
}

/** Whether `pid` is a live launcher (a pid reused by another program is not; when its command line cannot be read, it is). */
export function isLauncher(pid: number): boolean {
  if (!isAlive(pid)) return false
  const command = commandLineOf(pid)
  return command === undefined || command.includes(LAUNCHER_COMMAND)
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

const ageMs = (path: string) => {
  try {
    return Date.now() - statSync(path).mtimeMs
  } catch {
    return 0
  }
}

/** An empty lock younger than this is a start still writing its pid; older, one that died before it could. */
const EMPTY_LOCK_MS = 2000
/** How long a start keeps trying while other starts change the lock. */
const GIVE_UP_MS = 10_000

/**
 * One launcher per data dir: `launcher.lock` holds the pid of the launcher that runs on it. A second start on the same
 * data dir throws DataDirInUse while that launcher is alive; a lock whose launcher is gone (killed with SIGKILL, or
 * the machine restarted) is taken over. Returns the release, which removes the lock only while it is this process's.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  const lock = join(dataDir, 'launcher.lock')
  // Bounded by time, not by tries: an empty lock is waited for until it is EMPTY_LOCK_MS old, however slowly the
  // tries go round on a busy machine (a count of tries × 20 ms once ended a hair before that).
  const deadline = Date.now() + GIVE_UP_MS
  while (Date.now() < deadline) {
    try {
      const fd = openSync(lock, 'wx')
      try {
        writeSync(fd, `${process.pid}\n`)
      } finally {
        closeSync(fd)
      }
      return () => {
        if (readText(lock)?.trim() === String(process.pid)) rmSync(lock, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const held = readText(lock)
    if (held === undefined) continue // released in the meantime
    if (held.trim() === '' && ageMs(lock) < EMPTY_LOCK_MS) {
      await sleep(20) // its launcher is writing its pid
      continue
    }
    const pid = Number(held.trim())
    if (isLauncher(pid)) throw new DataDirInUse(pid, dataDir)
    await removeStaleLock(lock, held)
  }
  throw new Error(`could not take ${lock}: other starts keep changing it`)
}

/** Removes `lock` if it still holds `held`. Starts that found the same stale lock take turns, so none removes a new one. */
async function removeStaleLock(lock: string, held: string): Promise<void> {
  const guard = `${lock}.takeover`
  try {
    closeSync(openSync(guard, 'wx'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    if (ageMs(guard) > 5000) rmSync(guard, { force: true }) // left by a start that died while taking over
    await sleep(20)
    return
  }
  try {
    if (readText(lock) === held) rmSync(lock, { force: true })
  } finally {
    rmSync(guard, { force: true })
  }
}
