import { type CanActivate, ConflictException, Inject, Injectable, mixin, type Type } from '@nestjs/common'
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
export function BuiltinOnly(source: keyof typeof SOURCES): Type<CanActivate> {
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
