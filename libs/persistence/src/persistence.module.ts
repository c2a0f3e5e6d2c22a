import { type DynamicModule, Module } from '@nestjs/common'
import { PrismaService } from './prisma.service.js'

@Module({})
export class PersistenceModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [{ provide: PrismaService, useFactory: () => new PrismaService(databaseUrl) }],
      exports: [PrismaService],
    }
  }
}
