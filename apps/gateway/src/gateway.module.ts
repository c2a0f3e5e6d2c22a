import { type DynamicModule, Module } from '@nestjs/common'
import type { Registry } from 'prom-client'
import type { LoomConfig } from '../../../libs/config/src/index.js'
import { PersistenceModule } from '../../../libs/persistence/src/index.js'
import { HealthController } from './health/health.controller.js'
import { HealthService } from './health/health.service.js'
import { METRICS_REGISTRY, MetricsController } from './metrics/metrics.controller.js'
import { SystemController } from './system/system.controller.js'
import { SystemService } from './system/system.service.js'
import { TemporalModule } from './temporal/temporal.module.js'
import { LOOM_CONFIG } from './tokens.js'

@Module({})
export class GatewayModule {
  static forRoot(config: LoomConfig & { databaseUrl: string }, registry: Registry): DynamicModule {
    return {
      module: GatewayModule,
      global: true,
      imports: [PersistenceModule.forRoot(config.databaseUrl), TemporalModule],
      controllers: [HealthController, SystemController, MetricsController],
      providers: [
        { provide: LOOM_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: registry },
        HealthService,
        SystemService,
      ],
      exports: [LOOM_CONFIG],
    }
  }
}
