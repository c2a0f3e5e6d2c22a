// What every device driver that can see its device must do (frr against real routers, and the simulator),
// run by each one's own test file.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type DeviceDriver, DeviceError, type DeviceTarget } from './driver.js'

export interface DriverFixture {
  driver: DeviceDriver
  target: DeviceTarget
  /** a valid configuration the device already runs when the suite starts */
  baseline: string
  /** another valid configuration (it changes an OSPF cost, say) */
  changed: string
  /** an interface of the baseline that runs no OSPF */
  quietInterface: string
}

export function describeDriverContract(name: string, setup: () => DriverFixture, options: { skip?: string } = {}) {
  describe(`device driver contract: ${name}`, { skip: options.skip }, () => {
    test('check accepts a rendered configuration and refuses an unknown command, naming it', async () => {
      const { driver, target, baseline } = setup()
      assert.deepEqual(await driver.check(target, baseline), { ok: true, errors: [] })
      const bad = await driver.check(target, `${baseline}this is not a command\n`)
      assert.equal(bad.ok, false)
      assert.match(bad.errors.join('\n'), /Unknown command.*this is not a command/)
    })

    test('re-applying the running configuration changes nothing', async () => {
      const { driver, target, baseline } = setup()
      assert.equal(await driver.diff(target, baseline), '')
      assert.deepEqual(await driver.apply(target, baseline, 'contract-same'), { changed: false, diff: '', backup: null, needs_confirmation: false })
    })

    test('a change is applied as a delta, and a rollback puts the configuration before it back', async () => {
      const { driver, target, baseline, changed } = setup()
      const applied = await driver.apply(target, changed, 'contract-change')
      assert.equal(applied.changed, true)
      assert.match(applied.diff, /Lines To Delete[\s\S]*Lines To Add/)
      assert.equal(applied.backup, 'contract-change')
      assert.equal(await driver.diff(target, changed), '', 'the device now runs it')
      assert.equal((await driver.apply(target, changed, 'contract-change')).changed, false, 'a retry changes nothing')
      await driver.rollback(target, 'contract-change')
      assert.equal(await driver.diff(target, baseline), '', 'rolled back to the configuration before')
      await assert.rejects(driver.rollback(target, 'contract-never-made'), /no backup contract-never-made/)
    })

    test('a bad configuration is refused and the device is left as it was', async () => {
      const { driver, target, baseline, changed } = setup()
      await assert.rejects(driver.apply(target, `${changed}this is not a command\n`, 'contract-bad'), (e: unknown) => e instanceof DeviceError && e.kind === 'invalid_config')
      assert.equal(await driver.diff(target, baseline), '')
    })

    test('verification names what does not hold', async () => {
      const { driver, target, quietInterface } = setup()
      const result = await driver.verify(target, { ospf_full_on: [quietInterface], timeout_ms: 1500 })
      assert.deepEqual(result, { ok: false, failures: [`no OSPF neighbour in state Full on ${quietInterface}`] })
    })
  })
}
