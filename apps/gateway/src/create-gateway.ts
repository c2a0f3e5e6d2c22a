import 'reflect-metadata'
import type { INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger'
import type { LoomConfig } from '#config/index.js'
import { ProblemDto } from '#contracts/index.js'
import { createLogger, type Logger, PinoNestLogger } from '#logging/index.js'
import { GatewayModule } from './gateway.module.js'
import { WorkflowCatalog, type WorkflowSet } from './workflows/workflow-catalog.service.js'
import { ProblemDetailsFilter } from './http/problem-details.filter.js'
import { RETRY_AFTER_HEADER } from './http/problem.js'
import { requestContext } from './http/request-context.js'
import { LoomValidationPipe } from './http/validation.pipe.js'
import { jsonOnly } from './http/json-only.js'
import { requestLine } from './http/input-hygiene.js'
import { exactDocument } from './http/openapi.js'
import { documentValidators } from './http/validator-schema.js'
import { AuditService } from './audit/audit.service.js'
import { auditTrail } from './audit/audit-trail.js'
import { codecCors } from './temporal/codec.controller.js'
import { createMetricsRegistry, httpMetrics } from './metrics/http-metrics.js'

export const API_VERSION = '0.1.0'

/** Builds the gateway without listening, so that tests and `main` configure it identically. */
export async function createGateway(
  config: LoomConfig & { databaseUrl: string },
  logger: Logger = createLogger('gateway', config.logLevel),
  workflows?: WorkflowSet,
): Promise<INestApplication> {
  const { registry, httpDuration } = createMetricsRegistry()
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config, registry, workflows), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  })
  app.disable('x-powered-by')
  app.use('/codec', codecCors(config))
  app.use(requestContext(logger), requestLine(), jsonOnly(), httpMetrics(httpDuration), auditTrail(app.get(AuditService), logger))
  app.useGlobalPipes(new LoomValidationPipe())
  app.useGlobalFilters(new ProblemDetailsFilter(logger))
  app.enableShutdownHooks()

  documentValidators()
  const document = exactDocument(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Loom API')
      .setDescription(
        'Durable network-service orchestration: products, subscriptions and the processes that change them, run on Temporal. ' +
          'Errors are application/problem+json (RFC 9457). Every route but /api/health needs `Authorization: Bearer <token>`: a Loom API key (`loom_…`, ' +
          'see /api/auth/keys; `npm start` writes the first one to $LOOM_DATA_DIR/admin-api-key) or an OIDC access token from the issuer in LOOM_OIDC_ISSUER. ' +
          'Each operation names the permission it needs; without credentials it answers 401, without the permission 403.',
      )
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'a Loom API key (loom_…) or an OIDC access token (JWT)' })
      .setVersion(API_VERSION)
      .addGlobalResponse({
        status: 503,
        type: ProblemDto,
        description: 'a dependency is busy or down (the database, Temporal), or the engine is stopped; the problem names it',
        headers: RETRY_AFTER_HEADER,
      })
      .addGlobalResponse({
        status: 429,
        type: ProblemDto,
        description: 'more requests a minute from this caller than LOOM_RATE_LIMIT allows',
        headers: RETRY_AFTER_HEADER,
      })
      .build(),
  ), vocabularies(app.get(WorkflowCatalog)))
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' })
  return app
}

/** The names path parameters take (ApiNamedParam), as this gateway knows them. */
function vocabularies(catalog: WorkflowCatalog): Record<string, string[]> {
  const workflows = catalog.list()
  return { workflows: workflows.map((w) => w.name), 'startable-workflows': workflows.filter((w) => w.startable).map((w) => w.name) }
}
