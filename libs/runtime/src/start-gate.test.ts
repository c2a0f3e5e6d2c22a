import assert from 'node:assert/strict'
import { once } from 'node:events'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ManagedProcess, spawnManaged } from './managed-process.js'
import { heldEnv, sendGo } from './start-gate.js'

/** A child that says when it is at its gate and when it is through, over IPC; it reports a refused gate on stdout. */
function child(env: NodeJS.ProcessEnv): ManagedProcess {
  const script = `process.send({ atGate: true }); require(${JSON.stringify(join(__dirname, 'start-gate.js'))}).throughGate().then(
    () => process.send({ through: true }),
    (error) => { console.log(error.message); process.exit(3) })`
  return spawnManaged('held', process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
}

describe('the start gate of the launcher’s children', () => {
  test('a held child waits until the launcher says go, then goes through', async () => {
    const held = child(heldEnv(process.env))
    try {
      const messages: unknown[] = []
      held.child.on('message', (m) => messages.push(m))
      await once(held.child, 'message')
      await sleep(300)
      assert.deepEqual(messages, [{ atGate: true }], 'through the gate before go')
      sendGo(held)
      assert.deepEqual((await once(held.child, 'message'))[0], { through: true })
    } finally {
      await held.stop()
    }
  })

  test('a child not held (a restart, a deployment) goes through at once', async () => {
    const env = { ...process.env }
    delete env.LOOM_HELD_BY_LAUNCHER
    const free = child(env)
    try {
      const messages: unknown[] = []
      free.child.on('message', (m) => messages.push(m))
      while (messages.length < 2 && free.running) await sleep(20)
      assert.deepEqual(messages, [{ atGate: true }, { through: true }])
    } finally {
      await free.stop()
    }
  })

  test('a held child whose launcher goes away before go stops, saying why', async () => {
    const held = child(heldEnv(process.env))
    let output = ''
    held.child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    await once(held.child, 'message')
    held.child.disconnect()
    assert.deepEqual(await held.exited, { code: 3, signal: null })
    assert.match(output, /the launcher went away before it let this process start/)
  })
})
