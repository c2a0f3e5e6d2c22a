// Every recorded history replays against today's workflow code: a change that would break running processes
// fails here (wrap such a change in patched()). Histories live in libs/workflows/src/<product>/histories/*.json;
// re-record deliberately with `LOOM_RECORD_HISTORIES=1 npm test -- create-node` when a workflow changes.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker'
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js'
import { projectRoot } from '#runtime/index.js'
import { PayloadEncryptionCodec } from '#integrations/temporal/payload-encryption.js'
import { ENCRYPTING_FAILURE_CONVERTER } from '#integrations/temporal/temporal-connection.js'
import { WORKFLOW_DECLARATIONS } from './registry.js'

// Histories recorded by the test suite hold payloads encrypted with its keys; older ones are in the clear and pass.
const dataConverter = {
  payloadCodecs: [new PayloadEncryptionCodec(readFileSync(join(projectRoot(), 'test', 'fixtures', 'payload-keys'), 'utf8'))],
  failureConverterPath: ENCRYPTING_FAILURE_CONVERTER,
}

const SOURCE = join(projectRoot(), 'libs', 'workflows', 'src')

function recordedHistories(): { name: string; file: string }[] {
  return readdirSync(SOURCE, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const dir = join(SOURCE, d.name, 'histories')
      try {
        return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ name: `${d.name}/${f}`, file: join(dir, f) }))
      } catch {
        return []
      }
    })
}

describe('replay of recorded histories', () => {
  const histories = recordedHistories()

  test('every process workflow has a recorded history of today\'s code', () => {
    const recorded = new Set(histories.map((h) => h.name.split('/')[1]))
    const missing = WORKFLOW_DECLARATIONS.map((d) => `${d.name}.json`).filter((f) => !recorded.has(f))
    assert.deepEqual(missing, [], 'record them: LOOM_RECORD_HISTORIES=1 npm test -- <the test that runs the workflow>')
  })

  for (const { name, file } of histories) {
    test(`${name} replays without non-determinism`, async () => {
      try {
        Runtime.install({ logger: new DefaultLogger('WARN') })
      } catch {
        // installed by an earlier test in this file
      }
      const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')))
      await Worker.runReplayHistory({ workflowsPath: require.resolve('./index.js'), dataConverter }, history, name)
    })
  }
})
