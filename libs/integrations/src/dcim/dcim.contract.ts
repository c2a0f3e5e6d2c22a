// What every DCIM behind the Dcim interface must do, run against each backend by its own test file.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { refused } from '../refused.js'
import type { Dcim } from './dcim.js'

/**
 * What the backend under test holds before the suite runs: three planned routers `${prefix}-r1..3` at site
 * `${prefix}`, each with interfaces eth1, eth2 and eth10 (10 Gbit/s), no cables; r1 has primary IPs
 * 198.51.100.1/32 and 2001:db8::1/128 and management address 192.0.2.1. None has an OS version recorded (NetBox: the
 * device custom field `os_version` exists, empty).
 */
export interface ContractInventory {
  prefix: string
}


export function describeDcimContract(backend: string, setup: () => { dcim: Dcim; inventory: ContractInventory }) {
  describe(`DCIM contract: ${backend}`, () => {
    test('devices by name and by status, with their addresses; unknown names are named', async () => {
      const { dcim, inventory: { prefix } } = setup()
      const r1 = await dcim.device(`${prefix}-r1`)
      assert.equal(r1.status, 'planned')
      assert.equal(r1.site, prefix)
      assert.equal(r1.primary_ipv4, '198.51.100.1/32')
      assert.equal(r1.primary_ipv6, '2001:db8::1/128')
      assert.equal(r1.management_address, '192.0.2.1')
      const planned = await dcim.devices({ status: 'planned', site: prefix })
      assert.deepEqual(planned.map((d) => d.name), [`${prefix}-r1`, `${prefix}-r2`, `${prefix}-r3`])
      await refused(dcim.device(`${prefix}-r99`), 'not_found', new RegExp(`${prefix}-r99`))
    })

    test('a status change is made once: setting the same status again changes nothing', async () => {
      const { dcim, inventory: { prefix } } = setup()
      assert.equal((await dcim.setDeviceStatus(`${prefix}-r3`, 'active')).status, 'active')
      assert.equal((await dcim.setDeviceStatus(`${prefix}-r3`, 'active')).status, 'active')
      assert.deepEqual((await dcim.devices({ status: 'active', site: prefix })).map((d) => d.name), [`${prefix}-r3`])
      await dcim.setDeviceStatus(`${prefix}-r3`, 'planned')
    })

    test('devices of any of several sites and roles, by name; with a single site or role too, both must hold', async () => {
      const { dcim, inventory: { prefix } } = setup()
      const names = [`${prefix}-r1`, `${prefix}-r2`, `${prefix}-r3`]
      const { role } = await dcim.device(`${prefix}-r1`)
      assert.deepEqual((await dcim.devices({ sites: [prefix], roles: [role] })).map((d) => d.name), names)
      assert.deepEqual((await dcim.devices({ site: prefix, sites: [prefix], role, roles: [role] })).map((d) => d.name), names)
      assert.deepEqual(await dcim.devices({ site: prefix, sites: [`${prefix}-elsewhere`] }), [])
      assert.deepEqual(await dcim.devices({ sites: [] }), [])
      assert.deepEqual(await dcim.devices({ sites: [prefix], roles: [] }), [])
    })

    test('the OS version a device runs: none until recorded; recording it again changes nothing', async () => {
      const { dcim, inventory: { prefix } } = setup()
      assert.equal((await dcim.device(`${prefix}-r1`)).os_version, null)
      const upgraded = await dcim.setDeviceOsVersion(`${prefix}-r2`, '5.3.1')
      assert.equal(upgraded.os_version, '5.3.1')
      assert.deepEqual(await dcim.setDeviceOsVersion(`${prefix}-r2`, '5.3.1'), upgraded)
      assert.deepEqual((await dcim.devices({ site: prefix })).map((d) => d.os_version), [null, '5.3.1', null])
      await refused(dcim.setDeviceOsVersion(`${prefix}-r99`, '5.3.1'), 'not_found', new RegExp(`${prefix}-r99`))
      await refused(dcim.setDeviceOsVersion(`${prefix}-r2`, ' '), 'invalid', /must not be empty/)
    })

    test('OS versions of many devices at once: unknown devices left out, the others recorded', async () => {
      const { dcim, inventory: { prefix } } = setup()
      await dcim.setDeviceOsVersions([
        { name: `${prefix}-r1`, version: '6.0.0' },
        { name: `${prefix}-r3`, version: '6.0.1' },
        { name: `${prefix}-r99`, version: '6.0.0' },
      ])
      assert.deepEqual([(await dcim.device(`${prefix}-r1`)).os_version, (await dcim.device(`${prefix}-r3`)).os_version], ['6.0.0', '6.0.1'])
    })

    test('interfaces in natural order; description, enabled and status can be changed', async () => {
      const { dcim, inventory: { prefix } } = setup()
      const ifs = await dcim.interfaces(`${prefix}-r1`)
      assert.deepEqual(ifs.map((i) => [i.interface, i.speed_mbps, i.cable]), [['eth1', 10000, null], ['eth2', 10000, null], ['eth10', 10000, null]])
      const changed = await dcim.updateInterface({ device: `${prefix}-r1`, interface: 'eth2' }, { description: 'to r2', enabled: false })
      assert.equal(changed.description, 'to r2')
      assert.equal(changed.enabled, false)
      await refused(dcim.updateInterface({ device: `${prefix}-r1`, interface: 'eth99' }, { description: 'x' }), 'not_found', /eth99/)
    })

    test('cables: planned, then connected; the same cable asked for twice is one cable; a busy interface is a conflict; delete is idempotent', async () => {
      const { dcim, inventory: { prefix } } = setup()
      const a = { device: `${prefix}-r1`, interface: 'eth1' }
      const b = { device: `${prefix}-r2`, interface: 'eth1' }
      const cable = await dcim.createCable(a, b, { description: 'r1–r2' })
      assert.equal(cable.status, 'planned')
      assert.deepEqual([cable.a, cable.b], [a, b])
      assert.deepEqual(await dcim.createCable(b, a), cable, 'the same two ends, either way round')
      const onA = (await dcim.interfaces(a.device)).find((i) => i.interface === 'eth1')!
      assert.deepEqual(onA.cable, { id: cable.id, status: 'planned', peer: b })

      await refused(dcim.createCable(a, { device: `${prefix}-r3`, interface: 'eth1' }), 'conflict', new RegExp(`${prefix}-r1 eth1 already has cable`))
      await refused(dcim.createCable(a, a), 'invalid', /two different interfaces/)

      assert.equal((await dcim.setCableStatus(cable.id, 'connected')).status, 'connected')
      assert.deepEqual(await dcim.deleteCable(cable.id), { ...cable, status: 'connected' })
      assert.equal(await dcim.deleteCable(cable.id), null)
      assert.equal((await dcim.interfaces(a.device)).find((i) => i.interface === 'eth1')!.cable, null)
    })

    test('100 concurrent requests for one cable make one cable', async () => {
      const { dcim, inventory: { prefix } } = setup()
      const a = { device: `${prefix}-r2`, interface: 'eth10' }
      const b = { device: `${prefix}-r3`, interface: 'eth10' }
      const made = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? dcim.createCable(a, b) : dcim.createCable(b, a))))
      assert.equal(new Set(made.map((c) => c.id)).size, 1)
      await dcim.deleteCable(made[0].id)
    })
  })
}
