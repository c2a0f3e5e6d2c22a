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
import { PRELOAD_MODULES } from './bundle-options.js'
import { RUN_CUSTOM_WORKFLOW } from './names.js'
import { WORKFLOW_DECLARATIONS } from './registry.js'

// Histories recorded by the test suite hold payloads encrypted with its keys; older ones are in the clear and pass.
const codec = new PayloadEncryptionCodec(readFileSync(join(projectRoot(), 'test', 'fixtures', 'payload-keys'), 'utf8'))
const dataConverter = { payloadCodecs: [codec], failureConverterPath: ENCRYPTING_FAILURE_CONVERTER }

type History = ReturnType<typeof historyFromJSON>

/**
 * The workflow id the history ran under: its process id, from its input. A process checks that its workflow id is
 * its process id (patched started-through-loom), so a replay under another id would take another path.
 */
async function workflowIdOf(history: History): Promise<string | undefined> {
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]
  if (!input) return undefined
  const [plain] = await codec.decode([input])
  return (JSON.parse(Buffer.from(plain.data ?? new Uint8Array()).toString('utf8')) as { process_id?: string }).process_id
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
    // The interpreter of custom workflows is a workflow type without a declaration of its own.
    const missing = [...WORKFLOW_DECLARATIONS.map((d) => d.name), RUN_CUSTOM_WORKFLOW].map((name) => `${name}.json`).filter((f) => !recorded.has(f))
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
      // Bundled as the worker bundles it: the shared (preloaded) modules replay too.
      await Worker.runReplayHistory({ workflowsPath: require.resolve('./index.js'), bundlerOptions: { preloadModules: [...PRELOAD_MODULES] }, dataConverter }, history, (await workflowIdOf(history)) ?? name)
    })
  }
})
