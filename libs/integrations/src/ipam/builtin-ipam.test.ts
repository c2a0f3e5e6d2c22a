import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { PrismaService } from '#persistence/index.js'
import { BuiltinIpam } from './builtin-ipam.js'
import { describeIpamContract } from './ipam.contract.js'

let db: TestDatabase
let prisma: PrismaService
let ipam: BuiltinIpam

before(async () => {
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  ipam = new BuiltinIpam(prisma)
  await ipam.createPool({ name: 'links', prefix: '10.99.0.0/24', role: 'link' })
  await ipam.createPool({ name: 'links-v6', prefix: '2001:db8:99::/64', role: 'link' })
  await ipam.createPool({ name: 'loopbacks', prefix: '10.98.0.0/28', role: 'loopback' })
  await ipam.createPool({ name: 'tiny', prefix: '10.97.0.0/30', role: 'link' })
})
after(async () => {
  await prisma?.$disconnect()
  await db?.drop()
})

describeIpamContract('built-in', () => ({ ipam, pools: { link4: 'links', link6: 'links-v6', loopback4: 'loopbacks', tiny: 'tiny' } }))

describe('built-in IPAM', () => {
  test('pools may not overlap, must be networks and have unique names', async () => {
    await assert.rejects(ipam.createPool({ name: 'inside', prefix: '10.99.0.128/25', role: 'link' }), /overlaps links \(10\.99\.0\.0\/24\)/)
    await assert.rejects(ipam.createPool({ name: 'around', prefix: '10.0.0.0/8', role: 'link' }), /overlaps .*links/)
    await assert.rejects(ipam.createPool({ name: 'sloppy', prefix: '10.50.0.1/24', role: 'link' }), /host bits set/)
    await assert.rejects(ipam.createPool({ name: 'links', prefix: '10.51.0.0/24', role: 'link' }), /a pool named links exists already/)
  })

  test('overlap is impossible by database constraint, whatever code writes the rows', async () => {
    const pool = await ipam.pool('links')
    const held = await ipam.allocatePrefix({ subscription_id: uuidv7(), purpose: 'p', pool: 'links', length: 30 })
    const insert = (prefix: string) => prisma.$executeRaw`
      INSERT INTO ipam_allocations (id, pool_id, prefix, subscription_id, purpose) VALUES (${uuidv7()}::uuid, ${pool.id}::uuid, ${prefix}::inet, ${uuidv7()}::uuid, 'raw')`
    await assert.rejects(insert(held.prefix), /ipam_allocations_no_overlap/)
    await assert.rejects(insert(held.prefix.replace(/\/30$/, '/32')), /ipam_allocations_no_overlap/, 'an address inside it')
    await assert.rejects(insert('10.99.0.77/24'), /ipam_allocations_prefix_is_network/)
    await assert.rejects(prisma.$executeRaw`INSERT INTO ipam_pools (id, name, prefix, role, updated_at) VALUES (${uuidv7()}::uuid, 'raw', '10.99.0.0/16', 'link', now())`, /ipam_pools_no_overlap/)
  })

  test('utilisation counts addresses; a pool with allocations cannot be deleted', async () => {
    await ipam.createPool({ name: 'meter', prefix: '10.96.0.0/29', role: 'management' })
    await ipam.allocatePrefix({ subscription_id: uuidv7(), purpose: 'a', pool: 'meter', length: 30 })
    await ipam.allocateAddress({ subscription_id: uuidv7(), purpose: 'b', pool: 'meter' })
    const meter = await ipam.pool('meter')
    assert.deepEqual(meter.utilisation, { allocations: 2, addresses_used: '5', addresses_total: '8', percent: 62.5 })
    assert.deepEqual(await ipam.pool(meter.id), meter, 'by id as by name')
    assert.deepEqual((await ipam.allocations('meter')).map((a) => a.prefix), ['10.96.0.0/30', '10.96.0.4/32'])
    await assert.rejects(ipam.deletePool('meter'), /still has 2 allocations/)
    const v6 = await ipam.pool('links-v6')
    assert.equal(v6.utilisation.addresses_total, (2n ** 64n).toString())
  })
})
