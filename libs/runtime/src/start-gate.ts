// The launcher starts the gateway and the worker while PostgreSQL and Temporal are still coming up: loading their
// code takes seconds of CPU, which then overlaps with that. Such a child is held at its gate until the launcher says
// go — once the database is migrated and its catalogue synced, and Temporal answers — and uses neither before.
import type { ManagedProcess } from './managed-process.js'

const HELD = 'LOOM_HELD_BY_LAUNCHER'

/** The environment of a child that waits at its gate; without it (a restart, a deployment) there is no gate. */
export function heldEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [HELD]: '1' }
}

/** Lets a held child through its gate. One that has died meanwhile is its supervisor's to handle, not an error here. */
export function sendGo(child: ManagedProcess): void {
  if (child.running) child.child.send({ go: true }, () => undefined)
}

/** In a child: resolves once the launcher says go (at once for a child not held); rejects if the launcher goes away first. */
export function throughGate(): Promise<void> {
  if (process.env[HELD] !== '1') return Promise.resolve()
  const gone = () => new Error('the launcher went away before it let this process start')
  if (!process.connected) return Promise.reject(gone())
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { go?: unknown } | null)?.go !== true) return
      done()
      resolve()
    }
    const onDisconnect = () => {
      done()
      reject(gone())
    }
    const done = () => {
      process.off('message', onMessage)
      process.off('disconnect', onDisconnect)
    }
    process.on('message', onMessage)
    process.once('disconnect', onDisconnect)
  })
}
