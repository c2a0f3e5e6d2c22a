import { SERVICE_ROLE } from '#persistence/index.js'
import type { VerifiedCaller } from './caller.js'

/**
 * What a route or a workflow needs. Deny by default: a route that declares none is refused for everyone
 * (`RequirePermission`/`Public` in auth.decorators.ts).
 */
export const PERMISSIONS = {
  read: 'read what Loom knows: processes, subscriptions, products, sources of truth, schedules, settings',
  metrics: 'scrape /metrics',
  'payloads.read': "decrypt what Temporal holds (the Web UI's codec endpoint): activity inputs and results, configurations included",
  'processes.start': 'start workflows on products (create, modify, terminate, validate)',
  'tasks.start': 'start tasks (workflows of target SYSTEM) and schedule them',
  'processes.answer': 'answer input steps, and approval steps of the roles one holds',
  'approvals.answer': 'answer the approval steps that name a role one holds (a team\'s approvers)',
  'processes.operate': 'retry suspended steps and abort processes',
  'sources.write': 'change the built-in DCIM, IPAM and customers',
  'catalog.manage': 'register, change and delete the services of the catalogue',
  'engine.switch': 'stop and start the engine',
  'workflows.define': 'register custom workflows (definitions as data, run without a redeploy)',
  'keys.manage': "create, list and revoke everyone's API keys",
  'audit.read': 'read the audit log',
  'act.for': 'act for the creator of a schedule or a task (the service identity)',
  'tenants.all': 'see and act in every tenant',
  'tenants.manage': 'create and delete tenants, and add and remove their members',
  'tenant.assume': 'act in the tenant a schedule or task names (the service identity)',
} as const

export type Permission = keyof typeof PERMISSIONS

const VIEWER: Permission[] = ['read', 'metrics']
const OPERATOR: Permission[] = [...VIEWER, 'payloads.read', 'processes.start', 'tasks.start', 'processes.answer', 'processes.operate', 'sources.write', 'catalog.manage']

/** The built-in roles. Any other role is a team's (e.g. `change-board`): it may read and answer the approvals naming it. */
export const ROLE_PERMISSIONS: Record<string, readonly Permission[]> = {
  viewer: VIEWER,
  operator: OPERATOR,
  admin: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => p !== 'act.for' && p !== 'tenant.assume'),
  [SERVICE_ROLE]: ['read', 'processes.start', 'tasks.start', 'processes.operate', 'act.for', 'tenant.assume'],
}
const TEAM: Permission[] = ['read', 'approvals.answer']

export const isBuiltinRole = (role: string) => Object.hasOwn(ROLE_PERMISSIONS, role)

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  return new Set(roles.flatMap((r) => (isBuiltinRole(r) ? ROLE_PERMISSIONS[r] : TEAM)))
}

/** Who may start a workflow, by its target: a task acts on the whole system, a product's workflow on one subscription. */
export const startPermissionOf = (target: string): Permission => (target === 'SYSTEM' ? 'tasks.start' : 'processes.start')

/** What a 403 says: the permission needed and the roles the caller holds. */
export function lacks(caller: VerifiedCaller, ...anyOf: Permission[]): string {
  const needs = anyOf.map((p) => `${p} (${PERMISSIONS[p]})`).join(' or ')
  return `This needs permission ${needs}; ${caller.user} holds roles ${caller.roles.join(', ') || '(none)'}, which do not give it.`
}
