import { type CanActivate, ConflictException, Inject, Injectable, mixin, type Type } from '@nestjs/common'
import type { LoomConfig } from '#config/index.js'
import { LOOM_CONFIG } from '../tokens.js'

/**
 * Routes that manage a built-in source of truth answer 409 when that source is another system (NetBox, the
 * customer system's webhook): workflows would not see what they wrote, so that system is where changes belong.
 */
export function BuiltinOnly(source: 'ipam' | 'dcim' | 'customers'): Type<CanActivate> {
  @Injectable()
  class BuiltinOnlyGuard implements CanActivate {
    constructor(@Inject(LOOM_CONFIG) private readonly config: LoomConfig) {}

    canActivate(): boolean {
      if (source === 'customers') {
        if (this.config.oss.customers.source === 'builtin') return true
        throw new ConflictException(`Customers come from the customer system at ${this.config.oss.customers.url} (LOOM_CUSTOMERS=webhook); manage them there.`)
      }
      if (this.config[source] === 'builtin') return true
      throw new ConflictException(`The ${source.toUpperCase()} in use is NetBox (${this.config.netboxUrl}), set by LOOM_${source.toUpperCase()}; make this change in NetBox.`)
    }
  }
  return mixin(BuiltinOnlyGuard)
}
