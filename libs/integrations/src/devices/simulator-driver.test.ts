import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { renderDeviceConfig } from '#domain/config/index.js'
import { changesByContext } from './config-diff.js'
import { describeDriverContract } from './driver.contract.js'
import type { DeviceTarget } from './driver.js'
import { SimulatorDriver } from './simulator-driver.js'

const node = { hostname: 'sim-r1', site: 'sim', role: 'router', loopback_ipv4: '10.255.9.1/32', loopback_ipv6: '2001:db8:9::1/128', igp: { protocol: 'ospf' as const, area: '0.0.0.0' } }
const link = (metric: number) => ({ interface: 'eth1', description: 'to sim-r2', ipv4_address: '10.9.0.0/31', ipv6_address: '2001:db8:9:1::/127', igp: { area: '0.0.0.0', metric, mode: 'normal' as const } })
const target: DeviceTarget = { device: 'sim-r1', vendor: 'frr', host: '192.0.2.99', username: 'loom', credentials: 'env:UNUSED' }

describe('device simulator', () => {
  const driver = new SimulatorDriver({ seed: 7, latency_ms: [0, 2] })
  const baseline = renderDeviceConfig('frr', node, [link(10)])
  before(async () => {
    await driver.apply(target, baseline, 'initial')
  })
  describeDriverContract('simulator', () => ({ driver, target, baseline, changed: renderDeviceConfig('frr', node, [link(20)]), quietInterface: 'eth9' }))

  test('the same seed fails the same calls; a failure is an unreachable device, which a retry may get past', async () => {
    const outcomes = async (seed: number) => {
      const sim = new SimulatorDriver({ seed, failure_rate: 0.3 })
      const results: string[] = []
      for (let i = 0; i < 20; i++) {
        results.push(
          await sim.apply({ ...target, device: `d${i}` }, baseline, 'b').then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        )
      }
      return results
    }
    const first = await outcomes(42)
    assert.deepEqual(await outcomes(42), first)
    assert.ok(first.includes('DeviceUnreachable') && first.includes('ok'), first.join(','))
  })

  test('a diff names each changed line under its context, as frr-reload.py does; a change by hand shows in it', async () => {
    const sim = new SimulatorDriver()
    const two = renderDeviceConfig('frr', node, [link(10), { ...link(10), interface: 'eth2', ipv4_address: '10.9.0.2/31', ipv6_address: '2001:db8:9:1::2/127' }])
    await sim.apply(target, two, 'two')
    assert.equal(await sim.diff(target, two), '')
    // eth1 and eth2 carry the same cost line: a set of lines would not see that eth1's changed.
    sim.changeByHand('sim-r1', (running) => running.replace(/(interface eth1\n[\s\S]*?) ip ospf cost 10\n/, '$1 ip ospf cost 30\n'))
    const diff = await sim.diff(target, two)
    assert.equal(diff, ['Lines To Delete', '===============', 'interface eth1', ' no ip ospf cost 30', '', 'Lines To Add', '============', 'interface eth1', ' ip ospf cost 10'].join('\n'))
    assert.deepEqual(changesByContext(diff), { 'interface eth1': ['- ip ospf cost 30', '+ ip ospf cost 10'] })
    // A context that goes goes whole; a new one comes with its lines.
    const gone = await sim.diff(target, renderDeviceConfig('frr', node, [link(10)]))
    assert.deepEqual(changesByContext(gone), { 'interface eth1': ['- ip ospf cost 30', '+ ip ospf cost 10'], 'interface eth2': ['- interface eth2'] })
    assert.deepEqual(Object.keys(changesByContext(await sim.diff({ ...target, device: 'sim-new' }, two))).slice(0, 3), ['frr defaults traditional', 'hostname sim-r1', 'service integrated-vtysh-config'])
    assert.deepEqual(changesByContext(''), {})
  })
})
