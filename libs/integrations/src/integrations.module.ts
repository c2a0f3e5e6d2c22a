import { type DynamicModule, Module } from '@nestjs/common'
import { BuiltinIpam } from './ipam/builtin-ipam.js'
import { IPAM } from './ipam/ipam.js'

/** The sources of truth as configured (LOOM_IPAM, LOOM_DCIM): the interfaces workflows' activities use. */
@Module({})
export class IntegrationsModule {
  static forRoot(): DynamicModule {
    return {
      module: IntegrationsModule,
      global: true,
      providers: [BuiltinIpam, { provide: IPAM, useExisting: BuiltinIpam }],
      exports: [BuiltinIpam, IPAM],
    }
  }
}
