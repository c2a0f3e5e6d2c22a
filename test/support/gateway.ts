import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before } from 'node:test'
import type { INestApplication } from '@nestjs/common'
import { createGateway } from '../../apps/gateway/src/create-gateway.js'
import type { WorkflowSet } from '../../apps/gateway/src/workflows/workflow-catalog.service.js'
import type { LoomConfig } from '#config/index.js'
import { createLogger } from '#logging/index.js'
import { PrismaService } from '#persistence/index.js'
import { type ApiClient, apiClient } from './api.js'
import { cloneDatabase, type TestDatabase } from './database.js'
import { testConfig } from './env.js'

export interface RunningGateway {
  app: INestApplication
  url: string
  close(): Promise<void>
}

/** The real gateway on a free port, as `main` builds it. */
export async function startGateway(config: LoomConfig & { databaseUrl: string }, workflows?: WorkflowSet): Promise<RunningGateway> {
  const app = await createGateway(config, createLogger('gateway', config.logLevel), workflows)
  await app.listen(0, '127.0.0.1')
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() }
}

/**
 * Registers before/after hooks in the calling suite: a fresh database (migrated, catalogue synced), a Prisma
 * client on it and the real gateway. Read `gateway.url`, `.api` and `.prisma` inside tests.
 */
export function gatewayOnFreshDatabase() {
  const state: { db?: TestDatabase; prisma?: PrismaService; gw?: RunningGateway } = {}
  before(async () => {
    state.db = await cloneDatabase()
    state.prisma = new PrismaService(state.db.url)
    state.gw = await startGateway(testConfig(state.db.url))
  })
  after(async () => {
    await state.gw?.close()
    await state.prisma?.$disconnect()
    await state.db?.drop()
  })
  return {
    get url(): string {
      return state.gw!.url
    },
    get api(): ApiClient {
      return apiClient(state.gw!.url)
    },
    get prisma(): PrismaService {
      return state.prisma!
    },
  }
}
