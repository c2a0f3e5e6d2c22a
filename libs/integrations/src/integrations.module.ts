import { type DynamicModule, Module } from '@nestjs/common'
import { BuiltinDcim } from './dcim/builtin-dcim.js'
import { DCIM } from './dcim/dcim.js'
import { BuiltinIpam } from './ipam/builtin-ipam.js'
import { IPAM } from './ipam/ipam.js'

/** The sources of truth as configured (LOOM_IPAM, LOOM_DCIM): the interfaces workflows' activities use. */
@Module({})
export class IntegrationsModule {
  static forRoot(): DynamicModule {
    return {
      module: IntegrationsModule,
      global: true,
      providers: [BuiltinIpam, { provide: IPAM, useExisting: BuiltinIpam }, BuiltinDcim, { provide: DCIM, useExisting: BuiltinDcim }],
      exports: [BuiltinIpam, IPAM, BuiltinDcim, DCIM],
    }
  }
}
