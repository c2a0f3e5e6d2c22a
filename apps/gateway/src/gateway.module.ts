import { type DynamicModule, Module } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import type { Registry } from 'prom-client'
import type { LoomConfig } from '#config/index.js'
import { IntegrationsModule } from '#integrations/integrations.module.js'
import { MessageSigner, PersistenceModule, PrismaService } from '#persistence/index.js'
import { CustomersController } from './customers/customers.controller.js'
import { CustomersService } from './customers/customers.service.js'
import { DcimController } from './dcim/dcim.controller.js'
import { IpamController } from './ipam/ipam.controller.js'
import { HealthController } from './health/health.controller.js'
import { HealthService } from './health/health.service.js'
import { METRICS_REGISTRY, MetricsController } from './metrics/metrics.controller.js'
import { ProcessMetrics } from './metrics/process-metrics.js'
import { SystemController } from './system/system.controller.js'
import { SystemService } from './system/system.service.js'
import { ProcessesController } from './processes/processes.controller.js'
import { ProcessEventsService } from './processes/process-events.service.js'
import { ProcessesService } from './processes/processes.service.js'
import { ProductsController } from './products/products.controller.js'
import { ProductsService } from './products/products.service.js'
import { SubscriptionsController } from './subscriptions/subscriptions.controller.js'
import { SubscriptionsService } from './subscriptions/subscriptions.service.js'
import { TemporalModule } from './temporal/temporal.module.js'
import { SchedulesController } from './schedules/schedules.controller.js'
import { SchedulesService } from './schedules/schedules.service.js'
import { SettingsController } from './settings/settings.controller.js'
import { EngineControl } from './settings/engine-control.service.js'
import { LOOM_WORKFLOWS, WorkflowCatalog, type WorkflowSet } from './workflows/workflow-catalog.service.js'
import { WorkflowsController } from './workflows/workflows.controller.js'
import { LOOM_CONFIG, WORKFLOWS } from './tokens.js'
import { AuditController } from './audit/audit.controller.js'
import { AuditService } from './audit/audit.service.js'
import { CodecController } from './temporal/codec.controller.js'
import { ApiKeysService } from './auth/api-keys.service.js'
import { AuthController } from './auth/auth.controller.js'
import { AuthGuard } from './auth/auth.guard.js'
import { rateLimit } from './auth/rate-limit.js'
import { ThrottlerGuard } from '@nestjs/throttler'
import { Authenticator } from './auth/authenticator.service.js'
import { KnownApiKeys } from './auth/known-api-keys.js'
import { FleetMetrics } from './metrics/fleet-metrics.js'
import { TasksController } from './tasks/tasks.controller.js'
import { ServicesController } from './catalog/services.controller.js'
import { ServicesService } from './catalog/services.service.js'
import { InstancesController } from './catalog/instances.controller.js'
import { InstancesService } from './catalog/instances.service.js'
import { TasksService } from './tasks/tasks.service.js'
import { CustomDeclarations } from './catalog/custom-declarations.js'
import { CustomWorkflowsController } from './catalog/custom-workflows.controller.js'
import { CustomWorkflowsService } from './catalog/custom-workflows.service.js'
import { TenantsController } from './tenants/tenants.controller.js'
import { TenantsService } from './tenants/tenants.service.js'

@Module({})
export class GatewayModule {
  static forRoot(config: LoomConfig & { databaseUrl: string }, registry: Registry, workflows: WorkflowSet = LOOM_WORKFLOWS): DynamicModule {
    return {
      module: GatewayModule,
      global: true,
      imports: [PersistenceModule.forRoot(config.databaseUrl), IntegrationsModule.forRoot(config), TemporalModule, rateLimit(config)],
      controllers: [HealthController, SystemController, MetricsController, WorkflowsController, ProcessesController, SubscriptionsController, ProductsController, IpamController, DcimController, CustomersController, SettingsController, SchedulesController, AuthController, AuditController, CodecController, TasksController, ServicesController, InstancesController, CustomWorkflowsController, TenantsController],
      providers: [
        { provide: LOOM_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: WORKFLOWS, useValue: workflows },
        { provide: APP_GUARD, useClass: AuthGuard },
        // After AuthGuard: the limit counts per verified caller.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        Authenticator,
        KnownApiKeys,
        // One key for every message the gateway signs (answers, retries, aborts, callbacks, the engine switch).
        { provide: MessageSigner, useFactory: (prisma: PrismaService) => new MessageSigner(prisma), inject: [PrismaService] },
        ApiKeysService,
        AuditService,
        EngineControl,
        ProcessMetrics,
        FleetMetrics,
        TasksService,
        TenantsService,
        SchedulesService,
        HealthService,
        SystemService,
        WorkflowCatalog,
        ProcessesService,
        ProcessEventsService,
        SubscriptionsService,
        ProductsService,
        CustomersService,
        ServicesService,
        InstancesService,
        CustomDeclarations,
        CustomWorkflowsService,
      ],
      exports: [LOOM_CONFIG],
    }
  }
}
