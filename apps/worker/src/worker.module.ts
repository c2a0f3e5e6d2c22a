import { type DynamicModule, Module } from '@nestjs/common'
import { DcimActivities, ProcessActivities, StepLog, SubscriptionActivities, SystemActivities } from '../../../libs/activities/src/index.js'
import { PersistenceModule } from '../../../libs/persistence/src/index.js'

/** The injectable services whose methods the worker registers as activities. */
export const ACTIVITY_PROVIDERS = [SystemActivities, ProcessActivities, SubscriptionActivities, DcimActivities]

@Module({})
export class WorkerModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PersistenceModule.forRoot(databaseUrl)],
      providers: [StepLog, ...ACTIVITY_PROVIDERS],
    }
  }
}
