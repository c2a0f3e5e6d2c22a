import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DataConverter } from '@temporalio/common'
import { PayloadEncryptionCodec } from '#integrations/temporal/payload-encryption.js'
import { ENCRYPTING_FAILURE_CONVERTER } from '#integrations/temporal/temporal-connection.js'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import { loadConfig, type LoomConfig } from '#config/index.js'
import { projectRoot } from '#runtime/index.js'

export function testTemporalAddress(): string {
  const address = process.env.LOOM_TEST_TEMPORAL_ADDRESS
  if (!address) throw new Error('LOOM_TEST_TEMPORAL_ADDRESS is not set: run the tests with `npm test`')
  return address
}

export function testTemporalCli(): string {
  const cli = process.env.LOOM_TEST_TEMPORAL_CLI
  if (!cli) throw new Error('LOOM_TEST_TEMPORAL_CLI is not set: run the tests with `npm test`')
  return cli
}

/** A task queue of the test's own, so that workers of parallel tests never take each other's tasks. */
export const uniqueTaskQueue = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`

/** A config as loadConfig builds it, pointed at the test run's Temporal server and the given database. */
/** The test run's payload keys (test/fixtures/payload-keys; test2 encrypts, test1 still decrypts). */
export const TEST_PAYLOAD_KEYS = `file:${join(projectRoot(), 'test', 'fixtures', 'payload-keys')}`

/** What a test's own Temporal client needs to read what Loom's workers wrote (encrypted with the test keys). */
export function testDataConverter(): DataConverter {
  return { payloadCodecs: [new PayloadEncryptionCodec(readFileSync(join(projectRoot(), 'test', 'fixtures', 'payload-keys'), 'utf8'))], failureConverterPath: ENCRYPTING_FAILURE_CONVERTER }
}

export function testConfig(databaseUrl: string, overrides: Partial<LoomConfig> = {}): LoomConfig & { databaseUrl: string } {
  // No rate limit, schedules every second: tests and benchmarks send bursts on purpose (both limits have their tests).
  const base = loadConfig({ LOOM_LOG_LEVEL: process.env.LOOM_TEST_LOG_LEVEL ?? 'silent', LOOM_RATE_LIMIT: '0', LOOM_SCHEDULE_MIN_SECONDS: '1' })
  // Every payload encrypted, as an installation would run: the suite proves the codec on everything it does.
  const temporalSecurity = { ...base.temporalSecurity, payloadKeys: TEST_PAYLOAD_KEYS }
  // Callback notices go to the test's own servers on this machine.
  return { ...base, temporalAddress: testTemporalAddress(), databaseUrl, taskQueue: uniqueTaskQueue('q'), temporalSecurity, callbackUrlPrefixes: ['http://127.0.0.1:'], ...overrides }
}

/** Environment for a child process (worker, gateway, launcher) built from a test config. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOM_') && k !== 'DATABASE_URL' && k !== 'TEMPORAL_ADDRESS') env[k] = v
  return { ...env, LOOM_LOG_LEVEL: process.env.LOOM_TEST_LOG_LEVEL ?? 'warn', LOOM_RATE_LIMIT: '0', LOOM_SCHEDULE_MIN_SECONDS: '1', LOOM_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, ...extra }
}

/** In-process workers log through the SDK's process-wide Runtime: keep test output to warnings. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') })
  } catch {
    // already installed in this process
  }
}
