import { DefaultLogger, Runtime } from '@temporalio/worker'
import { ConfigError, loadConfig } from '../../../libs/config/src/index.js'
import { createLogger } from '../../../libs/logging/src/index.js'
import { createLoomWorker } from './create-worker.js'

async function main() {
  const config = loadConfig()
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: required by the worker (npm start sets it for its embedded PostgreSQL)'])
  const logger = createLogger('worker', config.logLevel)
  // The SDK's own log lines (worker state, task failures) go out as the same JSON.
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      const method = level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'INFO' ? 'info' : 'debug'
      logger[method]({ sdk: true, ...meta }, message)
    }),
  })
  const loom = await createLoomWorker({ ...config, databaseUrl: config.databaseUrl }, { logger })
  let stopping = false
  const stop = (reason: string) => {
    if (stopping) return
    stopping = true
    logger.info({ reason }, 'worker shutting down: no new tasks; waiting for running activities')
    loom.shutdown()
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  // The launcher going away (even by SIGKILL) closes the IPC channel: stop with it.
  process.on('disconnect', () => stop('launcher gone'))
  const running = loom.run()
  logger.info({ task_queue: config.taskQueue, namespace: config.namespace }, 'worker polling')
  process.send?.({ ready: true })
  await running
  logger.info('worker stopped')
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
