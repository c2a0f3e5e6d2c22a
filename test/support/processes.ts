import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'

export interface Child {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** A node child with IPC, its output captured for assertion messages. */
export function spawnNode(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Child {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

/** Resolves on the child's first IPC message (its "ready"); rejects with its output when it exits first. */
export async function readyOf(c: Child, timeoutMs = 60_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs)
  const result = await Promise.race([once(c.child, 'message', { signal }).then(() => 'ready'), c.exited.then((code) => `exited ${code}`)]).catch(
    () => 'timeout',
  )
  if (result !== 'ready') throw new Error(`child not ready (${result}):\n${c.output()}`)
}

export async function stopChild(c: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill(signal)
  return c.exited
}
