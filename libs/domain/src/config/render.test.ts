// Rendered configuration for every vendor against golden files. After a deliberate template change:
// LOOM_UPDATE_GOLDEN=1 npm test -- config/render — then read the diff of the golden files before committing.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { projectRoot } from '#runtime/index.js'
import { DomainError } from '../errors.js'
import { type LinkConfigData, MAINTENANCE_METRIC, type NodeConfigData, renderDecommissionedConfig, renderDeviceConfig, renderLinkConfig, renderNodeConfig, VENDORS } from './index.js'

const GOLDEN = join(projectRoot(), 'libs', 'domain', 'src', 'config', 'golden')

const node: NodeConfigData = {
  hostname: 'ams-pe1',
  site: 'ams',
  role: 'router',
  loopback_ipv4: '198.51.100.1/32',
  loopback_ipv6: '2001:db8::1/128',
  management: { interface: 'mgmt0', address: '192.0.2.11/24' },
  igp: { protocol: 'ospf', area: '0.0.0.0' },
}
const link: LinkConfigData = {
  interface: 'eth1',
  description: 'ams-pe1 eth1 -- fra-pe1 eth1 (circuit 10G)',
  ipv4_address: '10.0.0.0/31',
  ipv6_address: '2001:db8:ffff::/127',
  mtu: 9000,
  igp: { area: '0.0.0.0', metric: 10, mode: 'normal', hello_interval: 1, dead_interval: 4 },
}
const CASES: Record<string, (vendor: string) => string> = {
  'node.conf': (v) => renderNodeConfig(v, node),
  'node-fast-convergence.conf': (v) => renderNodeConfig(v, { ...node, management: undefined, igp: { ...node.igp, fast_convergence: true } }),
  'link.conf': (v) => renderLinkConfig(v, link),
  'link-maintenance.conf': (v) => renderLinkConfig(v, { ...link, mtu: undefined, igp: { area: '0.0.0.0', metric: 10, mode: 'maintenance' } }),
  'decommissioned.conf': (v) => renderDecommissionedConfig(v, { hostname: node.hostname }),
  'device.conf': (v) => renderDeviceConfig(v, node, [link, { ...link, interface: 'eth2', description: 'spare', ipv4_address: '10.0.0.2/31', ipv6_address: '2001:db8:ffff::2/127' }]),
}

describe('rendered configuration matches the golden files', () => {
  for (const vendor of VENDORS) {
    for (const [file, render] of Object.entries(CASES)) {
      test(`${vendor}: ${file}`, () => {
        const path = join(GOLDEN, vendor, file)
        const text = render(vendor)
        if (process.env.LOOM_UPDATE_GOLDEN === '1') {
          mkdirSync(join(GOLDEN, vendor), { recursive: true })
          writeFileSync(path, text)
        }
        assert.ok(existsSync(path), `no golden file ${path}: render it with LOOM_UPDATE_GOLDEN=1`)
        assert.equal(text, readFileSync(path, 'utf8'))
      })
    }
  }

  test('maintenance mode puts the highest metric on the link, for every vendor', () => {
    for (const vendor of VENDORS) {
      const text = renderLinkConfig(vendor, { ...link, igp: { ...link.igp, mode: 'maintenance' } })
      assert.match(text, new RegExp(`\\b${MAINTENANCE_METRIC}\\b`), vendor)
      assert.doesNotMatch(text, /\b(cost|metric) 10\b/, vendor)
    }
  })
})

test('IPv6 addresses are rendered as devices print them, so that re-applying diffs clean', () => {
  assert.match(renderLinkConfig('frr', { ...link, ipv6_address: '2001:0db8:0:0::0/127' }), /^ ipv6 address 2001:db8::\/127$/m)
})

describe('invalid data is refused before rendering', () => {
  const refused = (render: () => string, ...patterns: RegExp[]) =>
    assert.throws(render, (e: unknown) => {
      assert.ok(e instanceof DomainError)
      for (const p of patterns) assert.match(e.message, p)
      return true
    })

  test('every bad field is named', () => {
    refused(
      () => renderNodeConfig('frr', { ...node, hostname: 'bad name!', loopback_ipv4: '198.51.100.1/24', loopback_ipv6: 'fe80::1', igp: { protocol: 'ospf', area: '0' } }),
      /hostname is not a valid hostname/,
      /loopback_ipv4 must be a \/32/,
      /loopback_ipv6 Invalid/i,
      /igp\.area must be dotted/,
    )
    refused(() => renderLinkConfig('junos', link), /no configuration templates for vendor junos: known are frr, cisco_iosxr, juniper_junos, nokia_sros/)
    refused(() => renderLinkConfig('frr', { ...link, description: 'x"; delete all', igp: { ...link.igp, metric: 0 } }), /description has characters/, /igp\.metric/)
    refused(() => renderLinkConfig('frr', { ...link, igp: { ...link.igp, metric: MAINTENANCE_METRIC } }), /igp\.metric/)
  })
})
