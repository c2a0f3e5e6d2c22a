// OpenTelemetry end to end: a gateway and a worker process started as `npm run start:*` starts them, with
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver of the test's own; one create_node makes one trace from the
// gateway's HTTP request through the workflow start, the workflow and its activities down to the SQL they send.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { configToEnv, type LoomConfig } from '#config/index.js'
import { freePort, projectRoot, waitFor } from '#runtime/index.js'
import { type ApiClient, apiClient } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { childEnv, testConfig } from '../support/env.js'
import { type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.js'
import { type Child, readyOf, spawnNode, stopChild } from '../support/processes.js'

const GATEWAY_MAIN = join(projectRoot(), 'dist', 'apps', 'gateway', 'src', 'main.js')
const WORKER_MAIN = join(projectRoot(), 'dist', 'apps', 'worker', 'src', 'main.js')
const SERVER = 2

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>
let db: TestDatabase
let config: LoomConfig & { databaseUrl: string }
let api: ApiClient
const children: Child[] = []

function start(main: string): Child {
  // Batches every 100 ms instead of 5 s: the test waits for the last spans.
  const child = spawnNode(main, childEnv({ ...configToEnv(config), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' }))
  children.push(child)
  return child
}

before(async () => {
  receiver = await startOtlpReceiver()
  db = await cloneDatabase()
  await seed(db.url, plannedRouters('trace', 1))
  config = testConfig(db.url, { httpPort: await freePort() })
  const [gateway, worker] = [start(GATEWAY_MAIN), start(WORKER_MAIN)]
  await Promise.all([readyOf(gateway), readyOf(worker)])
  api = apiClient(`http://127.0.0.1:${config.httpPort}`)
})

after(async () => {
  await Promise.all(children.map((c) => stopChild(c, 'SIGKILL')))
  await db?.drop()
  await receiver?.close()
})

test('one create_node is one trace: HTTP request, workflow start, workflow, activities, SQL', async () => {
  const started = await api.call<{ id: string }>('POST', '/api/processes/create_node', { router: 'trace-r1' })
  assert.equal(started.status, 201, JSON.stringify(started.body))
  await api.waitForProcess(started.body.id, (p) => p.pending_input !== null)
  const answered = await api.call('PUT', `/api/processes/${started.body.id}/resume`, { confirm_config_applied: true })
  assert.equal(answered.status, 200, JSON.stringify(answered.body))
  await api.waitForProcess(started.body.id, (p) => p.status === 'completed', 60_000)

  // The workflow's own span ends with the workflow: once it is here, so is everything before it.
  const named = (name: string) => receiver.spans.find((s) => s.name === name)
  await waitFor(() => named('RunWorkflow:create_node') !== undefined, {
    timeoutMs: 20_000,
    describe: () => `no RunWorkflow span; received: ${[...new Set(receiver.spans.map((s) => `${s.service} ${s.name}`))].join(', ')}`,
  })
  const startSpan = named('StartWorkflow:create_node')!
  assert.ok(startSpan, 'the gateway sent the span of its workflow start')
  const trace = receiver.spans.filter((s) => s.traceId === startSpan.traceId)
  const byId = new Map(trace.map((s) => [s.spanId, s]))
  const describe = () => trace.map((s) => `${s.service} ${s.scope} ${s.name} ${s.spanId} <- ${s.parentSpanId ?? 'root'}`).join('\n')
  const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
    return parent ? [parent, ...ancestors(parent)] : []
  }

  // The root: the gateway's server span of the POST, named by its route.
  const roots = trace.filter((s) => !s.parentSpanId)
  assert.equal(roots.length, 1, `one root:\n${describe()}`)
  const [root] = roots
  assert.deepEqual([root.service, root.kind, root.name], ['loom-gateway', SERVER, 'POST /api/processes/:workflow'], describe())
  assert.deepEqual([root.attributes['http.request.method'], root.attributes['url.path']], ['POST', '/api/processes/create_node'])
  // Every span hangs from it: no parent is missing.
  for (const span of trace) assert.ok(span === root || ancestors(span).at(-1) === root, `${span.name} is not connected to the request:\n${describe()}`)

  const handler = byId.get(startSpan.parentSpanId ?? '')
  assert.deepEqual([handler?.scope, handler?.parentSpanId], ['@opentelemetry/instrumentation-express', root.spanId], 'the workflow starts in the route handler')
  const run = named('RunWorkflow:create_node')!
  assert.equal(run.traceId, root.traceId, `the workflow is in the request's trace:\n${describe()}`)
  assert.deepEqual([run.service, run.parentSpanId], ['loom-worker', startSpan.spanId], 'the workflow runs under its start')

  const activities = trace.filter((s) => s.name.startsWith('RunActivity:'))
  assert.ok(activities.length >= 5, `the activities:\n${describe()}`)
  for (const activity of activities) {
    const scheduled = byId.get(activity.parentSpanId ?? '')
    assert.ok(scheduled?.name.startsWith('StartActivity:') && ancestors(scheduled).includes(run), `${activity.name} under its StartActivity in the workflow`)
  }

  const queries = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-pg')
  assert.ok(
    queries.some((q) => q.service === 'loom-worker' && ancestors(q).some((a) => a.name.startsWith('RunActivity:'))),
    `SQL inside an activity:\n${describe()}`,
  )
  assert.ok(
    queries.some((q) => q.service === 'loom-gateway'),
    `the gateway's SQL in the request:\n${describe()}`,
  )
  // Statements with their placeholders, never the values bound to them.
  for (const q of queries) assert.doesNotMatch(String(q.attributes['db.query.text']), /trace-r1/)
})
