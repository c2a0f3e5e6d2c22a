import './start-tracing.js'
import { ConfigError, loadConfig } from '#config/index.js'
import { createLogger } from '#logging/index.js'
import { activeTracing } from '#logging/tracing.js'
import { throughGate } from '#runtime/start-gate.js'
import { createGateway } from './create-gateway.js'

async function main() {
  const config = loadConfig()
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: required by the gateway (npm start sets it for its embedded PostgreSQL)'])
  const logger = createLogger('gateway', config.logLevel)
  // Built (no query, no connection yet) while the launcher may still bring up the database and Temporal; answering
  // only once they are ready, so that /api/health's 200 still means the product is ready.
  const app = await createGateway({ ...config, databaseUrl: config.databaseUrl }, logger)
  await throughGate()
  await app.listen(config.httpPort, config.httpHost)
  logger.info({ host: config.httpHost, port: config.httpPort }, `gateway listening on ${config.httpHost}:${config.httpPort}`)
  if (!config.auth.enabled) {
    // Said at every start, on stderr and in the log: an installation left like this must not go unnoticed.
    const warning = `LOOM_AUTH=off: NO AUTHENTICATION — every caller on ${config.httpHost} is an administrator. For experiments only; unset LOOM_AUTH to turn it back on.`
    console.error(`\n!!! ${warning} !!!\n`)
    logger.warn({ auth: 'off' }, warning)
  }
  process.send?.({ ready: true })
  // The launcher going away (even by SIGKILL) closes the IPC channel: stop with it, sending the spans still buffered.
  process.on('disconnect', () => void app.close().then(() => activeTracing()?.shutdown()).then(() => process.exit(0)))
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message)
  else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') console.error(`port in use: set LOOM_HTTP_PORT to a free port (${(error as Error).message})`)
  else console.error(error)
  process.exit(1)
})
