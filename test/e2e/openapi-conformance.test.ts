// schemathesis (PyPI, pinned with hashes in test/schemathesis/requirements.txt) against the real gateway on a
// database with the demo data and a worker behind it: every phase (examples, coverage, fuzzing, stateful) and
// every check — no server error, and no status code, content type, header or body the document does not declare;
// no schema-valid request refused, no schema-violating one accepted. Zero failures, or this test fails with
// schemathesis's report.
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { demoCustomers, demoDevices, PrismaService, seedCustomers } from '#persistence/index.js'
import { projectRoot } from '#runtime/index.js'
import { adminKey } from '../support/api.js'
import { loomStack } from '../support/loom.js'

const run = promisify(execFile)
const HERE = join(projectRoot(), 'test', 'schemathesis')
const VENV = join(projectRoot(), '.loom', 'schemathesis-venv')

/** The venv with schemathesis, made once per version of the requirements file. */
async function schemathesis(): Promise<string> {
  const requirements = join(HERE, 'requirements.txt')
  const stamp = join(VENV, 'requirements.sha256')
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex')
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
    await run('python3', ['-m', 'venv', '--clear', VENV], { timeout: 120_000 })
    await run(join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--require-hashes', '--only-binary=:all:', '-r', requirements], { timeout: 600_000 })
    writeFileSync(stamp, wanted)
  }
  return join(VENV, 'bin', 'st')
}

const loom = loomStack({ devices: demoDevices(projectRoot()) })
let st: string

before(async () => {
  ;[st] = await Promise.all([schemathesis(), loom.start()])
  const prisma = new PrismaService(loom.databaseUrl)
  try {
    await seedCustomers(prisma, demoCustomers(projectRoot()))
  } finally {
    await prisma.$disconnect()
  }
})

after(() => loom.stop())

describe('the OpenAPI document is the API', () => {
  test('schemathesis, all phases and all checks: no failure', async (t) => {
    const args = [
      '--config-file', join(HERE, 'schemathesis.toml'),
      'run', `${loom.url}/openapi.json`,
      '--checks', 'all',
      '--phases', 'examples,coverage,fuzzing,stateful',
      '--max-examples', '30',
      '--seed', '20261130',
      '--workers', '1',
      '--header', `Authorization: Bearer ${adminKey()}`,
      '--no-color',
    ]
    const child = spawn(st, args, { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    assert.equal(code, 0, `schemathesis found failures (exit ${code}):\n${out.slice(-60_000)}`)
    // What was run, for the record: the phases with their counts and times, and the summary.
    for (const line of out.split('\n').filter((l) => /\((in [\d.]+s)\)|passed|Scenarios|API Links|generated|Seed:|=====/.test(l))) t.diagnostic(line.trim())
  })
})
