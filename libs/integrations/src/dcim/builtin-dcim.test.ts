import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { PrismaService } from '#persistence/index.js'
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
