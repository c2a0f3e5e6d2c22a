import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before } from 'node:test'
import type { INestApplication } from '@nestjs/common'
import type { NextFunction, Request, Response } from 'express'
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

/**
 * The real gateway on a free port, as `main` builds it. Every answer a route gives in the test is held against
 * /openapi.json: closing the gateway fails, naming them, if any route answered a status its operation does not
 * declare — so the whole suite tests that the document lists what the controllers return.
 */
export async function startGateway(
  config: LoomConfig & { databaseUrl: string },
  workflows?: WorkflowSet,
  /** what the statuses are held against, from the served document (the test of this check changes it) */
  declared: (doc: OpenApiPaths) => OpenApiPaths = (doc) => doc,
): Promise<RunningGateway> {
  const app = await createGateway(config, createLogger('gateway', config.logLevel), workflows)
  const statuses = declaredStatuses(app)
  await app.listen(0, '127.0.0.1')
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  statuses.document(declared((await (await fetch(`${url}/openapi.json`)).json()) as OpenApiPaths))
  return {
    app,
    url,
    close: async () => {
      await app.close()
      const undeclared = statuses.undeclared()
      if (undeclared.length) throw new Error(`routes answered statuses /openapi.json does not declare for them:\n${undeclared.join('\n')}`)
    },
  }
}

export type OpenApiPaths = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }

/** Records each (operation, status) a matched route answers that the document does not declare for it. */
function declaredStatuses(app: INestApplication) {
  const declared = new Map<string, Set<string>>()
  const seen = new Set<string>()
  // Express's /api/processes/:id and OpenAPI's /api/processes/{workflow_or_id} are the same shape.
  const shape = (path: string) => path.replace(/:[^/]+|\{[^}]+\}/g, '{}')
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      const { route } = req as unknown as { route?: { path?: string } }
      const path = route?.path
      if (!path || !declared.size) return
      const key = `${req.method.toUpperCase()} ${shape(path)}`
      const codes = declared.get(key)
      if (codes && !codes.has(String(res.statusCode))) seen.add(`${key}: ${res.statusCode} (declared: ${[...codes].join(', ')})`)
    })
    next()
  })
  return {
    document(doc: OpenApiPaths) {
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(item)) declared.set(`${method.toUpperCase()} ${shape(path)}`, new Set(Object.keys(operation.responses)))
      }
    },
    undeclared: () => [...seen].sort(),
  }
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
