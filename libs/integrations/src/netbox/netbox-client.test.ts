// The NetBox client's HTTP behaviour — pagination, backoff, errors — against a local HTTP server that answers
// as scripted (a transport test: the NetBox contract suites run against a real NetBox, netbox.test.ts), and the
// requests the DCIM adapter makes for what the contract suite cannot show where no NetBox runs (query parameters, PATCH bodies).
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { SourceOfTruthError } from '../errors.js'
import { NetboxClient } from './netbox-client.js'
import { NetboxDcim } from './netbox-dcim.js'

let server: Server
let url: string
let handler: (req: IncomingMessage, res: ServerResponse) => void
const seen: { method: string; url: string; auth: string | undefined }[] = []

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization })
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
const client = () => new NetboxClient({ url, token: 'abc123', backoffMs: 5 })

describe('NetBox client', () => {
  test('a next link to another host is refused and never called: the token stays with the configured NetBox', async () => {
    seen.length = 0
    let elsewhere = 0
    const thief = createServer((_req, res) => {
      elsewhere++
      res.end('{}')
    })
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.2', resolve))
    try {
      handler = (_req, res) => json(res, 200, { count: 2, next: `http://127.0.0.2:${(thief.address() as AddressInfo).port}/api/dcim/devices/?offset=1`, results: [{ id: 1 }] })
      await assert.rejects(client().list('dcim/devices/'), (e: unknown) => e instanceof SourceOfTruthError && /next page on another host/.test(e.message))
      assert.equal(elsewhere, 0)
    } finally {
      thief.close()
    }
  })

  test('a next link with another scheme (a NetBox behind a TLS proxy) is followed on the configured origin; a redirect is not followed', async () => {
    seen.length = 0
    handler = (req, res) => {
      const offset = Number(new URL(req.url!, url).searchParams.get('offset') ?? 0)
      json(res, 200, { count: 2, next: offset < 1 ? `${url.replace('http:', 'https:')}api/dcim/devices/?offset=1` : null, results: [{ id: offset + 1 }] })
    }
    assert.deepEqual(await client().list<{ id: number }>('dcim/devices/'), [{ id: 1 }, { id: 2 }])
    handler = (_req, res) => res.writeHead(302, { location: 'http://127.0.0.2:9/steal' }).end()
    await assert.rejects(client().get('dcim/devices/1/'))
  })

  test('lists follow the next links to the end, with the token on every request', async () => {
    seen.length = 0
    handler = (req, res) => {
      const offset = Number(new URL(req.url!, url).searchParams.get('offset') ?? 0)
      json(res, 200, { count: 3, next: offset < 2 ? `${url}api/dcim/devices/?limit=1&offset=${offset + 1}` : null, results: [{ id: offset + 1 }] })
    }
    assert.deepEqual(await client().list<{ id: number }>('dcim/devices/', { status: 'planned' }), [{ id: 1 }, { id: 2 }, { id: 3 }])
    assert.equal(seen.length, 3)
    assert.ok(seen.every((s) => s.auth === 'Token abc123'))
    assert.match(seen[0].url, /^\/api\/dcim\/devices\/\?limit=1000&status=planned$/)
  })

  test('5xx and 429 are retried with backoff; a request that keeps failing names NetBox and the status', async () => {
    let calls = 0
    handler = (_req, res) => (++calls < 3 ? json(res, calls === 1 ? 503 : 429, { detail: 'busy' }) : json(res, 200, { id: 7 }))
    assert.deepEqual(await client().get('dcim/devices/7/'), { id: 7 })
    assert.equal(calls, 3)
    handler = (_req, res) => json(res, 500, { detail: 'boom' })
    await assert.rejects(client().get('dcim/devices/7/'), (e: unknown) => e instanceof SourceOfTruthError && e.kind === 'unavailable' && /NetBox GET \/api\/dcim\/devices\/7\/ answered 500: boom/.test(e.message))
  })

  test("4xx is not retried, and NetBox's field errors are kept", async () => {
    let calls = 0
    handler = (_req, res) => {
      calls++
      json(res, 400, { prefix_length: ['Ensure this value is less than or equal to 32.'] })
    }
    await assert.rejects(client().post('ipam/prefixes/1/available-prefixes/', { prefix_length: 40 }), (e: unknown) => {
      assert.ok(e instanceof SourceOfTruthError && e.kind === 'invalid')
      assert.match(e.message, /prefix_length: Ensure this value is less than or equal to 32\./)
      return true
    })
    assert.equal(calls, 1)
    handler = (_req, res) => json(res, 404, { detail: 'No Device matches the given query.' })
    await assert.rejects(client().get('dcim/devices/99/'), (e: unknown) => e instanceof SourceOfTruthError && e.kind === 'not_found')
    assert.equal(await client().delete('dcim/cables/99/'), false)
    handler = (_req, res) => json(res, 409, { detail: 'Insufficient space is available to accommodate the requested prefix size(s)' })
    await assert.rejects(client().post('ipam/prefixes/1/available-prefixes/', {}), (e: unknown) => e instanceof SourceOfTruthError && e.kind === 'conflict')
  })

  test('a NetBox that is down is named, after the retries', async () => {
    const down = new NetboxClient({ url: 'http://127.0.0.1:1/', token: 't', backoffMs: 1, attempts: 2 })
    await assert.rejects(down.get('status/'), (e: unknown) => e instanceof SourceOfTruthError && e.kind === 'unavailable' && /NetBox at http:\/\/127\.0\.0\.1:1 did not answer GET \/api\/status\/ after 2 attempts/.test(e.message))
  })
})

/** A NetBox 4 device as the API shows it, with the custom field Loom keeps the OS version in. */
const nbDevice = (id: number, name: string, osVersion: string | null | undefined) => ({
  id,
  name,
  role: { slug: 'spine' },
  device_type: { manufacturer: { slug: 'acme' } },
  platform: { slug: 'acmeos' },
  site: { slug: 'mars' },
  rack: null,
  status: { value: 'active' },
  primary_ip4: null,
  primary_ip6: null,
  oob_ip: { address: '10.3.1.1/16' },
  ...(osVersion === undefined ? {} : { custom_fields: { os_version: osVersion } }),
})

describe('NetBox DCIM: query parameters and writes', () => {
  test('any-of sites and roles are repeated parameters; a single site or role is intersected with them first', async () => {
    seen.length = 0
    handler = (_req, res) => json(res, 200, { count: 1, next: null, results: [nbDevice(1, 'spine00.mars', '5.2.3')] })
    const dcim = new NetboxDcim(client())
    const [device] = await dcim.devices({ status: 'active', sites: ['earth', 'mars'], roles: ['spine', 'edge'] })
    assert.equal(device.os_version, '5.2.3')
    assert.equal(device.management_address, '10.3.1.1')
    await dcim.devices({ site: 'mars', sites: ['earth', 'mars'], role: 'spine' })
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/api/dcim/devices/?limit=1000&status=active&site=earth&site=mars&role=spine&role=edge&ordering=name', '/api/dcim/devices/?limit=1000&site=mars&role=spine&ordering=name'],
    )
    assert.deepEqual(await dcim.devices({ site: 'venus', sites: ['mars'] }), [])
    assert.deepEqual(await dcim.devices({ roles: [] }), [])
    assert.equal(seen.length, 2, 'no request for a filter nothing can match')
  })

  test('os_version from the custom field (null when NetBox has none); recorded with a PATCH of custom_fields, once', async () => {
    seen.length = 0
    const bodies: unknown[] = []
    let current: string | null | undefined
    handler = (req, res) => {
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk.toString()))
      req.on('end', () => {
        if (req.method === 'PATCH') {
          bodies.push(JSON.parse(text))
          current = (JSON.parse(text) as { custom_fields: { os_version: string } }).custom_fields.os_version
          return json(res, 200, nbDevice(7, 'spine02.mars', current))
        }
        json(res, 200, { count: 1, next: null, results: [nbDevice(7, 'spine02.mars', current)] })
      })
    }
    const dcim = new NetboxDcim(client())
    assert.equal((await dcim.device('spine02.mars')).os_version, null, 'a NetBox without the custom field')
    current = null
    assert.equal((await dcim.device('spine02.mars')).os_version, null, 'the custom field, empty')
    assert.equal((await dcim.setDeviceOsVersion('spine02.mars', '5.3.1')).os_version, '5.3.1')
    assert.equal((await dcim.setDeviceOsVersion('spine02.mars', '5.3.1')).os_version, '5.3.1')
    assert.deepEqual(bodies, [{ custom_fields: { os_version: '5.3.1' } }])
    assert.deepEqual(
      seen.filter((s) => s.method === 'PATCH').map((s) => s.url),
      ['/api/dcim/devices/7/'],
    )
    assert.ok(seen.filter((s) => s.method === 'GET').every((s) => s.url === '/api/dcim/devices/?limit=1000&name=spine02.mars'))
  })
})
