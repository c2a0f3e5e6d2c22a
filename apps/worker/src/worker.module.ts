import { type DynamicModule, Module } from '@nestjs/common'
import { DcimActivities, IpamActivities, ProcessActivities, StepLog, SubscriptionActivities, SystemActivities } from '../../../libs/activities/src/index.js'
import { IntegrationsModule } from '../../../libs/integrations/src/integrations.module.js'
import { PersistenceModule } from '../../../libs/persistence/src/index.js'

/** The injectable services whose methods the worker registers as activities. */
export const ACTIVITY_PROVIDERS = [SystemActivities, ProcessActivities, SubscriptionActivities, DcimActivities, IpamActivities]

@Module({})
export class WorkerModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PersistenceModule.forRoot(databaseUrl), IntegrationsModule.forRoot()],
      providers: [StepLog, ...ACTIVITY_PROVIDERS],
    }
  }
}
