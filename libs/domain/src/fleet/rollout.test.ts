import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { acmeFleet } from './acme-fleet.js'
import { CANARY_WAVE, FLEET_POLICIES, MAIN_WAVE, planRollout } from './rollout.js'

const earth = acmeFleet().filter((d) => d.site === 'earth')

describe('fleet rollout plans', () => {
  test("dc-aware, as the seed's runner: a site's edges together, its spines together, its leaves by rack; each group in name order", () => {
    const plan = planRollout(earth, FLEET_POLICIES['dc-aware'])
    const groups = new Map<string, string[]>()
    for (const d of plan.devices) groups.set(d.group, [...(groups.get(d.group) ?? []), d.name])
    assert.equal(groups.size, 1 + 1 + 50)
    assert.deepEqual(groups.get('earth/edge'), ['edge00.earth', 'edge01.earth'])
    assert.deepEqual(groups.get('earth/spine'), ['spine00.earth', 'spine01.earth', 'spine02.earth', 'spine03.earth'])
    // leaf92 and leaf93 share a rack: the seed's leaf92 failed → leaf93 skipped.
    assert.deepEqual(groups.get('earth/rack46'), ['leaf92.earth', 'leaf93.earth'])
    assert.ok(plan.devices.every((d) => d.position === groups.get(d.group)!.indexOf(d.name)))
    assert.ok(plan.groups.every((g) => g.wave === MAIN_WAVE && g.size === groups.get(g.key)!.length))
  })

  test('the whole ACME fleet: 416 groups (8 sites × (edge + spine + 50 racks)); parallel: one group per device', () => {
    assert.equal(planRollout(acmeFleet(), FLEET_POLICIES['dc-aware']).groups.length, 416)
    const parallel = planRollout(acmeFleet(), FLEET_POLICIES.parallel)
    assert.equal(parallel.groups.length, 848)
    assert.equal(FLEET_POLICIES.parallel.stopGroupOnFailure, false)
  })

  test('a canary wave takes the first device of as many groups, round-robin over the sites; the rest of those groups follows in the main wave', () => {
    const fleet = acmeFleet()
    const plan = planRollout(fleet, FLEET_POLICIES['dc-aware'], 10)
    const canary = plan.devices.filter((d) => d.wave === CANARY_WAVE)
    assert.equal(canary.length, 10)
    assert.ok(canary.every((d) => d.position === 0), 'the first device of its group')
    assert.equal(new Set(canary.map((d) => d.site)).size, 8, 'every site before a second one from any')
    const rack = canary.find((d) => d.group.includes('/rack'))!
    assert.deepEqual(
      plan.groups.filter((g) => g.key === rack.group).map((g) => [g.wave, g.size]),
      [
        [CANARY_WAVE, 1],
        [MAIN_WAVE, 1],
      ],
    )
    assert.equal(plan.devices.length, fleet.length)
  })

  test('the same devices give the same plan, in whatever order they come', () => {
    const a = planRollout(earth, FLEET_POLICIES['dc-aware'], 3)
    const b = planRollout([...earth].reverse(), FLEET_POLICIES['dc-aware'], 3)
    assert.deepEqual(a, b)
  })
})
