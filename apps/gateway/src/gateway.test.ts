import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { freePort } from '#runtime/index.js'
import { cloneDatabase, type TestDatabase } from '../../../test/support/database.js'
import { testConfig } from '../../../test/support/env.js'
import { gatewayOnFreshDatabase, type OpenApiPaths, startGateway } from '../../../test/support/gateway.js'
import { authorized } from '../../../test/support/api.js'

const PROBLEM_TYPE = /^application\/problem\+json/

describe('gateway with Temporal and the database up', () => {
  const gw = gatewayOnFreshDatabase()

  test('GET /api/health is 200 with both ok', async () => {
    const res = await fetch(`${gw.url}/api/health`)
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { status: 'ok', temporal: 'ok', database: 'ok' })
  })

  test('an unknown route is a 404 problem naming the route', async () => {
    const res = await fetch(`${gw.url}/api/nothing-here`)
    assert.equal(res.status, 404)
    assert.match(res.headers.get('content-type') ?? '', PROBLEM_TYPE)
    const body = (await res.json()) as Record<string, unknown>
    assert.equal(body.type, 'urn:loom:problem:not-found')
    assert.equal(body.title, 'Not found')
    assert.equal(body.status, 404)
    assert.match(String(body.detail), /GET \/api\/nothing-here/)
    assert.equal(body.request_id, res.headers.get('x-request-id'))
  })

  test('malformed JSON is a 400 problem', async () => {
    const res = await fetch(`${gw.url}/api/system/ping`, { method: 'POST', headers: authorized({ 'content-type': 'application/json' }), body: '{"timeout_s": ' })
    assert.equal(res.status, 400)
    assert.match(res.headers.get('content-type') ?? '', PROBLEM_TYPE)
    const body = (await res.json()) as Record<string, unknown>
    assert.equal(body.type, 'urn:loom:problem:bad-request')
    assert.match(String(body.detail), /not valid JSON/)
  })

  test('a body that fails validation is a 422 problem with one error per field', async () => {
    const res = await fetch(`${gw.url}/api/system/ping`, {
      method: 'POST',
      headers: authorized({ 'content-type': 'application/json' }),
      body: JSON.stringify({ timeout_s: 0, colour: 'blue' }),
    })
    assert.equal(res.status, 422)
    assert.match(res.headers.get('content-type') ?? '', PROBLEM_TYPE)
    const body = (await res.json()) as { type: string; errors: { path: string; message: string }[] }
    assert.equal(body.type, 'urn:loom:problem:validation-failed')
    assert.deepEqual(body.errors.map((e) => e.path).sort(), ['colour', 'timeout_s'])
    assert.match(body.errors.find((e) => e.path === 'timeout_s')!.message, /not be less than 1/)
    assert.match(body.errors.find((e) => e.path === 'colour')!.message, /should not exist/)
  })

  test('a caller-supplied X-Request-Id is echoed; otherwise one is made', async () => {
    const mine = await fetch(`${gw.url}/api/health`, { headers: { 'x-request-id': 'abc-123' } })
    assert.equal(mine.headers.get('x-request-id'), 'abc-123')
    const made = await fetch(`${gw.url}/api/health`)
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/)
  })

  test('/openapi.json is a valid OpenAPI 3 document describing the routes; /docs serves Swagger UI', async () => {
    const res = await fetch(`${gw.url}/openapi.json`)
    assert.equal(res.status, 200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> }
    const result = await new Validator().validate(doc)
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2))
    assert.match(doc.openapi, /^3\./)
    assert.ok(doc.paths['/api/health'])
    assert.ok(doc.paths['/api/system/ping'])
    assert.equal(doc.paths['/metrics'], undefined)
    // Every list answers in the list shape, its items described by a schema with examples.
    const api = doc as unknown as OpenApiDoc
    for (const [path, item] of [
      ['/api/subscriptions', 'SubscriptionSummaryDto'], ['/api/processes', 'ProcessSummaryDto'], ['/api/products', 'ProductDto'],
      ['/api/subscriptions/{id}/processes', 'ProcessSummaryDto'], ['/api/workflows', 'WorkflowDto'],
    ]) {
      const page = api.paths[path].get.responses['200'].content['application/json'].schema
      // A list of tenant-owned rows also says which tenants it covers.
      const scoped = !['/api/products', '/api/workflows'].includes(path)
      assert.deepEqual(page.required, ['items', 'total', 'next_cursor', ...(scoped ? ['tenant_scope'] : [])], path)
      assert.equal(page.properties.items.items.$ref, `#/components/schemas/${item}`, path)
    }
    // Any operation may meet a busy or unavailable dependency: each declares its 503 and the Retry-After that comes with it.
    const operations = doc.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string } }> }> }>>
    for (const [path, methods] of Object.entries(operations)) {
      for (const [method, operation] of Object.entries(methods)) {
        const unavailable = operation.responses['503']
        assert.ok(unavailable, `${method.toUpperCase()} ${path} declares its 503`)
        if (path !== '/api/health') assert.ok(unavailable.headers?.['Retry-After'], `${method.toUpperCase()} ${path}: Retry-After`)
      }
    }
    assert.equal(operations['/api/health'].get.responses['503'].content?.['application/json'].schema.$ref, '#/components/schemas/HealthDto')
    const detail = api.components.schemas.SubscriptionDto
    assert.equal(detail.properties.domain_model.example.node.device_name, 'ams-pe1')
    assert.ok(api.components.schemas.SubscriptionSummaryDto.properties.id.example)
    const ui = await fetch(`${gw.url}/docs`)
    assert.equal(ui.status, 200)
    assert.match(await ui.text(), /swagger-ui/i)
  })

  test('a cursor whose parts do not fit the list (made by hand, not by the API) is a 400 naming it, never a 500', async () => {
    const cursor = (...parts: string[]) => Buffer.from(JSON.stringify(parts)).toString('base64url')
    for (const path of [
      `/api/processes?cursor=${cursor('-created_at', new Date().toISOString(), 'not-a-uuid')}`,
      `/api/subscriptions?cursor=${cursor('-created_at', 'yesterday', '01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a10')}`,
      `/api/customers?sort=created_at&cursor=${cursor('created_at', 'soon', 'acme')}`,
      `/api/processes?cursor=${cursor('-created_at', new Date().toISOString(), '01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a10').slice(0, -3)}`,
    ]) {
      const res = await gw.api.get<{ errors: { path: string }[] }>(path)
      assert.equal(res.status, 400, path)
      assert.deepEqual(res.body.errors.map((e) => e.path), ['cursor'], path)
    }
  })

  test('GET /api/workflows is a list page by name: ?limit and ?cursor walk it, bad ones are 400 naming them', async () => {
    const all = await gw.api.get<{ items: { name: string; target: string }[]; total: number; next_cursor: string | null }>('/api/workflows')
    assert.equal(all.status, 200)
    assert.equal(all.body.next_cursor, null)
    assert.equal(all.body.total, all.body.items.length)
    const names = all.body.items.map((w) => w.name)
    assert.deepEqual(names, [...names].sort())
    assert.ok(names.includes('create_node') && names.includes('create_port'), names.join(', '))
    const walked: string[] = []
    let cursor: string | null = null
    do {
      const page: { body: { items: { name: string }[]; total: number; next_cursor: string | null } } = await gw.api.get(`/api/workflows?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      assert.ok(page.body.items.length <= 2)
      assert.equal(page.body.total, names.length)
      walked.push(...page.body.items.map((w) => w.name))
      cursor = page.body.next_cursor
    } while (cursor)
    assert.deepEqual(walked, names)
    for (const [query, param] of [['limit=0', 'limit'], ['limit=501', 'limit'], ['cursor=bogus', 'cursor'], ['sort=name', 'sort']]) {
      const res = await gw.api.get<{ errors: { path: string }[] }>(`/api/workflows?${query}`)
      assert.equal(res.status, 400, query)
      assert.deepEqual(res.body.errors.map((e) => e.path), [param], query)
    }
  })

  test('/metrics exposes default metrics and request durations by route template and status', async () => {
    await fetch(`${gw.url}/api/health`)
    await fetch(`${gw.url}/api/nothing-here`)
    const res = await fetch(`${gw.url}/metrics`, { headers: authorized() })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
    const text = await res.text()
    assert.match(text, /^process_cpu_user_seconds_total /m)
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/api\/health",status_code="200"\} [1-9]/m)
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} [1-9]/m)
  })
})

describe('the statuses each route answers are the ones /openapi.json declares for it', () => {
  let db: TestDatabase
  before(async () => {
    db = await cloneDatabase()
  })
  after(async () => {
    await db?.drop()
  })

  test('a route that answers a status its operation does not declare fails the test that made it, naming both', async () => {
    // The document as it would be had GET /api/subscriptions/{id} not declared its 404.
    const without404 = (doc: OpenApiPaths) => {
      delete doc.paths['/api/subscriptions/{id}'].get.responses['404']
      return doc
    }
    const gw = await startGateway(testConfig(db.url), undefined, without404)
    assert.equal((await fetch(`${gw.url}/api/subscriptions/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { headers: authorized() })).status, 404)
    assert.equal((await fetch(`${gw.url}/api/health`)).status, 200)
    await assert.rejects(gw.close(), (error: Error) => {
      assert.match(error.message, /GET \/api\/subscriptions\/\{\}: 404 \(declared: 200, /)
      assert.doesNotMatch(error.message, /health/)
      return true
    })
  })
})

interface OpenApiDoc {
  paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: { required: string[]; properties: { items: { items: { $ref: string } } } } }> }> } }>
  components: { schemas: Record<string, { properties: Record<string, { example: { node: { device_name: string } } }> }> }
}

describe('gateway health with a dependency down', () => {
  let db: TestDatabase
  before(async () => {
    db = await cloneDatabase()
  })
  after(async () => {
    await db?.drop()
  })

  test('Temporal down: 503, naming Temporal and its address; the database still ok', async () => {
    const address = `127.0.0.1:${await freePort()}`
    const gw = await startGateway(testConfig(db.url, { temporalAddress: address }))
    try {
      const res = await fetch(`${gw.url}/api/health`, { headers: authorized() })
      assert.equal(res.status, 503)
      const body = (await res.json()) as Record<string, string>
      assert.equal(body.status, 'degraded')
      assert.equal(body.database, 'ok')
      assert.match(body.temporal, new RegExp(`^unreachable: Temporal at ${address}`))
      // Why is for those who may read Loom's state: a prober without credentials learns no address.
      const anonymous = await fetch(`${gw.url}/api/health`)
      assert.equal(anonymous.status, 503)
      assert.deepEqual(await anonymous.json(), { status: 'degraded', temporal: 'unreachable', database: 'ok' })
    } finally {
      await gw.close()
    }
  })

  test('database down: 503, naming the database; Temporal still ok', async () => {
    const gw = await startGateway(testConfig(`postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`))
    try {
      // With the database down no API key can be checked: the reason stays behind (an OIDC token would show it).
      const res = await fetch(`${gw.url}/api/health`, { headers: authorized() })
      assert.equal(res.status, 503)
      const body = (await res.json()) as Record<string, string>
      assert.equal(body.status, 'degraded')
      assert.equal(body.temporal, 'ok')
      assert.equal(body.database, 'unreachable')
    } finally {
      await gw.close()
    }
  })

  test('database down: API calls are 503 problems naming the database, with Retry-After — not 500', async () => {
    const port = await freePort()
    const gw = await startGateway(testConfig(`postgresql://postgres@127.0.0.1:${port}/nowhere`))
    try {
      // A list in SQL (pg), a read through Prisma, a write in a transaction.
      for (const [method, path, body] of [
        ['GET', '/api/subscriptions', undefined],
        ['GET', '/api/dcim/devices/ams-pe1', undefined],
        ['POST', '/api/dcim/cables', { a: { device: 'r1', interface: 'eth1' }, b: { device: 'r2', interface: 'eth1' } }],
      ] as const) {
        const res = await fetch(`${gw.url}${path}`, { method, headers: authorized(body ? { 'content-type': 'application/json' } : {}), body: body && JSON.stringify(body) })
        assert.equal(res.status, 503, `${method} ${path}`)
        assert.match(res.headers.get('content-type') ?? '', PROBLEM_TYPE)
        assert.equal(res.headers.get('retry-after'), '5')
        const problem = (await res.json()) as Record<string, string>
        assert.equal(problem.type, 'urn:loom:problem:database-unavailable')
        assert.match(problem.detail, new RegExp(`^The database is unavailable: .*127\\.0\\.0\\.1:${port}`))
      }
    } finally {
      await gw.close()
    }
  })
})
