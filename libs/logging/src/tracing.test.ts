// Tracing off is no tracing at all: without an OTLP endpoint (or with OTEL_SDK_DISABLED) not one OpenTelemetry
// module is loaded, let alone started.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'

function startIn(otel: Record<string, string>): { started: boolean; loaded: string[] } {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_'))), ...otel }
  const script = `const t = require(${JSON.stringify(join(__dirname, 'tracing.js'))})
    const started = t.startTracing('loom-test') !== undefined
    console.log(JSON.stringify({ started, loaded: Object.keys(require.cache).filter((f) => f.includes('@opentelemetry')) }))`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' })) as { started: boolean; loaded: string[] }
}

test('without OTEL_EXPORTER_OTLP_ENDPOINT nothing of OpenTelemetry is loaded', () => {
  assert.deepEqual(startIn({}), { started: false, loaded: [] })
  assert.deepEqual(startIn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }), { started: false, loaded: [] })
})

test('with it, the SDK starts', () => {
  assert.equal(startIn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).started, true)
})
