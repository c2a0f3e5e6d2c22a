import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ACME_DEV_TYPES, ACME_SITES, acmeFleet } from './acme-fleet.js'

describe('the ACME fleet', () => {
  const fleet = acmeFleet()

  test('848 devices with unique names and management addresses: per site 2 edge, 4 spine and 100 leaf', () => {
    assert.equal(fleet.length, 848)
    assert.equal(new Set(fleet.map((d) => d.name)).size, 848)
    assert.equal(new Set(fleet.map((d) => d.management_address)).size, 848)
    for (const site of ACME_SITES) {
      const here = fleet.filter((d) => d.site === site)
      assert.deepEqual(
        ACME_DEV_TYPES.map((t) => here.filter((d) => d.dev_type === t).length),
        [2, 4, 100],
        site,
      )
    }
    assert.deepEqual(
      fleet.filter((d) => d.site === 'earth' && d.dev_type !== 'leaf').map((d) => d.name),
      ['edge00.earth', 'edge01.earth', 'spine00.earth', 'spine01.earth', 'spine02.earth', 'spine03.earth'],
    )
    assert.ok(fleet.some((d) => d.name === 'leaf99.jupyter'))
  })

  test('leaves two to a rack, 50 racks per site; edges and spines in none', () => {
    for (const site of ACME_SITES) {
      const racks = new Map<string, string[]>()
      for (const d of fleet.filter((x) => x.site === site && x.dev_type === 'leaf')) racks.set(d.rack!, [...(racks.get(d.rack!) ?? []), d.name])
      assert.equal(racks.size, 50, site)
      assert.ok([...racks.values()].every((leaves) => leaves.length === 2), site)
      assert.deepEqual(racks.get('rack00'), [`leaf00.${site}`, `leaf01.${site}`])
      assert.deepEqual(racks.get('rack49'), [`leaf98.${site}`, `leaf99.${site}`])
    }
    assert.ok(fleet.filter((d) => d.dev_type !== 'leaf').every((d) => d.rack === null))
  })

  test('every device runs 5.2.3 and is managed on a private IPv4 address', () => {
    assert.ok(fleet.every((d) => d.os_version === '5.2.3'))
    for (const { management_address: a } of fleet) {
      const octets = a.split('.').map(Number)
      assert.equal(octets[0], 10, a)
      assert.ok(octets.length === 4 && octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255) && octets[3] > 0, a)
    }
  })

  test('the same fleet every time', () => {
    assert.deepEqual(acmeFleet(), fleet)
  })
})
