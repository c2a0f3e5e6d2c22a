// Which tenants a request sees and which one it acts in, decided from the caller alone: the rules the gateway
// applies before any row is read.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { VerifiedCaller } from './caller.js'
import { permissionsOf } from './permissions.js'
import { actingTenant, namedTenants, readScope, tenantPredicate, tenantsOf } from './tenant-scope.js'
import { Params } from '../http/sql.js'

const caller = (tenants: string[], allTenants = false): VerifiedCaller => ({ user: 'key:carol', roles: ['operator'], permissions: permissionsOf(['operator']), via: 'api_key', tenants, allTenants })

test('a caller in no tenant acts in default, unless LOOM_UNASSIGNED_CALLERS=refuse; a key narrows its owner\'s tenants', () => {
  assert.deepEqual(tenantsOf([], null), ['default'])
  assert.deepEqual(tenantsOf([], null, 'refuse'), [])
  assert.deepEqual(tenantsOf(['blue', 'red'], null), ['blue', 'red'])
  assert.deepEqual(tenantsOf(['blue', 'red'], ['red']), ['red'])
  assert.deepEqual(tenantsOf(['blue'], ['red']), [], 'a key narrowed to a tenant its owner left sees nothing')
})

test('reads see all of the caller\'s tenants, or those named among them; an admin sees every tenant', () => {
  assert.deepEqual(readScope(caller(['red', 'blue']), undefined), { tenants: ['red', 'blue'] })
  assert.deepEqual(readScope(caller(['red', 'blue']), ['blue']), { tenants: ['blue'] })
  assert.throws(() => readScope(caller(['blue']), ['red']), { status: 403, message: /key:carol is not a member of tenant red/ })
  assert.deepEqual(readScope(caller(['default'], true), undefined), { all: true })
  assert.deepEqual(readScope(caller([], true), ['red']), { tenants: ['red'] })
  assert.throws(() => readScope(caller([]), undefined), { status: 403, message: /member of no tenant/ })
})

test('a write acts in the tenant named, else the only one, else default for an admin; several and none named is a 400 naming them', () => {
  assert.equal(actingTenant(caller(['red']), undefined), 'red')
  assert.equal(actingTenant(caller(['red', 'blue']), 'blue'), 'blue')
  assert.throws(() => actingTenant(caller(['red', 'blue']), undefined), { status: 400, message: /member of tenants red, blue: send X-Loom-Tenant/ })
  assert.throws(() => actingTenant(caller(['blue']), 'red'), { status: 403, message: /may not act in tenant red/ })
  assert.equal(actingTenant(caller([], true), undefined), 'default')
  assert.equal(actingTenant(caller([], true), 'red'), 'red')
})

test('tenant lists are slugs: anything else is a 400 naming it', () => {
  assert.deepEqual(namedTenants('red, blue,red', undefined), ['red', 'blue'])
  assert.deepEqual(namedTenants(undefined, 'blue'), ['blue'])
  assert.equal(namedTenants(undefined, undefined), undefined)
  assert.throws(() => namedTenants('Red', undefined), { status: 400, message: /\?tenant=: "Red" is not a tenant id/ })
  assert.throws(() => namedTenants(undefined, '../x'), { status: 400, message: /X-Loom-Tenant: "..\/x"/ })
})

test('the SQL predicate: none for all (the plans stay as they were), = for one, ANY for several', () => {
  const params = new Params()
  assert.equal(tenantPredicate({ all: true }, 'p.tenant_id', params), undefined)
  assert.equal(tenantPredicate({ tenants: ['red'] }, 'p.tenant_id', params), 'p.tenant_id = $1')
  assert.equal(tenantPredicate({ tenants: ['red', 'blue'] }, 's.tenant_id', params), 's.tenant_id = ANY($2::text[])')
  assert.deepEqual(params.values, ['red', ['red', 'blue']])
})
