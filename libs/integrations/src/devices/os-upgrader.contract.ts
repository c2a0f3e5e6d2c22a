// What every OsUpgrader must do (the fleet simulator's client, and a real upgrader against lab devices), run by each
// one's own test file. Every test takes devices of its own, so the suite needs no order and leaves nothing to undo.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FleetDevice, OsUpgrader } from './os-upgrader.js'

export interface OsUpgraderFixture {
  upgrader: OsUpgrader
  /** a device no test has used yet, running `version`, as the inventory records it (an upgrade to another version succeeds) */
  freshDevice(version: string): Promise<FleetDevice>
  /** two versions the devices accept (default '5.2.3' and '5.3.1') */
  versions?: [string, string]
}

export function describeOsUpgraderContract(name: string, setup: () => OsUpgraderFixture, options: { skip?: string } = {}) {
  describe(`OS upgrader contract: ${name}`, { skip: options.skip }, () => {
    const versionsOf = (fixture: OsUpgraderFixture) => fixture.versions ?? ['5.2.3', '5.3.1']

    test('reads the version the device runs, whatever the inventory says', async () => {
      const fixture = setup()
      const [old, next] = versionsOf(fixture)
      const device = await fixture.freshDevice(old)
      assert.equal(await fixture.upgrader.version(device), old)
      // The inventory may lag the device (an upgrade by hand): the device's word counts.
      assert.equal(await fixture.upgrader.version({ ...device, os_version: next }), old)
      assert.equal(await fixture.upgrader.version({ ...device, os_version: null }), old)
    })

    test('an upgrade changes the version and says from which; a second one to the same version changes nothing', async () => {
      const fixture = setup()
      const [old, next] = versionsOf(fixture)
      const device = await fixture.freshDevice(old)
      assert.deepEqual(await fixture.upgrader.upgrade(device, next, `${device.name}-first`), { changed: true, from_version: old, version: next })
      assert.equal(await fixture.upgrader.version(device), next)
      assert.deepEqual(await fixture.upgrader.upgrade(device, next, `${device.name}-second`), { changed: false, from_version: next, version: next })
      assert.equal(await fixture.upgrader.version(device), next)
    })

    test('two calls with the same request id at once upgrade the device once, and both get its outcome', async () => {
      const fixture = setup()
      const [old, next] = versionsOf(fixture)
      const device = await fixture.freshDevice(old)
      const [a, b] = await Promise.all([fixture.upgrader.upgrade(device, next, `${device.name}-once`), fixture.upgrader.upgrade(device, next, `${device.name}-once`)])
      // Performed twice, the second would have found the device on `next` (changed: false) or refused as busy.
      assert.deepEqual(a, { changed: true, from_version: old, version: next })
      assert.deepEqual(b, a)
      assert.equal(await fixture.upgrader.version(device), next)
    })

    test('repeating a completed request id returns its outcome, not a new one', async () => {
      const fixture = setup()
      const [old, next] = versionsOf(fixture)
      const device = await fixture.freshDevice(old)
      const first = await fixture.upgrader.upgrade(device, next, `${device.name}-again`)
      assert.deepEqual(first, { changed: true, from_version: old, version: next })
      // A worker that died before recording the outcome retries with the same id: it must still learn what changed.
      assert.deepEqual(await fixture.upgrader.upgrade(device, next, `${device.name}-again`), first)
      assert.deepEqual(await fixture.upgrader.upgrade({ ...device, os_version: next }, next, `${device.name}-again`), first)
    })
  })
}
