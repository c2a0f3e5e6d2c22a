import { type DynamicModule, Module } from '@nestjs/common'
import type { LoomConfig } from '#config/index.js'
import {
  ChangeTicketActivities,
  DcimActivities,
  DeviceActivities,
  FleetActivities,
  IpamActivities,
  NodeConfigActivities,
  NodeValidationActivities,
  NotificationActivities,
  ProcessActivities,
  StepLog,
  SubscriptionActivities,
  SystemActivities,
  TaskActivities,
} from '#activities/index.js'
import { CALLBACK_URL_PREFIXES, PUBLIC_URL } from '#activities/processes/process.activities.js'
import { IntegrationsModule } from '#integrations/integrations.module.js'
import { PersistenceModule } from '#persistence/index.js'

/** The injectable services whose methods the worker registers as activities. */
export const ACTIVITY_PROVIDERS = [
  SystemActivities,
  ProcessActivities,
  SubscriptionActivities,
  DcimActivities,
  IpamActivities,
  DeviceActivities,
  NodeConfigActivities,
  NodeValidationActivities,
  TaskActivities,
  FleetActivities,
  NotificationActivities,
  ChangeTicketActivities,
]

@Module({})
export class WorkerModule {
  static forRoot(config: LoomConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PersistenceModule.forRoot(config.databaseUrl), IntegrationsModule.forRoot(config)],
      providers: [StepLog, { provide: PUBLIC_URL, useValue: config.publicUrl }, { provide: CALLBACK_URL_PREFIXES, useValue: config.callbackUrlPrefixes }, ...ACTIVITY_PROVIDERS],
    }
  }
}
