import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { renderNodeConfig } from '../../config/index.js'
import { DomainError } from '../../errors.js'
import { nodeConfigData } from './node-config.js'
import { type NodeInitial, toProvisioning } from './node.model.js'

const node = {
  device_name: 'ams-pe1',
  role: 'router',
  vendor: 'frr',
  platform: 'frr',
  site: 'ams',
  management_address: '192.0.2.11',
  loopback_ipv4: '198.51.100.1/32',
  loopback_ipv6: '2001:db8::1/128',
}

describe('node lifecycle', () => {
  test('an initial node without addresses cannot become provisioning; the missing fields are named', () => {
    const initial: NodeInitial = { device_name: 'x1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams', loopback_ipv4: '198.51.100.9/32' }
    assert.throws(() => toProvisioning(initial), (e: Error) => e instanceof DomainError && /missing management_address, loopback_ipv6$/.test(e.message))
    assert.deepEqual(toProvisioning(node), node)
  })

  test("a provisioning node renders its vendor's base configuration; a bad model value is named", () => {
    const text = renderNodeConfig(node.vendor, nodeConfigData(toProvisioning(node)))
    assert.match(text, /^hostname ams-pe1$/m)
    assert.match(text, /^ ospf router-id 198\.51\.100\.1$/m)
    assert.throws(() => renderNodeConfig('frr', nodeConfigData({ ...toProvisioning(node), loopback_ipv6: 'fe80::1' })), /loopback_ipv6/)
  })
})
