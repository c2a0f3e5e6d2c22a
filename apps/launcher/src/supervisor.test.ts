import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, test } from 'node:test'
import type { ChildProcess } from 'node:child_process'
import { ManagedProcess } from '#runtime/index.js'
import { RestartPolicy, Supervised } from './supervisor.js'

describe('RestartPolicy', () => {
  test('backs off 1 s, 2 s, 4 s … capped, and gives up after 5 restarts in a row', () => {
    const policy = new RestartPolicy({ maxDelayMs: 8000 })
    const delays = Array.from({ length: 5 }, () => policy.onFailure(100))
    assert.deepEqual(
      delays.map((d) => d.restart && d.delayMs),
      [1000, 2000, 4000, 8000, 8000],
    )
    assert.deepEqual(policy.onFailure(100), { restart: false, failures: 6 })
  })

  test('a child that ran a minute counts as healthy: counting and backoff start again', () => {
    const policy = new RestartPolicy()
    for (let i = 0; i < 5; i++) assert.equal(policy.onFailure(10).restart, true)
    assert.deepEqual(policy.onFailure(60_000), { restart: true, delayMs: 1000, count: 6 })
    assert.deepEqual(policy.onFailure(10), { restart: true, delayMs: 2000, count: 7 })
  })
})

/** A ManagedProcess around a fake child that exits when told. */
function fakeProcess(pid: number) {
  const child = Object.assign(new EventEmitter(), { pid, kill: () => child.emit('exit', null, 'SIGTERM') }) as unknown as ChildProcess & EventEmitter
  return { managed: new ManagedProcess('worker', child), crash: () => child.emit('exit', null, 'SIGKILL') }
}

describe('Supervised', () => {
  test('restarts after the delay, logs the cause, gives up, and does not restart once stopped', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const said: string[] = []
    const gaveUp: string[] = []
    let next = 100
    const started: ReturnType<typeof fakeProcess>[] = []
    const start = () => {
      const p = fakeProcess(++next)
      started.push(p)
      return Promise.resolve(p.managed)
    }
    const first = fakeProcess(next)
    const s = new Supervised(
      { name: 'worker', start, say: (m) => said.push(m), giveUp: (m) => gaveUp.push(m), policy: new RestartPolicy({ maxRestarts: 2 }), now: () => 0 },
      first.managed,
    )
    const settle = () => new Promise((r) => setImmediate(r))
    first.crash()
    await settle()
    assert.deepEqual(said, ['worker stopped unexpectedly (killed by SIGKILL); restarting it in 1 s (restart 1)'])
    t.mock.timers.tick(999)
    await settle()
    assert.equal(started.length, 0)
    t.mock.timers.tick(1)
    await settle()
    assert.equal(started.length, 1)
    assert.equal(said[1], 'worker restarted (pid 101)')
    started[0].crash()
    await settle()
    t.mock.timers.tick(2000)
    await settle()
    assert.equal(started.length, 2)
    started[1].crash()
    await settle()
    assert.equal(gaveUp.length, 1)
    assert.match(gaveUp[0], /worker stopped unexpectedly \(killed by SIGKILL\): 3 failures in a row, each within 60 s of its start; giving up/)
    await s.stop(10)
  })

  test('no restart while stopping, nor after stop()', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    let starts = 0
    const start = () => {
      starts++
      return Promise.resolve(fakeProcess(200).managed)
    }
    let active = true
    const said: string[] = []
    const first = fakeProcess(1)
    const s = new Supervised({ name: 'gateway', start, say: (m) => said.push(m), giveUp: () => {}, active: () => active }, first.managed)
    first.crash()
    await new Promise((r) => setImmediate(r))
    active = false // the launcher begins to stop during the backoff
    t.mock.timers.tick(1000)
    await new Promise((r) => setImmediate(r))
    assert.equal(starts, 0)
    await s.stop(10)
    t.mock.timers.tick(60_000)
    assert.equal(starts, 0)
  })
})
