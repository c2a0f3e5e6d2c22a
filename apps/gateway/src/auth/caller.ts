import type { Identity } from '#workflows/engine/messages.js'
import type { Permission } from './permissions.js'

/** A verified caller: who (a canonical id), the roles they hold, what those allow, and how we know. */
export interface VerifiedCaller extends Identity {
  permissions: ReadonlySet<Permission>
  via: 'api_key' | 'oidc' | 'auth_off'
  /** a service identity acting for a schedule or task: whom it acts for (their canonical id) */
  acting_for?: string
  /** the tenants the caller may see and act in (empty: none, under LOOM_UNASSIGNED_CALLERS=refuse) */
  tenants: readonly string[]
  /** sees and acts in every tenant (permission tenants.all) */
  allTenants: boolean
}

/** What a refused request is recorded as in the audit log. */
export const UNAUTHENTICATED = 'unauthenticated'
