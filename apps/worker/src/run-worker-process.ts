import { DefaultLogger, Runtime } from '@temporalio/worker'
import { ConfigError, loadConfig } from '#config/index.js'
import { createLogger } from '#logging/index.js'
import { activeTracing } from '#logging/tracing.js'
import { throughGate } from '#runtime/start-gate.js'
import { createLoomWorker, type LoomWorkerOptions } from './create-worker.js'

/**
 * A worker process: polls until SIGTERM/SIGINT (or the launcher going away), then stops taking tasks,
 * lets running activities finish within the grace time and exits 0; exits 1 on a start-up error.
 */
export function runWorkerProcess(options: Omit<LoomWorkerOptions, 'logger'> = {}): void {
  start(options).catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error)
    process.exit(1)
  })
}

async function start(options: Omit<LoomWorkerOptions, 'logger'>) {
  const config = loadConfig()
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: required by the worker (npm start sets it for its embedded PostgreSQL)'])
  const logger = createLogger('worker', config.logLevel)
  // Its code is loaded: now for the database and Temporal to be ready. Before the SDK's runtime, whose signal handlers
  // would keep a worker stopped at its gate running.
  await throughGate()
  // The SDK's own warnings (task failures, non-determinism) go out as the same JSON.
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      logger[level === 'ERROR' ? 'error' : 'warn']({ sdk: true, ...meta }, message)
    }),
  })
  const loom = await createLoomWorker({ ...config, databaseUrl: config.databaseUrl }, { ...options, logger })
  let stopping = false
  const stop = (reason: string) => {
    if (stopping) return
    stopping = true
    logger.info({ reason }, 'worker shutting down: no new tasks; waiting for running activities')
    loom.shutdown()
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  process.on('disconnect', () => stop('launcher gone'))
  const running = loom.run()
  logger.info({ task_queue: config.taskQueue, namespace: config.namespace }, 'worker polling')
  process.send?.({ ready: true })
  await running
  await activeTracing()?.shutdown()
  logger.info('worker stopped')
  process.exit(0)
}
