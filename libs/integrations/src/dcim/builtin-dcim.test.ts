import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { PrismaService, seedAcmeFleet } from '#persistence/index.js'
import { BuiltinDcim } from './builtin-dcim.js'
import { describeDcimContract } from './dcim.contract.js'

let db: TestDatabase
let prisma: PrismaService
let dcim: BuiltinDcim
const prefix = 'ctr'

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  dcim = new BuiltinDcim(prisma)
  await dcim.createSite({ name: prefix })
  for (const k of [1, 2, 3]) {
    await dcim.createDevice({
      name: `${prefix}-r${k}`,
      role: 'router',
      vendor: 'frr',
      platform: 'frr',
      site: prefix,
      ...(k === 1 ? { management_address: '192.0.2.1', primary_ipv4: '198.51.100.1/32', primary_ipv6: '2001:db8::1/128' } : {}),
    })
    for (const name of ['eth10', 'eth2', 'eth1']) await dcim.createInterface(`${prefix}-r${k}`, { name, speed_mbps: 10000 })
  }
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

describeDcimContract('built-in', () => ({ dcim, inventory: { prefix } }))

describe('built-in DCIM inventory', () => {
  test('sites, racks and devices are checked as they are made', async () => {
    await dcim.createSite({ name: 'ams', description: 'Amsterdam' })
    await dcim.createRack('ams', 'r101')
    await assert.rejects(dcim.createRack('ams', 'r101'), /has a rack r101 already/)
    await assert.rejects(dcim.createRack('nowhere', 'r1'), /no site nowhere/)
    const leaf = await dcim.createDevice({ name: 'ams-leaf1', role: 'leaf', vendor: 'frr', platform: 'frr', site: 'ams', rack: 'r101', primary_ipv4: '10.0.0.1' })
    assert.equal(leaf.rack, 'r101')
    assert.equal(leaf.primary_ipv4, '10.0.0.1/32')
    await assert.rejects(dcim.createDevice({ name: 'ams-leaf1', role: 'leaf', vendor: 'frr', platform: 'frr', site: 'ams' }), /exists already/)
    await assert.rejects(dcim.createDevice({ name: 'x', role: 'leaf', vendor: 'frr', platform: 'frr', site: 'ams', rack: 'r999' }), /no rack r999/)
    await assert.rejects(dcim.createDevice({ name: 'y', role: 'leaf', vendor: 'frr', platform: 'frr', site: 'ams', primary_ipv4: '2001:db8::1' }), /must be an IPv4 address/)
    const sites = await dcim.sites()
    assert.deepEqual(sites.find((s) => s.name === 'ams'), { name: 'ams', description: 'Amsterdam', racks: ['r101'], devices: 1 })
  })

  test('an interface is at most one cable end, by database constraint', async () => {
    const [eth2] = (await prisma.dcimInterface.findMany({ where: { name: 'eth2', device: { name: `${prefix}-r3` } } }))
    const cable = async () => {
      const id = uuidv7()
      await prisma.dcimCable.create({ data: { id } })
      return id
    }
    await prisma.dcimCableEnd.create({ data: { cableId: await cable(), interfaceId: eth2.id, side: 'a' } })
    await assert.rejects(prisma.dcimCableEnd.create({ data: { cableId: await cable(), interfaceId: eth2.id, side: 'b' } }), /Unique constraint failed/)
  })
})

describe('the ACME fleet in the built-in DCIM', () => {
  test('loaded once: 8 sites, 50 racks each, 848 active acmeos devices on 5.2.3, leaves in their racks', async () => {
    assert.deepEqual(await seedAcmeFleet(prisma), { added: 848, total: 848 })
    const earth = await dcim.devices({ site: 'earth' })
    assert.equal(earth.length, 106)
    assert.deepEqual(earth.slice(0, 3).map((d) => d.name), ['edge00.earth', 'edge01.earth', 'leaf00.earth'], 'by name')
    assert.deepEqual(await dcim.device('leaf07.earth'), {
      name: 'leaf07.earth',
      role: 'leaf',
      vendor: 'acme',
      platform: 'acmeos',
      site: 'earth',
      rack: 'rack03',
      status: 'active',
      management_address: '10.2.2.8',
      primary_ipv4: null,
      primary_ipv6: null,
      os_version: '5.2.3',
    })
    assert.deepEqual(earth.find((d) => d.name === 'leaf07.earth'), await dcim.device('leaf07.earth'), 'the list reads a device as device() does')
    assert.equal(earth.find((d) => d.name === 'spine00.earth')!.rack, null)
    const sites = await dcim.sites()
    assert.deepEqual(sites.find((x) => x.name === 'mars'), { name: 'mars', description: '', racks: Array.from({ length: 50 }, (_, i) => `rack${String(i).padStart(2, '0')}`), devices: 106 })
  })

  test('any of several sites and roles', async () => {
    const spinesAndEdges = await dcim.devices({ sites: ['earth', 'mars'], roles: ['spine', 'edge'] })
    assert.equal(spinesAndEdges.length, 12)
    assert.deepEqual([...new Set(spinesAndEdges.map((d) => d.role))].sort(), ['edge', 'spine'])
    assert.equal((await dcim.devices({ roles: ['leaf'], status: 'active' })).length, 800)
    assert.equal((await dcim.devices({ role: 'leaf', sites: ['venus', 'venus'] })).length, 100)
    assert.deepEqual(await dcim.devices({ site: 'earth', sites: ['mars'] }), [])
    const everything = await dcim.devices({})
    assert.deepEqual(everything.map((d) => d.name), everything.map((d) => d.name).sort(), 'by name')
  })

  test('loaded again: nothing added, and a device keeps what happened to it since (its OS version, its status)', async () => {
    await dcim.setDeviceOsVersion('spine02.mars', '5.3.1')
    await dcim.setDeviceStatus('leaf11.saturn', 'offline')
    const before = await prisma.dcimDevice.findUniqueOrThrow({ where: { name: 'spine02.mars' } })
    assert.deepEqual(await seedAcmeFleet(prisma), { added: 0, total: 848 })
    assert.equal((await dcim.device('spine02.mars')).os_version, '5.3.1')
    assert.equal((await dcim.device('leaf11.saturn')).status, 'offline')
    const after = await prisma.dcimDevice.findUniqueOrThrow({ where: { name: 'spine02.mars' } })
    assert.deepEqual([after.id, after.version], [before.id, before.version])
    assert.equal((await dcim.setDeviceOsVersion('spine02.mars', '5.3.1')).os_version, '5.3.1')
    assert.equal((await prisma.dcimDevice.findUniqueOrThrow({ where: { name: 'spine02.mars' } })).version, before.version, 'the same version again is no change')
    assert.equal(await prisma.dcimRack.count({ where: { site: { name: 'earth' } } }), 50)
  })
})
