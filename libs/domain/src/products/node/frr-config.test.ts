import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { projectRoot } from '../../../../runtime/src/index.js'
import { DomainError } from '../../errors.js'
import { renderFrrBaseConfig } from './frr-config.js'
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

describe('FRR base configuration', () => {
  test('matches the golden file', () => {
    const golden = readFileSync(join(projectRoot(), 'libs', 'domain', 'src', 'products', 'node', 'golden', 'frr-base.ams-pe1.conf'), 'utf8')
    assert.equal(renderFrrBaseConfig(node), golden)
  })

  test('invalid data is refused before rendering, naming the field', () => {
    assert.throws(() => renderFrrBaseConfig({ ...node, device_name: 'bad name!' }), /device_name: bad name! is not a valid hostname/)
    assert.throws(() => renderFrrBaseConfig({ ...node, loopback_ipv4: '300.1.1.1/32' }), /loopback_ipv4: 300\.1\.1\.1\/32 is not an IPv4 prefix/)
    assert.throws(() => renderFrrBaseConfig({ ...node, loopback_ipv6: 'fe80::1' }), /loopback_ipv6: fe80::1 is not an IPv6 prefix/)
  })
})

describe('node lifecycle', () => {
  test('an initial node without addresses cannot become provisioning; the missing fields are named', () => {
    const initial: NodeInitial = { device_name: 'x1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams', loopback_ipv4: '198.51.100.9/32' }
    assert.throws(() => toProvisioning(initial), (e: Error) => e instanceof DomainError && /missing management_address, loopback_ipv6$/.test(e.message))
    assert.deepEqual(toProvisioning(node), node)
  })
})
