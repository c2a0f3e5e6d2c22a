// The built-in DCIM through its API: inventory, statuses, interfaces and cables, and the errors a user sees.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { CableDto, DeviceDto, InterfaceDto, Page, SiteDto } from '../../libs/contracts/src/index.js'
import { apiClient } from '../support/api.js'
import { assertServedOrBusy, burstWhileLocked } from '../support/burst.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { testConfig } from '../support/env.js'
import { gatewayOnFreshDatabase, type RunningGateway, startGateway } from '../support/gateway.js'

describe('/api/dcim', () => {
  const gateway = gatewayOnFreshDatabase()
  const api = () => apiClient(gateway.url)

  test('inventory: a site, a rack, devices with interfaces; bad input named, duplicates refused', async () => {
    assert.equal((await api().call('POST', '/api/dcim/sites', { name: 'lab', description: 'test lab' })).status, 201)
    assert.equal((await api().call('POST', '/api/dcim/sites', { name: 'lab' })).status, 409)
    assert.equal((await api().call('POST', '/api/dcim/sites/lab/racks', { name: 'r1' })).status, 201)
    assert.equal((await api().call('POST', '/api/dcim/sites/nowhere/racks', { name: 'r1' })).status, 404)
    for (const name of ['lab-r1', 'lab-r2']) {
      const made = await api().call<DeviceDto>('POST', '/api/dcim/devices', { name, role: 'router', vendor: 'frr', platform: 'frr', site: 'lab', rack: 'r1', management_address: '192.0.2.50' })
      assert.equal(made.status, 201, JSON.stringify(made.body))
      assert.equal(made.body.status, 'planned')
      for (const ifname of ['eth1', 'eth2']) assert.equal((await api().call('POST', `/api/dcim/devices/${name}/interfaces`, { name: ifname, speed_mbps: 10000 })).status, 201)
    }
    const bad = await api().call<{ errors: { path: string }[] }>('POST', '/api/dcim/devices', { name: 'Lab R3', role: 'core', vendor: 'frr', platform: 'frr', site: 'lab', management_address: 'nope' })
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors.map((e) => e.path).sort(), ['management_address', 'name', 'role'])
    const unknownSite = await api().call('POST', '/api/dcim/devices', { name: 'x1', role: 'leaf', vendor: 'frr', platform: 'frr', site: 'mars' })
    assert.equal(unknownSite.status, 404)
    assert.match(String(unknownSite.body.detail), /no site mars/)

    const sites = await api().get<Page<SiteDto>>('/api/dcim/sites')
    assert.deepEqual(sites.body.items.find((s) => s.name === 'lab'), { name: 'lab', description: 'test lab', racks: ['r1'], devices: 2 })
    const planned = await api().get<Page<DeviceDto>>('/api/dcim/devices?site=lab&status=planned')
    assert.deepEqual(planned.body.items.map((d) => d.name), ['lab-r1', 'lab-r2'])
    assert.equal((await api().get('/api/dcim/devices?status=broken')).status, 400)
    assert.equal((await api().get('/api/dcim/devices/lab-r9')).status, 404)
  })

  test('status changes, interface edits, and a cable from planned to connected to removed', async () => {
    const active = await api().call<DeviceDto>('PATCH', '/api/dcim/devices/lab-r1', { status: 'active' })
    assert.equal(active.body.status, 'active')
    assert.equal((await api().call('PATCH', '/api/dcim/devices/lab-r1', { status: 'gone' })).status, 422)
    const edited = await api().call<InterfaceDto>('PATCH', '/api/dcim/devices/lab-r1/interfaces/eth2', { description: 'spare', enabled: false })
    assert.deepEqual([edited.body.description, edited.body.enabled], ['spare', false])

    const ends = { a: { device: 'lab-r1', interface: 'eth1' }, b: { device: 'lab-r2', interface: 'eth1' } }
    const cable = await api().call<CableDto>('POST', '/api/dcim/cables', { ...ends, description: 'r1–r2' })
    assert.equal(cable.status, 201)
    assert.equal(cable.body.status, 'planned')
    assert.deepEqual((await api().call<CableDto>('POST', '/api/dcim/cables', ends)).body.id, cable.body.id, 'asked again: the same cable')
    const busy = await api().call('POST', '/api/dcim/cables', { a: ends.a, b: { device: 'lab-r2', interface: 'eth2' } })
    assert.equal(busy.status, 409)
    assert.match(String(busy.body.detail), /lab-r1 eth1 already has cable/)
    const missing = await api().call('POST', '/api/dcim/cables', { a: ends.a, b: { device: 'lab-r2', interface: 'eth9' } })
    assert.equal(missing.status, 404)
    assert.match(String(missing.body.detail), /lab-r2 has no interface eth9/)

    const r2 = await api().get<Page<InterfaceDto>>('/api/dcim/devices/lab-r2/interfaces')
    assert.deepEqual(r2.body.items[0].cable, { id: cable.body.id, status: 'planned', peer: ends.a })
    assert.equal((await api().call<CableDto>('PATCH', `/api/dcim/cables/${cable.body.id}`, { status: 'connected' })).body.status, 'connected')
    assert.deepEqual((await api().get<Page<CableDto>>('/api/dcim/cables?device=lab-r2&status=connected')).body.items.map((c) => c.id), [cable.body.id])
    assert.equal((await api().call('DELETE', `/api/dcim/cables/${cable.body.id}`)).status, 200)
    assert.equal((await api().call('DELETE', `/api/dcim/cables/${cable.body.id}`)).status, 404)
    assert.equal((await api().get('/api/dcim/cables/not-a-uuid')).status, 400)
  })

  test('200 concurrent requests for one cable, more than the pool, while its interfaces are locked: one cable, each answered with it or 503 with Retry-After — never a 500', async () => {
    await api().call('POST', '/api/dcim/sites', { name: 'burst' })
    for (const name of ['burst-r1', 'burst-r2']) {
      await api().call('POST', '/api/dcim/devices', { name, role: 'router', vendor: 'frr', platform: 'frr', site: 'burst' })
      assert.equal((await api().call('POST', `/api/dcim/devices/${name}/interfaces`, { name: 'eth1', speed_mbps: 10000 })).status, 201)
    }
    const a = { device: 'burst-r1', interface: 'eth1' }
    const b = { device: 'burst-r2', interface: 'eth1' }
    const answers = await burstWhileLocked(
      gateway.prisma,
      `SELECT 1 FROM dcim_interfaces i JOIN dcim_devices d ON d.id = i.device_id WHERE d.name IN ('burst-r1', 'burst-r2') AND i.name = 'eth1' FOR UPDATE OF i`,
      () => Promise.all(Array.from({ length: 200 }, (_, i) => api().call<CableDto>('POST', '/api/dcim/cables', i % 2 ? { a, b } : { a: b, b: a }))),
    )
    const served = assertServedOrBusy(answers, [201])
    const cables = await gateway.prisma.dcimCable.findMany({ where: { ends: { some: { interface: { device: { name: { in: ['burst-r1', 'burst-r2'] } } } } } }, include: { ends: true } })
    assert.equal(cables.length, 1, 'one cable, whatever the answers')
    assert.equal(cables[0].ends.length, 2)
    assert.deepEqual(new Set(served.map((i) => answers[i].body.id)), new Set([cables[0].id]), 'every served answer is that cable')
  })
})

describe('with NetBox as IPAM and DCIM', () => {
  let db: TestDatabase
  let gw: RunningGateway
  before(async () => {
    db = await cloneDatabase()
    gw = await startGateway(testConfig(db.url, { ipam: 'netbox', dcim: 'netbox', netboxUrl: 'http://127.0.0.1:1', netboxToken: 'not-a-real-token' }))
  })
  after(async () => {
    await gw?.close()
    await db?.drop()
  })

  test('the built-in routes answer 409 naming NetBox; a NetBox that does not answer is a 503 naming it', async () => {
    const api = apiClient(gw.url)
    for (const path of ['/api/dcim/devices', '/api/ipam/pools']) {
      const res = await api.get(path)
      assert.equal(res.status, 409, path)
      assert.match(String(res.body.detail), /in use is NetBox \(http:\/\/127\.0\.0\.1:1\)/)
    }
    const form = await api.get('/api/workflows/create_node/form')
    assert.equal(form.status, 503)
    assert.match(String(form.body.detail), /NetBox at http:\/\/127\.0\.0\.1:1 did not answer GET \/api\/dcim\/devices\//)
    assert.doesNotMatch(JSON.stringify(form.body), /not-a-real-token/)
  })
})
