import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { DataDirInUse, LAUNCHER_COMMAND, lockDataDir } from './data-dir-lock.js'

const scratch = () => mkdtempSync(join(process.env.LOOM_TEST_SCRATCH ?? '/tmp', 'lock-'))
const lockOf = (dir: string) => join(dir, 'launcher.lock')

/** A node process whose command line looks like a launcher's; it runs `script` with this module as `lock`. */
function fakeLauncher(script: string, dataDir: string): ChildProcess {
  const prelude = `const lock = require(${JSON.stringify(join(__dirname, 'data-dir-lock.js'))}); const dataDir = ${JSON.stringify(dataDir)};`
  return spawn(process.execPath, ['-e', prelude + script, LAUNCHER_COMMAND], { stdio: ['ignore', 'pipe', 'inherit'] })
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await once(child, 'exit')
  return child.pid!
}

describe('one launcher per data dir', () => {
  test('a free data dir is locked with this pid; the release removes the lock, and only while it is ours', async () => {
    const dir = scratch()
    const release = await lockDataDir(dir)
    assert.equal(readFileSync(lockOf(dir), 'utf8'), `${process.pid}\n`)
    release()
    assert.equal(existsSync(lockOf(dir)), false)
    writeFileSync(lockOf(dir), '12345\n')
    release()
    assert.equal(readFileSync(lockOf(dir), 'utf8'), '12345\n', 'a release never removes another launcher’s lock')
  })

  test('a lock whose launcher is gone, or whose pid now runs another program, is taken over', async () => {
    for (const stale of [await deadPid(), process.pid /* a test runner, not a launcher */, 0]) {
      const dir = scratch()
      writeFileSync(lockOf(dir), stale ? `${stale}\n` : '')
      const release = await lockDataDir(dir)
      assert.equal(readFileSync(lockOf(dir), 'utf8'), `${process.pid}\n`, `stale lock ${stale}`)
      release()
    }
  })

  test('a lock held by a running launcher is refused, naming its pid, and left as it is', async () => {
    const dir = scratch()
    const holder = fakeLauncher('setInterval(() => {}, 1000)', dir)
    try {
      writeFileSync(lockOf(dir), `${holder.pid}\n`)
      await assert.rejects(lockDataDir(dir), (error: Error) => {
        assert.ok(error instanceof DataDirInUse)
        assert.equal(error.pid, holder.pid)
        assert.match(error.message, new RegExp(`another Loom is already running on the data dir .*\\(launcher pid ${holder.pid}\\).*kill ${holder.pid}`))
        return true
      })
      assert.equal(readFileSync(lockOf(dir), 'utf8'), `${holder.pid}\n`)
    } finally {
      holder.kill('SIGKILL')
    }
  })

  test('of several starts racing for a stale lock, exactly one gets it and the others name it', async () => {
    const dir = scratch()
    writeFileSync(lockOf(dir), `${await deadPid()}\n`)
    // All at the same moment, once every process has started.
    const at = Date.now() + 2000
    const script = `
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ${at} - Date.now()));
      lock.lockDataDir(dataDir).then(
        () => { console.log('won ' + process.pid); setInterval(() => {}, 1000) },
        (error) => { console.log(error instanceof lock.DataDirInUse ? 'refused ' + error.pid : 'failed ' + error.message); process.exit(1) },
      )`
    const starts = Array.from({ length: 6 }, () => fakeLauncher(script, dir))
    try {
      const answers = await Promise.all(starts.map(async (c) => String((await once(c.stdout!, 'data'))[0]).trim()))
      const winners = answers.filter((a) => a.startsWith('won '))
      assert.equal(winners.length, 1, answers.join('\n'))
      const winner = winners[0].slice('won '.length)
      assert.deepEqual(answers.filter((a) => !a.startsWith('won ')), Array(5).fill(`refused ${winner}`))
      assert.equal(readFileSync(lockOf(dir), 'utf8'), `${winner}\n`)
    } finally {
      for (const c of starts) c.kill('SIGKILL')
    }
  })
})
