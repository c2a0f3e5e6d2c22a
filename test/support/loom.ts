// The whole product for an e2e test file: a fresh database with planned routers (and the demo IPAM pools), the
// real gateway and a real worker in this process, as `npm start` runs them. A test file calls `start()` at the
// beginning of its own `before` (so that its setup runs on a started product) and `stop()` in its `after`; its
// tests read `api`, `url`, `databaseUrl` and `simulator`.
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import { loadConfig, type LoomConfig } from '#config/index.js'
import { DEVICE_DRIVER } from '#integrations/devices/driver.js'
import type { SimulatorDriver } from '#integrations/devices/simulator-driver.js'
import type { SeedDevice } from '#persistence/index.js'
import { type ApiClient, apiClient } from './api.js'
import { cloneDatabase, type TestDatabase } from './database.js'
import { seed } from './dcim.js'
import { quietTemporalRuntime, testConfig } from './env.js'
import { type RunningGateway, startGateway } from './gateway.js'

export interface LoomOptions {
  /** the planned routers DCIM starts with */
  devices: SeedDevice[]
  /** the simulator driver (routers whose running configuration a test can read) instead of the manual one */
  simulator?: boolean
  /** more configuration, computed by `start()` */
  config?: () => Partial<LoomConfig>
}

export function loomStack(options: LoomOptions) {
  const state: { db?: TestDatabase; gw?: RunningGateway; worker?: LoomWorker; running?: Promise<void> } = {}
  const start = async () => {
    quietTemporalRuntime()
    state.db = await cloneDatabase()
    await seed(state.db.url, options.devices)
    const config = testConfig(state.db.url, {
      ...(options.simulator ? { devices: loadConfig({ LOOM_DEVICE_DRIVER: 'simulator' }).devices } : {}),
      ...options.config?.(),
    })
    state.gw = await startGateway(config)
    // Tasks and schedules act through the API: this gateway's.
    state.worker = await createLoomWorker({ ...config, publicUrl: state.gw.url })
    state.running = state.worker.run()
  }
  const stop = async () => {
    if (state.running) {
      state.worker!.shutdown()
      await state.running
    }
    await state.gw?.close()
    await state.db?.drop()
  }
  return {
    start,
    stop,
    get url(): string {
      return state.gw!.url
    },
    get api(): ApiClient {
      return apiClient(state.gw!.url)
    },
    get databaseUrl(): string {
      return state.db!.url
    },
    /** the worker's simulated routers (with `simulator: true`) */
    get simulator(): SimulatorDriver {
      return state.worker!.app.get<SimulatorDriver>(DEVICE_DRIVER)
    },
  }
}
