// `npm start`: runs the whole product on its embedded defaults — a Temporal dev server (SQLite file under the data dir),
// an embedded PostgreSQL (unless DATABASE_URL is set), the migrations, one worker and the gateway — and stops
// them in order on Ctrl-C / SIGTERM: gateway, worker, then Temporal and PostgreSQL. Once Loom is running, a child that
// stops unexpectedly is started again (see supervisor.ts); one that keeps dying stops everything.
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join, relative } from 'node:path'
import { configToEnv, loadConfig, type LoomConfig, temporalAddressOf } from '#config/index.js'
import { lockDataDir } from '#runtime/data-dir-lock.js'
import { embeddedPostgresUrl, startEmbeddedPostgres } from '#runtime/embedded-postgres.js'
import { firstMessage, type ManagedProcess, spawnManaged } from '#runtime/managed-process.js'
import { assertPortsFree } from '#runtime/ports.js'
import { heldEnv, sendGo } from '#runtime/start-gate.js'
import { findTemporalCli } from '#runtime/temporal-cli.js'
import { answers, devServerUiUrl, recordDevServer, startTemporalDevServer, stopStaleDevServer } from '#runtime/temporal-dev-server.js'
import { ensurePayloadKeysFile } from '#integrations/temporal/payload-keys-file.js'
import { FleetSimulator } from '#integrations/devices/fleet-simulator.js'
import { ADMIN_KEY_FILE } from './admin-key-file.js'
import type * as Preparation from './prepare-database.js'
import { Supervised } from './supervisor.js'

// Loaded once PostgreSQL answers, not with this module: the Prisma client, the catalogue and the workflows' declarations
// take about a second to load, which would otherwise delay spawning the servers and children it overlaps with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preparation = () => require('./prepare-database.js') as typeof Preparation

const say = (message: string) => console.log(`loom: ${message}`)
const children: Supervised[] = []
let stopping = false
/** restarts begin once Loom is running: before, a child that stops means Loom cannot start */
let running = false
/** the OS-upgrade simulator of the demo fleet, served from this process (LOOM_DEMO_FLEET without LOOM_FLEET_SIMULATOR_URL) */
let fleetSimulator: FleetSimulator | undefined

async function main() {
  const config = loadConfig()
  mkdirSync(config.dataDir, { recursive: true })
  // Before anything else: a second start on this data dir must not touch what the first one runs.
  process.on('exit', await lockDataDir(shortPath(config.dataDir)))
  if (!config.temporalAddress) {
    const stale = await stopStaleDevServer(join(config.dataDir, 'temporal.pid'), join(config.dataDir, 'temporal.db'))
    if (stale) say(`stopped a Temporal dev server (pid ${stale}) left running by an earlier start that did not end cleanly`)
  }
  const ports = [{ port: config.httpPort, variable: 'LOOM_HTTP_PORT' }]
  if (!config.temporalAddress) ports.push({ port: config.temporalPort, variable: 'LOOM_TEMPORAL_PORT' }, { port: config.temporalUiPort, variable: 'LOOM_TEMPORAL_UI_PORT' })
  if (!config.databaseUrl) ports.push({ port: config.embeddedPostgresPort, variable: 'LOOM_POSTGRES_PORT' })
  await assertPortsFree(ports)

  const t0 = performance.now()
  // Every payload Temporal keeps is encrypted: with LOOM_PAYLOAD_KEYS, or keys made at the first start.
  let temporalSecurity = config.temporalSecurity
  if (!temporalSecurity.payloadKeys) {
    const file = join(config.dataDir, 'payload-keys')
    if (ensurePayloadKeysFile(file).created) say(`made the key that encrypts Temporal payloads: ${shortPath(file)} (mode 600; keep it with ${shortPath(join(config.dataDir, 'temporal.db'))})`)
    temporalSecurity = { ...temporalSecurity, payloadKeys: `file:${file}` }
  }
  const devices = { ...config.devices, fleetSimulatorUrl: config.devices.fleetSimulatorUrl ?? (config.demoFleet ? await startFleetSimulator(config) : undefined) }
  const temporalUiUrl = config.temporalUiUrl ?? (config.temporalAddress ? undefined : devServerUiUrl(config.temporalUiPort))
  const env = {
    ...process.env,
    ...configToEnv({ ...config, databaseUrl: config.databaseUrl ?? embeddedPostgresUrl(config.embeddedPostgresPort), temporalAddress: temporalAddressOf(config), temporalUiUrl, temporalSecurity, devices }),
  }

  // Everything is spawned before anything heavy loads here, and all at once: the children load their code (seconds of
  // CPU) while PostgreSQL and Temporal start, then wait at their gate until those are ready (start-gate.ts).
  const database = startDatabase(config)
  const temporal = startTemporal(config)
  const node = (name: string, childEnv: NodeJS.ProcessEnv) =>
    spawnManaged(name, process.execPath, [join(__dirname, '..', '..', name, 'src', 'main.js')], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  // A restart comes when everything is ready: no gate. The gateway needs no worker to start: both come up at once.
  const worker = supervise('worker', () => Promise.resolve(node('worker', env)), node('worker', heldEnv(env)))
  const gateway = supervise('gateway', () => Promise.resolve(node('gateway', env)), node('gateway', heldEnv(env)))
  const adminKeyFile = join(config.dataDir, ADMIN_KEY_FILE)
  // The migrations need only PostgreSQL: they run while Temporal may still be starting.
  const prepared = database.then((databaseUrl) =>
    preparation().prepareDatabase(databaseUrl, { demoData: true, say, defaultCustomerId: config.defaultCustomerId, adminKeyFile, demoFleet: config.demoFleet }),
  )
  await allSettled([prepared, temporal])
  for (const child of [worker, gateway]) sendGo(child)
  await Promise.all([firstMessage(worker, 120_000), firstMessage(gateway, 60_000)])
  running = true

  const base = `http://${reachableHost(config.httpHost)}:${config.httpPort}`
  console.log(
    [
      '',
      `Loom is running (ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      `  API          ${base}/api   (try: curl -H "Authorization: Bearer $(cat ${shortPath(adminKeyFile)})" ${base}/api/auth/me)`,
      `  API key      ${config.auth.enabled ? `${shortPath(adminKeyFile)} (administrator; the loom CLI reads it)` : 'none needed: LOOM_AUTH=off, every caller is an administrator'}`,
      `  Swagger UI   ${base}/docs`,
      `  OpenAPI      ${base}/openapi.json`,
      `  Metrics      ${base}/metrics`,
      ...(config.demoFleet ? [`  Fleet        the ACME demo fleet (848 devices); OS upgrades by the simulator at ${devices.fleetSimulatorUrl} (try: npm run cli -- task upgrade-os --version 5.3.1 --site earth)`] : []),
      `  Temporal UI  ${temporalUiUrl ?? '(not known: set LOOM_TEMPORAL_UI_URL)'}`,
      `  Temporal     ${temporalAddressOf(config)}${config.temporalAddress ? ' (TEMPORAL_ADDRESS)' : `, namespace ${config.namespace}, state in ${shortPath(join(config.dataDir, 'temporal.db'))}`}`,
      `  PostgreSQL   ${config.databaseUrl ? 'DATABASE_URL' : `embedded on 127.0.0.1:${config.embeddedPostgresPort}, data in ${shortPath(join(config.dataDir, 'postgres'))}`}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  )
}

/** The demo fleet's devices, simulated: seeded as LOOM_SIMULATOR_SEED says, their versions kept in the data dir. */
async function startFleetSimulator(config: LoomConfig): Promise<string> {
  fleetSimulator = new FleetSimulator({ seed: config.devices.simulator.seed }, { stateFile: join(config.dataDir, 'fleet-simulator.json') })
  const url = await fleetSimulator.listen()
  say(`the ACME fleet's OS upgrades go to a device simulator at ${url} (latency 10 ms – 2 s, about 1.5 % failures; state in ${shortPath(join(config.dataDir, 'fleet-simulator.json'))})`)
  return url
}

async function startDatabase(config: LoomConfig): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl
  say(`starting the embedded PostgreSQL on 127.0.0.1:${config.embeddedPostgresPort} (data in ${shortPath(join(config.dataDir, 'postgres'))})`)
  // A restart: the same data dir and port.
  const start = async () => {
    const log = openSync(join(config.dataDir, 'postgres.log'), 'a')
    try {
      return await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, log })
    } finally {
      closeSync(log)
    }
  }
  const first = await start()
  supervise('postgres', async () => (await start()).process, first.process)
  return first.url
}

async function startTemporal(config: LoomConfig): Promise<void> {
  if (config.temporalAddress) {
    if (!(await answers(config.temporalAddress, 3000)))
      throw new Error(`TEMPORAL_ADDRESS=${config.temporalAddress}: no Temporal server answers there (unset it to let Loom run a dev server)`)
    return
  }
  const cli = await findTemporalCli({ configured: config.temporalCli, dataDir: config.dataDir, install: true, log: say })
  say(`starting the Temporal dev server (${cli.version.split('\n')[0]}, ${cli.source}) on 127.0.0.1:${config.temporalPort}`)
  // A restart: the same SQLite file and ports.
  const start = async () => {
    const server = await startTemporalDevServer({
      cli: cli.path,
      dbFile: join(config.dataDir, 'temporal.db'),
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      // The UI decrypts payloads through the gateway, for whoever it lets read processes.
      uiCodecEndpoint: `http://${reachableHost(config.httpHost)}:${config.httpPort}/codec`,
      namespace: config.namespace,
      logFile: join(config.dataDir, 'temporal.log'),
    })
    recordDevServer(join(config.dataDir, 'temporal.pid'), server)
    return server
  }
  const server = await start()
  supervise('temporal', async () => (await start()).process, server.process)
}

/** Like Promise.all, but only once every promise has settled: a failure leaves no server starting unsupervised, unstopped. */
async function allSettled(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** Restarted when it stops unexpectedly once Loom is running; before that (or after it keeps dying), everything stops. */
function supervise(name: string, start: () => Promise<ManagedProcess>, first: ManagedProcess): ManagedProcess {
  const giveUp = (message: string) => {
    if (stopping) return
    console.error(`loom: ${message}`)
    void shutdown(1)
  }
  const supervised = new Supervised({ name, start, say, giveUp, active: () => running && !stopping }, first)
  children.push(supervised)
  return first
}

/** Gateway first (no new requests), then the worker (drains its activities), then the servers they use. */
async function shutdown(code: number) {
  if (stopping) return
  stopping = true
  const byName = (name: string) => children.filter((c) => c.name === name)
  for (const group of [byName('gateway'), byName('worker'), [...byName('temporal'), ...byName('postgres')]]) {
    await Promise.all(group.map((c) => c.stop(30_000)))
    // The simulated devices go after the worker, as devices outlive it: their state is written on the way.
    if (group.some((c) => c.name === 'worker')) await fleetSimulator?.close()
  }
  process.exit(code)
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel.startsWith('..') ? path : rel
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) say(`${signal}: stopping`)
    void shutdown(0)
  })
}

main().catch((error: unknown) => {
  console.error(`loom: cannot start: ${error instanceof Error ? error.message : String(error)}`)
  void shutdown(1)
})

/** The gateway's address as a URL on this machine names it: a wildcard as localhost, IPv6 in brackets. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}
