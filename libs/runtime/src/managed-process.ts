import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child process the launcher owns: it knows how to stop it and reports how it ended. */
export class ManagedProcess {
  readonly exited: Promise<Exit>
  private done = false

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.done = true
        resolve({ code, signal })
      })
      child.once('error', () => {
        this.done = true
        resolve({ code: null, signal: null })
      })
    })
  }

  get running(): boolean {
    return !this.done
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<Exit> {
    if (this.done) return this.exited
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * Starts a child in its own process group, so that a Ctrl-C in the terminal reaches only the launcher,
 * which then stops the children in order (gateway, worker, then Temporal and PostgreSQL).
 */
export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions): ManagedProcess {
  const child = spawn(command, args, { detached: true, ...options })
  return new ManagedProcess(name, child)
}

/** Waits for the first IPC message from a child, or fails when the child exits first. */
export async function firstMessage<T>(managed: ManagedProcess, timeoutMs: number): Promise<T> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), timeoutMs)
  try {
    const result = await Promise.race([
      once(managed.child, 'message', { signal: ac.signal }).then(([m]) => ({ message: m as T })),
      managed.exited.then((exit) => ({ exit })),
    ])
    if ('exit' in result) throw new Error(`${managed.name} exited (${describeExit(result.exit)}) before it was ready`)
    return result.message
  } catch (error) {
    if (ac.signal.aborted) throw new Error(`${managed.name} was not ready after ${timeoutMs / 1000} s`, { cause: error })
    throw error
  } finally {
    clearTimeout(timer)
    ac.abort()
  }
}

export function describeExit({ code, signal }: Exit): string {
  return signal ? `signal ${signal}` : `exit code ${code}`
}
