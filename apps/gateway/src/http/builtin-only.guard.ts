import { applyDecorators, type CanActivate, ConflictException, Inject, Injectable, mixin, type Type, UseGuards } from '@nestjs/common'
import { ApiConflictResponse } from '@nestjs/swagger'
import { ProblemDto } from '#contracts/index.js'
import type { LoomConfig } from '#config/index.js'
import { originOf } from '#integrations/hooks/url-in-messages.js'
import { LOOM_CONFIG } from '../tokens.js'

/** Per source: whether the built-in one is in use, and where changes belong when it is not. */
const SOURCES = {
  ipam: { builtin: (c: LoomConfig) => c.ipam === 'builtin', elsewhere: (c: LoomConfig) => `The IPAM in use is NetBox (${originOf(c.netboxUrl ?? '')}), set by LOOM_IPAM; make this change in NetBox.` },
  dcim: { builtin: (c: LoomConfig) => c.dcim === 'builtin', elsewhere: (c: LoomConfig) => `The DCIM in use is NetBox (${originOf(c.netboxUrl ?? '')}), set by LOOM_DCIM; make this change in NetBox.` },
  customers: {
    builtin: (c: LoomConfig) => c.oss.customers.source === 'builtin',
    elsewhere: (c: LoomConfig) => `Customers come from the customer system at ${originOf(c.oss.customers.url ?? '')} (LOOM_CUSTOMERS=webhook); manage them there.`,
  },
}

/**
 * Routes that manage a built-in source of truth answer 409 when that source is another system (NetBox, the
 * customer system's webhook): workflows would not see what they wrote, so that system is where changes belong.
 */
function builtinOnly(source: keyof typeof SOURCES): Type<CanActivate> {
  @Injectable()
  class BuiltinOnlyGuard implements CanActivate {
    constructor(@Inject(LOOM_CONFIG) private readonly config: LoomConfig) {}

    canActivate(): boolean {
      if (SOURCES[source].builtin(this.config)) return true
      throw new ConflictException(SOURCES[source].elsewhere(this.config))
    }
  }
  return mixin(BuiltinOnlyGuard)
}

/** The guard on a route or controller, and the 409 it may answer in the OpenAPI document. */
export const BuiltinOnly = (source: keyof typeof SOURCES) =>
  applyDecorators(UseGuards(builtinOnly(source)), ApiConflictResponse({ type: ProblemDto, description: `the ${source} in use is another system (NetBox, a customer system): change it there` }))
