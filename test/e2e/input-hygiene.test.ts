// Bad input as a careless or hostile client sends it — NUL bytes, lone surrogates, integers past what anything here
// stores, missing bodies, huge query strings, methods nobody serves — gets a 4xx naming the problem, never a 500, and
// changes nothing (issue 15, item 3).
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { authorized } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { loomStack } from '../support/loom.js'

const loom = loomStack({ devices: plannedRouters('hyg', 1) })
before(() => loom.start())
after(() => loom.stop())

/** A raw request: the body is sent as written (a JSON text may hold escapes JSON.stringify would never write). */
async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${loom.url}${path}`, { method, headers: authorized({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }), body })
  const text = await res.text()
  return { status: res.status, text, headers: res.headers }
}

/** fetch refuses to send TRACE: node:http does, as any other client may. */
function nodeRequest(method: string, path: string): Promise<{ status: number; allow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, loom.url), { method }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('bad input is a 4xx naming the problem, never a 500', () => {
  test('a NUL byte in a path, a query or a body string is a 400 naming where', async () => {
    const path = await raw('GET', '/api/dcim/devices/%00')
    assert.equal(path.status, 400, path.text)
    assert.match(path.text, /NUL/)
    const query = await raw('GET', '/api/subscriptions?q=%00')
    assert.equal(query.status, 400, query.text)
    assert.match(query.text, /"path":"q"/)
    const body = await raw('POST', '/api/customers', '{"id": "nul", "name": "a\\u0000b"}')
    assert.equal(body.status, 400, body.text)
    assert.match(body.text, /"path":"name"/)
    assert.equal((await raw('GET', '/api/customers/nul')).status, 404, 'nothing was made')
  })

  test('a lone surrogate in a body string is a 400 naming the field', async () => {
    const res = await raw('POST', '/api/customers', '{"id": "surrogate", "name": "a\\udfffb"}')
    assert.equal(res.status, 400, res.text)
    assert.match(res.text, /"path":"name"/)
    assert.match(res.text, /surrogate/)
  })

  test('an integer past what can be stored exactly is a 400 naming the field', async () => {
    const res = await raw('POST', '/api/tasks/upgrade-os', '{"version": "5.3.1", "concurrency": 9223372036854775808}')
    assert.equal(res.status, 400, res.text)
    assert.match(res.text, /"path":"concurrency"/)
    const page = await raw('GET', '/api/processes?limit=9223372036854775808')
    assert.ok(page.status === 400, page.text)
  })

  test('a write with no body is a 4xx naming the fields it needs', async () => {
    const res = await raw('POST', '/api/dcim/cables')
    assert.ok(res.status === 400 || res.status === 422, res.text)
    assert.match(res.text, /"path":"a"/)
  })

  test('a query string past 8 KiB is a 414 naming the limit; past the header limit (16 KiB) Node answers 431 — answered, not reset', async () => {
    const long = await raw('GET', `/api/subscriptions?q=${'x'.repeat(10_000)}`)
    assert.equal(long.status, 414, long.text)
    assert.match(long.text, /at most 8192/)
    assert.equal((await raw('GET', `/api/subscriptions?q=${'x'.repeat(100_000)}`)).status, 431)
  })

  test('OPTIONS answers the methods a path serves; a method it does not serve is a 405 naming them; TRACE is a 405 anywhere', async () => {
    const options = await raw('OPTIONS', '/api/processes')
    assert.equal(options.status, 204, options.text)
    assert.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS')
    const del = await raw('DELETE', '/api/processes')
    assert.equal(del.status, 405, del.text)
    assert.match(del.text, /answers GET, HEAD, OPTIONS, not DELETE/)
    assert.equal((await raw('DELETE', '/api/no-such-thing')).status, 404, 'a path nothing serves stays a 404')
    const trace = await nodeRequest('TRACE', '/api/processes')
    assert.equal(trace.status, 405)
    assert.match(trace.allow ?? '', /GET/)
  })
})
