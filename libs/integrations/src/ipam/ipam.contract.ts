// What every IPAM behind the Ipam interface must do, run against each backend by its own test file
// (builtin-ipam.test.ts; the NetBox adapter's tests when a NetBox can run).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { refused } from '../refused.js'
import type { Ipam } from './ipam.js'
import { parsePrefix } from './prefix.js'

/** Pools the backend under test has made: names of pools with these prefixes. */
export interface ContractPools {
  /** 10.99.0.0/24, role link */
  link4: string
  /** 2001:db8:99::/64, role link */
  link6: string
  /** 10.98.0.0/28, role loopback */
  loopback4: string
  /** 10.97.0.0/30, role link: room for two /31s */
  tiny: string
}

const owner = (purpose = 'side_a_ipv4') => ({ subscription_id: uuidv7(), purpose })


export function describeIpamContract(backend: string, setup: () => { ipam: Ipam; pools: ContractPools }) {
  describe(`IPAM contract: ${backend}`, () => {
    test('hands out the next free /31 and /127, a different one to each owner and the same one to the same owner', async () => {
      const { ipam, pools } = setup()
      const a = owner()
      const first = await ipam.allocatePrefix({ ...a, pool: pools.link4, length: 31 })
      const second = await ipam.allocatePrefix({ ...owner(), pool: pools.link4, length: 31 })
      assert.match(first.prefix, /^10\.99\.0\.\d+\/31$/)
      assert.notEqual(first.prefix, second.prefix)
      assert.deepEqual(await ipam.allocatePrefix({ ...a, pool: pools.link4, length: 31 }), first, 'asking again (a retried activity) returns the same')
      assert.deepEqual(await ipam.allocationOf(a), first)
      const v6 = await ipam.allocatePrefix({ ...owner('side_a_ipv6'), pool: pools.link6, length: 127 })
      assert.match(v6.prefix, /^2001:db8:99::[0-9a-f]*\/127$/)
      const wide = await ipam.allocatePrefix({ ...owner('customer_lan'), pool: pools.link6, length: 120 })
      assert.equal(parsePrefix(wide.prefix).length, 120)
    })

    test('single addresses come with their length and skip the network address', async () => {
      const { ipam, pools } = setup()
      const loopback = await ipam.allocateAddress({ ...owner('loopback_ipv4'), pool: pools.loopback4 })
      assert.match(loopback.prefix, /^10\.98\.0\.\d+\/32$/)
      assert.notEqual(loopback.prefix, '10.98.0.0/32')
    })

    test('an exhausted pool is a clear error, and a released prefix can be handed out again', async () => {
      const { ipam, pools } = setup()
      const [a, b] = [owner(), owner()]
      const first = await ipam.allocatePrefix({ ...a, pool: pools.tiny, length: 31 })
      await ipam.allocatePrefix({ ...b, pool: pools.tiny, length: 31 })
      await refused(ipam.allocatePrefix({ ...owner(), pool: pools.tiny, length: 31 }), 'exhausted', /no free \/31/)
      assert.deepEqual(await ipam.release(a), first)
      assert.equal(await ipam.release(a), null, 'releasing twice is harmless')
      assert.equal(await ipam.allocationOf(a), null)
      const again = await ipam.allocatePrefix({ ...owner(), pool: pools.tiny, length: 31 })
      assert.equal(again.prefix, first.prefix)
    })

    test('unknown pools, impossible lengths and a second, different request by one owner are refused', async () => {
      const { ipam, pools } = setup()
      await refused(ipam.allocatePrefix({ ...owner(), pool: 'no-such-pool', length: 31 }), 'not_found', /no-such-pool/)
      await refused(ipam.allocatePrefix({ ...owner(), pool: pools.link4, length: 16 }), 'invalid', /between 24 and 32/)
      await refused(ipam.allocatePrefix({ ...owner(), pool: pools.link4, length: 33 }), 'invalid', /between 24 and 32/)
      const a = owner()
      await ipam.allocatePrefix({ ...a, pool: pools.link4, length: 31 })
      await refused(ipam.allocatePrefix({ ...a, pool: pools.link4, length: 30 }), 'conflict', /already holds/)
    })

    test('100 concurrent allocations from one pool are all distinct', async () => {
      const { ipam, pools } = setup()
      const owners = Array.from({ length: 100 }, () => owner())
      const got = await Promise.all(owners.map((o) => ipam.allocatePrefix({ ...o, pool: pools.link6, length: 127 })))
      assert.equal(new Set(got.map((g) => g.prefix)).size, 100)
      // Repeated concurrently, the same owners get the same allocations back, and nothing new is made.
      const again = await Promise.all(owners.map((o) => ipam.allocatePrefix({ ...o, pool: pools.link6, length: 127 })))
      assert.deepEqual(again.map((g) => g.prefix), got.map((g) => g.prefix))
    })
  })
}
