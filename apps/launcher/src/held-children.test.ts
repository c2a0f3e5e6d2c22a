// The launcher's first worker and gateway start before PostgreSQL and Temporal answer (start-gate.ts): held at their
// gate, they must use neither, and a Ctrl-C meanwhile must stop them at once.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, heldEnv, projectRoot } from '#runtime/index.js'
import { childEnv } from '../../../test/support/env.js'
import { type Child, spawnNode } from '../../../test/support/processes.js'

const main = (app: string) => join(projectRoot(), 'dist', 'apps', app, 'src', 'main.js')

describe('a worker and a gateway held by the launcher', () => {
  test('wait at their gate without touching the database or Temporal, and stop at once on SIGTERM there', async () => {
    const [httpPort, nobody] = [await freePort(), await freePort()]
    // Nothing answers at either address: a child that used one would fail (the worker) or listen (the gateway).
    const env = heldEnv(
      childEnv({ DATABASE_URL: `postgresql://loom:loom@127.0.0.1:${nobody}/loom`, TEMPORAL_ADDRESS: `127.0.0.1:${nobody}`, LOOM_HTTP_PORT: String(httpPort) }),
    )
    const children: Child[] = [spawnNode(main('worker'), env), spawnNode(main('gateway'), env)]
    try {
      await sleep(8000) // their code loaded and the gateway built, in any CI
      for (const c of children) assert.equal(c.child.exitCode, null, `stopped before go:\n${c.output()}`)
      await assert.rejects(fetch(`http://127.0.0.1:${httpPort}/api/health`), 'the gateway listens before go')
      const started = Date.now()
      for (const c of children) c.child.kill('SIGTERM')
      await Promise.all(children.map((c) => c.exited))
      assert.ok(Date.now() - started < 5000, `SIGTERM took ${Date.now() - started} ms`)
    } finally {
      for (const c of children) c.child.kill('SIGKILL')
    }
  })
})
