import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common'
import { Client, Connection } from '@temporalio/client'
import { type LoomConfig, temporalAddressOf } from '#config/index.js'
import { dataConverterOf, temporalConnectionOptions } from '#integrations/temporal/temporal-connection.js'
import { clientTracingInterceptors } from '#integrations/temporal/tracing.js'
import { activeTracing } from '#logging/tracing.js'
import { LOOM_CONFIG } from '../tokens.js'

/** The gateway's Temporal client. The connection is lazy so that the gateway starts (and reports 503) while Temporal is down. */
@Injectable()
export class TemporalService implements OnApplicationShutdown {
  readonly connection: Connection
  /** Without the SDK's retry interceptor: a health probe must report a refused connection at once, not retry it. */
  readonly probeConnection: Connection
  readonly client: Client
  readonly address: string

  constructor(@Inject(LOOM_CONFIG) config: LoomConfig) {
    this.address = temporalAddressOf(config)
    const options = temporalConnectionOptions(config)
    this.connection = Connection.lazy({ ...options, connectTimeout: 2000 })
    this.probeConnection = Connection.lazy({ ...options, connectTimeout: 2000, interceptors: [] })
    this.client = new Client({
      connection: this.connection,
      namespace: config.namespace,
      dataConverter: dataConverterOf(config),
      interceptors: clientTracingInterceptors(activeTracing()),
    })
  }

  async onApplicationShutdown() {
    await Promise.all([this.connection.close().catch(() => {}), this.probeConnection.close().catch(() => {})])
  }
}

@Global()
@Module({ providers: [TemporalService], exports: [TemporalService] })
export class TemporalModule {}
