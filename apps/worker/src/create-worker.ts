import 'reflect-metadata'
import type { INestApplicationContext } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { Client } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import type { LoomConfig } from '#config/index.js'
import { createLogger, type Logger, PinoNestLogger } from '#logging/index.js'
import { ensureSearchAttributes } from '#runtime/index.js'
import { ProcessActivities } from '#activities/index.js'
import { dataConverterOf, temporalConnectionOptions } from '#integrations/temporal/temporal-connection.js'
import { workerTracing, workflowTracingModule } from '#integrations/temporal/tracing.js'
import { activeTracing } from '#logging/tracing.js'
import { PrismaService } from '#persistence/index.js'
import { workflowBundle } from './workflow-bundle.js'
import { ProcessReconciler, type ReconcilerOptions } from './reconciler.js'
import { stepLogInterceptor } from './step-log.interceptor.js'
import { ACTIVITY_PROVIDERS, WorkerModule } from './worker.module.js'

type ActivityFunction = (...args: never[]) => Promise<unknown>

export interface LoomWorkerOptions {
  /** extra or replacement activities (test fixtures) */
  activities?: Record<string, ActivityFunction>
  /** compiled workflow entry point; defaults to libs/workflows */
  workflowsPath?: string
  /** how long in-flight activities may run on after shutdown() before they are cancelled */
  shutdownGraceTime?: string
  logger?: Logger
  /** the reconciler of processes whose workflow was closed outside Loom (its interval, for tests); false: none */
  reconciler?: ReconcilerOptions | false
}

export interface LoomWorker {
  worker: Worker
  /** the worker's providers (tests look at the simulator driver's devices through it) */
  app: INestApplicationContext
  /** Polls until shutdown() and then until in-flight work has drained; closes everything it opened. */
  run(): Promise<void>
  shutdown(): void
}

/** Every public method of each activity provider, bound to its Nest instance, under the method's name. */
function bindActivities(app: INestApplicationContext): Record<string, ActivityFunction> {
  const activities: Record<string, ActivityFunction> = {}
  for (const provider of ACTIVITY_PROVIDERS) {
    const instance: object = app.get(provider)
    for (const name of Object.getOwnPropertyNames(provider.prototype)) {
      const fn: unknown = Reflect.get(instance, name)
      if (name === 'constructor' || typeof fn !== 'function') continue
      if (name in activities) throw new Error(`activity ${name} is declared twice (${provider.name})`)
      activities[name] = (fn as ActivityFunction).bind(instance)
    }
  }
  return activities
}

export async function createLoomWorker(config: LoomConfig & { databaseUrl: string }, options: LoomWorkerOptions = {}): Promise<LoomWorker> {
  const logger = options.logger ?? createLogger('worker', config.logLevel)
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  })
  let connection: NativeConnection | undefined
  try {
    connection = await NativeConnection.connect(temporalConnectionOptions(config))
    const added = await ensureSearchAttributes(connection, config.namespace).catch((error: unknown) => {
      // e.g. Temporal Cloud, where the operator API is not open to workers: register them there by hand.
      logger.warn({ err: error }, 'could not check or register Loom search attributes')
      return []
    })
    if (added.length) logger.info({ added }, 'registered search attributes')
    const tracing = activeTracing()
    const traced = tracing && workerTracing(tracing)
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      dataConverter: dataConverterOf(config),
      workflowBundle: await workflowBundle(
        options.workflowsPath ?? require.resolve('../../../libs/workflows/src/index.js'),
        logger,
        traced ? [workflowTracingModule] : [],
      ),
      activities: { ...bindActivities(app), ...options.activities },
      // The span first: the step log's writes happen inside it.
      interceptors: { activity: [...(traced ? [traced.activity] : []), stepLogInterceptor(app.get(ProcessActivities))] },
      ...(traced ? { sinks: traced.sinks } : {}),
      shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
      // Each cached workflow costs memory; one that is evicted replays its history on its next task.
      ...(config.workerCachedWorkflows !== undefined ? { maxCachedWorkflows: config.workerCachedWorkflows } : {}),
    })
    const conn = connection
    const reconciler =
      options.reconciler === false
        ? undefined
        : new ProcessReconciler(
            {
              client: new Client({ connection, namespace: config.namespace, dataConverter: dataConverterOf(config) }),
              namespace: config.namespace,
              taskQueue: config.taskQueue,
              prisma: app.get(PrismaService),
              processes: app.get(ProcessActivities),
              logger,
            },
            options.reconciler,
          )
    return {
      worker,
      app,
      shutdown: () => {
        void reconciler?.stop()
        worker.shutdown()
      },
      run: async () => {
        reconciler?.start()
        try {
          await worker.run()
        } finally {
          await reconciler?.stop()
          await conn.close().catch(() => {})
          await app.close()
        }
      },
    }
  } catch (error) {
    await connection?.close().catch(() => {})
    await app.close()
    throw error
  }
}
