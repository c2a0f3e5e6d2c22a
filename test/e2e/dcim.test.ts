// The built-in DCIM through its API: inventory, statuses, interfaces and cables, and the errors a user sees.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import type { CableDto, DeviceDto, InterfaceDto, Page, SiteDto } from '#contracts/index.js'
import { type ApiResponse, apiClient } from '../support/api.js'
import { assertServedOrBusy, burstWhileLocked } from '../support/burst.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { testConfig } from '../support/env.js'
import { gatewayOnFreshDatabase, type RunningGateway, startGateway } from '../support/gateway.js'
import { whileInFlight } from '../support/in-flight.js'

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

describe('/api/dcim corrections', () => {
  const gateway = gatewayOnFreshDatabase()
  const api = () => apiClient(gateway.url)
  type Errors = { errors: { path: string; message: string }[] }

  before(async () => {
    for (const site of ['fix', 'fix2']) await api().call('POST', '/api/dcim/sites', { name: site })
    await api().call('POST', '/api/dcim/sites/fix/racks', { name: 'r1' })
    await api().call('POST', '/api/dcim/sites/fix2/racks', { name: 'r9' })
    for (const name of ['fix-r1', 'fix-r2']) {
      await api().call('POST', '/api/dcim/devices', { name, role: 'router', vendor: 'frr', platform: 'frr', site: 'fix', rack: 'r1' })
      for (const ifname of ['eth1', 'eth2']) await api().call('POST', `/api/dcim/devices/${name}/interfaces`, { name: ifname, speed_mbps: 10000 })
    }
  })

  test('PATCH a device: only the fields given change; addresses set and cleared; moved to another site and rack', async () => {
    const fixed = await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', {
      management_address: '192.0.2.52', primary_ipv4: '198.51.100.52', primary_ipv6: '2001:db8::52/128', platform: 'frr-10', role: 'edge', vendor: 'cisco_iosxr',
    })
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body))
    assert.deepEqual(fixed.body, {
      name: 'fix-r2', role: 'edge', vendor: 'cisco_iosxr', platform: 'frr-10', site: 'fix', rack: 'r1', status: 'planned',
      management_address: '192.0.2.52', primary_ipv4: '198.51.100.52/32', primary_ipv6: '2001:db8::52/128', os_version: null,
    })
    assert.deepEqual((await api().get<DeviceDto>('/api/dcim/devices/fix-r2')).body, fixed.body)
    const moved = await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', { site: 'fix2' })
    assert.deepEqual([moved.body.site, moved.body.rack], ['fix2', null], 'its rack was at the old site')
    assert.equal((await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', { rack: 'r9' })).body.rack, 'r9')
    const noRack = await api().call('PATCH', '/api/dcim/devices/fix-r2', { rack: 'r1' })
    assert.equal(noRack.status, 404)
    assert.match(String(noRack.body.detail), /site fix2 has no rack r1/)
    const noSite = await api().call('PATCH', '/api/dcim/devices/fix-r2', { site: 'mars' })
    assert.equal(noSite.status, 404)
    assert.match(String(noSite.body.detail), /DCIM has no site mars/)
    const cleared = await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', { management_address: null, primary_ipv6: null, rack: null })
    assert.deepEqual([cleared.body.management_address, cleared.body.primary_ipv4, cleared.body.primary_ipv6, cleared.body.rack], [null, '198.51.100.52/32', null, null])
    assert.equal((await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', { status: 'staged' })).body.status, 'staged')
    const unpatched = (await api().get<DeviceDto>('/api/dcim/devices/fix-r2')).body
    assert.deepEqual((await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', {})).body, unpatched, 'an empty patch changes nothing')
    assert.deepEqual((await api().get<DeviceDto>('/api/dcim/devices/fix-r2')).body, unpatched)
  })

  test('PATCH a device with bad values: 422 naming every field, nothing written; unknown device 404; a taken name 409', async () => {
    const before = (await api().get<DeviceDto>('/api/dcim/devices/fix-r2')).body
    const bad = await api().call<Errors>('PATCH', '/api/dcim/devices/fix-r2', {
      management_address: 'nope', primary_ipv4: '2001:db8::1', primary_ipv6: '198.51.100.1', role: null, status: 'gone', name: 'Fix R2', vendor: 'frr', colour: 'red',
    })
    assert.equal(bad.status, 422)
    assert.deepEqual([...new Set(bad.body.errors.map((e) => e.path))].sort(), ['colour', 'management_address', 'name', 'primary_ipv4', 'primary_ipv6', 'role', 'status'])
    assert.match(bad.body.errors.find((e) => e.path === 'primary_ipv4')!.message, /must be an IPv4 address/)
    assert.deepEqual((await api().get<DeviceDto>('/api/dcim/devices/fix-r2')).body, before, 'nothing was written')
    assert.equal((await api().call('PATCH', '/api/dcim/devices/fix-r2', { primary_ipv4: '198.51.100.1/33' })).status, 422)
    const unknown = await api().call('PATCH', '/api/dcim/devices/fix-r7', { status: 'active' })
    assert.equal(unknown.status, 404)
    assert.match(String(unknown.body.detail), /no device named fix-r7/)
    const taken = await api().call('PATCH', '/api/dcim/devices/fix-r2', { name: 'fix-r1' })
    assert.equal(taken.status, 409)
    assert.match(String(taken.body.detail), /a device named fix-r1 exists already/)
  })

  test('PATCH an interface: description, enabled, status and speed; bad values 422; unknown 404', async () => {
    const edited = await api().call<InterfaceDto>('PATCH', '/api/dcim/devices/fix-r2/interfaces/eth1', { description: 'uplink', enabled: false, status: 'active', speed_mbps: 100000 })
    assert.equal(edited.status, 200, JSON.stringify(edited.body))
    assert.deepEqual([edited.body.description, edited.body.enabled, edited.body.status, edited.body.speed_mbps], ['uplink', false, 'active', 100000])
    const bad = await api().call<Errors>('PATCH', '/api/dcim/devices/fix-r2/interfaces/eth1', { speed_mbps: 0, enabled: 'yes', description: null, status: 'up' })
    assert.equal(bad.status, 422)
    assert.deepEqual([...new Set(bad.body.errors.map((e) => e.path))].sort(), ['description', 'enabled', 'speed_mbps', 'status'])
    assert.equal((await api().call('PATCH', '/api/dcim/devices/fix-r2/interfaces/eth9', { enabled: true })).status, 404)
    assert.equal((await api().call('PATCH', '/api/dcim/devices/fix-r7/interfaces/eth1', { enabled: true })).status, 404)
  })

  test('rename, then DELETE: refused while a cable ends on the device (naming it), then removed with its interfaces', async () => {
    const renamed = await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r2', { name: 'fix-r3' })
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body))
    assert.equal((await api().get('/api/dcim/devices/fix-r2')).status, 404)
    assert.deepEqual((await api().get<Page<InterfaceDto>>('/api/dcim/devices/fix-r3/interfaces')).body.items.map((i) => i.interface), ['eth1', 'eth2'])
    const cable = await api().call<CableDto>('POST', '/api/dcim/cables', { a: { device: 'fix-r1', interface: 'eth2' }, b: { device: 'fix-r3', interface: 'eth2' } })
    const cabled = await api().call('DELETE', '/api/dcim/devices/fix-r3')
    assert.equal(cabled.status, 409)
    assert.match(String(cabled.body.detail), new RegExp(`device fix-r3 has cables on eth2 \\(cable ${cable.body.id}\\)`))
    assert.equal((await api().call('DELETE', `/api/dcim/cables/${cable.body.id}`)).status, 200)
    const removed = await api().call<DeviceDto>('DELETE', '/api/dcim/devices/fix-r3')
    assert.equal(removed.status, 200, JSON.stringify(removed.body))
    assert.equal(removed.body.name, 'fix-r3')
    assert.equal((await api().call('DELETE', '/api/dcim/devices/fix-r3')).status, 404)
    assert.equal((await api().get('/api/dcim/devices/fix-r3/interfaces')).status, 404)
    assert.equal((await api().get<Page<SiteDto>>('/api/dcim/sites')).body.items.find((x) => x.name === 'fix2')!.devices, 0)
  })

  test('a device a process or a live subscription holds keeps its name and stays; its data can still be corrected', async () => {
    const prisma = gateway.prisma
    const processId = uuidv7()
    const subscriptionId = uuidv7()
    await prisma.process.create({ data: { id: processId, workflow: 'create_node', target: 'CREATE', status: 'completed', createdBy: 'alice' } })
    await prisma.subscription.create({ data: { id: subscriptionId, product: 'node', customerId: 'acme', description: 'Node fix-r1', lifecycle: 'active' } })
    await prisma.resourceClaim.createMany({
      data: [
        { resourceType: 'dcim_device', resourceKey: 'fix-r1', processId, subscriptionId },
        { resourceType: 'dcim_interface', resourceKey: 'fix-r1:eth1', processId, subscriptionId },
      ],
    })
    const held = `is held by subscription ${subscriptionId} \\(node, active\\), process ${processId}`
    const rename = await api().call('PATCH', '/api/dcim/devices/fix-r1', { name: 'fix-r9', management_address: '192.0.2.61' })
    assert.equal(rename.status, 409)
    assert.match(String(rename.body.detail), new RegExp(`device fix-r1 cannot be renamed while dcim_device fix-r1 ${held}; dcim_interface fix-r1:eth1 ${held}`))
    assert.equal((await api().get<DeviceDto>('/api/dcim/devices/fix-r1')).body.management_address, null, 'a refused patch changes nothing')
    const remove = await api().call('DELETE', '/api/dcim/devices/fix-r1')
    assert.equal(remove.status, 409)
    assert.match(String(remove.body.detail), /device fix-r1 cannot be deleted while dcim_device fix-r1 is held by subscription/)
    assert.equal((await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r1', { management_address: '192.0.2.61' })).body.management_address, '192.0.2.61')
    const speed = await api().call('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth1', { speed_mbps: 100000 })
    assert.equal(speed.status, 409)
    assert.match(String(speed.body.detail), new RegExp(`the speed of fix-r1 eth1 cannot change while dcim_interface fix-r1:eth1 ${held}`))
    assert.equal((await api().call<InterfaceDto>('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth1', { description: 'port of acme', speed_mbps: 10000 })).body.description, 'port of acme')
    assert.equal((await api().call<InterfaceDto>('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth2', { speed_mbps: 100000 })).body.speed_mbps, 100000)
    // What the port uses stays: the interface is not disabled, nor its status changed, by hand.
    const eth1 = (await api().get<Page<InterfaceDto>>('/api/dcim/devices/fix-r1/interfaces')).body.items.find((i) => i.interface === 'eth1')!
    const disable = await api().call('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth1', { enabled: false, status: 'decommissioning', description: 'gone' })
    assert.equal(disable.status, 409)
    assert.match(disable.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.match(String(disable.body.detail), new RegExp(`the enabled flag and status of fix-r1 eth1 cannot change while dcim_interface fix-r1:eth1 ${held}`))
    assert.equal((await api().call('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth1', { enabled: !eth1.enabled })).status, 409)
    assert.deepEqual((await api().get<Page<InterfaceDto>>('/api/dcim/devices/fix-r1/interfaces')).body.items.find((i) => i.interface === 'eth1'), eth1, 'a refused patch changes nothing')
    assert.equal((await api().call<InterfaceDto>('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth1', { enabled: eth1.enabled, status: eth1.status })).status, 200, 'the same values are no change')
    assert.equal((await api().call<InterfaceDto>('PATCH', '/api/dcim/devices/fix-r1/interfaces/eth2', { enabled: false })).body.enabled, false, 'an interface nothing holds')

    // A process that holds the subscription's lock is named with it.
    const modifying = uuidv7()
    await prisma.process.create({ data: { id: modifying, workflow: 'modify_node', target: 'MODIFY', status: 'running', createdBy: 'bob' } })
    await prisma.subscription.update({ where: { id: subscriptionId }, data: { lockedBy: modifying } })
    const whileLocked = await api().call('DELETE', '/api/dcim/devices/fix-r1')
    assert.equal(whileLocked.status, 409)
    assert.match(String(whileLocked.body.detail), new RegExp(`dcim_device fix-r1 ${held}, and its subscription is locked by process ${modifying} \\(modify_node\\)`))
    // Terminated but still locked (its terminate process has not ended): still held.
    await prisma.subscription.update({ where: { id: subscriptionId }, data: { lifecycle: 'terminated' } })
    const terminating = await api().call('PATCH', '/api/dcim/devices/fix-r1', { name: 'fix-r9' })
    assert.equal(terminating.status, 409)
    assert.match(String(terminating.body.detail), new RegExp(`subscription ${subscriptionId} \\(node, terminated\\), process ${processId}, and its subscription is locked by process ${modifying} \\(modify_node\\)`))
    await prisma.subscription.update({ where: { id: subscriptionId }, data: { lifecycle: 'active', lockedBy: null } })
    assert.equal((await api().get('/api/dcim/devices/fix-r1')).status, 200, 'nothing was removed')

    // Once the subscription is terminated, nothing holds the device any more.
    await prisma.subscription.update({ where: { id: subscriptionId }, data: { lifecycle: 'terminated' } })
    assert.equal((await api().call<DeviceDto>('PATCH', '/api/dcim/devices/fix-r1', { name: 'fix-r9' })).status, 200)
  })
})

describe('/api/dcim while a process is starting', () => {
  const gateway = gatewayOnFreshDatabase()
  const api = () => apiClient(gateway.url)

  before(async () => {
    await api().call('POST', '/api/dcim/sites', { name: 'race' })
    for (const name of ['race-r1', 'race-r2']) {
      assert.equal((await api().call('POST', '/api/dcim/devices', { name, role: 'router', vendor: 'frr', platform: 'frr', site: 'race' })).status, 201)
      assert.equal((await api().call('POST', `/api/dcim/devices/${name}/interfaces`, { name: 'eth1', speed_mbps: 10000 })).status, 201)
    }
  })

  test('a delete, a rename or an interface change waits for a start that is claiming the device or interface, then refuses naming the process; nothing changes', async () => {
    const prisma = gateway.prisma
    const claim = async (resourceType: string, resourceKey: string, request: () => Promise<ApiResponse>) => {
      const process = uuidv7()
      // What POST /api/processes/{workflow} writes in its transaction, still uncommitted while the request comes in.
      const answer = await whileInFlight(
        prisma,
        [
          `INSERT INTO processes (id, workflow, target, status, created_by, updated_at) VALUES ('${process}', 'create_node', 'CREATE', 'created', 'alice', now())`,
          `INSERT INTO resource_claims (resource_type, resource_key, process_id) VALUES ('${resourceType}', '${resourceKey}', '${process}')`,
        ],
        request,
      )
      assert.equal(answer.status, 409, JSON.stringify(answer.body))
      assert.match(String(answer.body.detail), new RegExp(`${resourceType} ${resourceKey} is held by process ${process}`))
    }
    await claim('dcim_device', 'race-r1', () => api().call('DELETE', '/api/dcim/devices/race-r1'))
    await claim('dcim_interface', 'race-r2:eth1', () => api().call('PATCH', '/api/dcim/devices/race-r2', { name: 'race-r9' }))
    await claim('dcim_interface', 'race-r1:eth1', () => api().call('PATCH', '/api/dcim/devices/race-r1/interfaces/eth1', { enabled: false }))
    assert.deepEqual((await api().get<Page<DeviceDto>>('/api/dcim/devices?site=race')).body.items.map((d) => d.name), ['race-r1', 'race-r2'])
    assert.equal((await api().get<Page<InterfaceDto>>('/api/dcim/devices/race-r1/interfaces')).body.items[0].enabled, true)
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
    for (const [method, path, body] of [
      ['GET', '/api/dcim/devices'], ['GET', '/api/ipam/pools'],
      ['PATCH', '/api/dcim/devices/ams-pe1', { management_address: '192.0.2.1' }], ['DELETE', '/api/dcim/devices/ams-pe1'],
      ['PATCH', '/api/dcim/devices/ams-pe1/interfaces/eth1', { enabled: true }], ['PUT', '/api/dcim/fleets/acme'],
    ] as const) {
      const res = await api.call(method, path, body)
      assert.equal(res.status, 409, `${method} ${path}`)
      assert.match(String(res.body.detail), /in use is NetBox \(http:\/\/127\.0\.0\.1:1\)/)
    }
    const form = await api.get('/api/workflows/create_node/form')
    assert.equal(form.status, 503)
    assert.match(String(form.body.detail), /NetBox at http:\/\/127\.0\.0\.1:1 did not answer GET \/api\/dcim\/devices\//)
    assert.doesNotMatch(JSON.stringify(form.body), /not-a-real-token/)
  })
})
