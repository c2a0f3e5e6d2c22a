import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig } from '#config/index.js'
import type { Device } from '../dcim/dcim.js'
import { deviceAccessWarnings, managementAddressProblem, targetOf } from './device-access.js'
import { DeviceError } from './driver.js'

describe('device access', () => {
  test('management addresses must lie in LOOM_MANAGEMENT_PREFIXES (IPv4 and IPv6); without any, every address is accepted', () => {
    const prefixes = ['10.20.0.0/16', '2001:db8:100::/48']
    for (const inside of ['10.20.3.4', '10.20.3.4/32', '2001:db8:100::7', '::ffff:10.20.0.1']) assert.equal(managementAddressProblem(inside, prefixes), undefined, inside)
    for (const outside of ['10.21.0.1', '192.0.2.1', '2001:db8:101::1', '::ffff:192.0.2.1', '127.0.0.1']) {
      assert.equal(managementAddressProblem(outside, prefixes), `management address ${outside} is outside LOOM_MANAGEMENT_PREFIXES (10.20.0.0/16, 2001:db8:100::/48); not connecting`)
    }
    // Only IP addresses in the usual notation: a name could resolve anywhere, and 10.20.1 is 10.20.0.1 to a resolver.
    for (const name of ['router1.example.net', '10.20.1', '0x0a.20.0.1']) assert.match(managementAddressProblem(name, prefixes)!, /is not an IP address/)
    assert.equal(managementAddressProblem('192.0.2.1', []), undefined)
  })

  test('a device outside the prefixes is refused when its target is made, before any driver sees it', () => {
    const device: Device = { name: 'far-r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'x', rack: null, status: 'active', management_address: '192.0.2.9', primary_ipv4: null, primary_ipv6: null, os_version: null }
    const access = loadConfig({ LOOM_DEVICE_DRIVER: 'frr', LOOM_DEVICE_CREDENTIALS: 'env:KEY', LOOM_DEVICE_KNOWN_HOSTS: '/etc/loom/known_hosts', LOOM_MANAGEMENT_PREFIXES: '10.20.0.0/16' }).devices
    assert.throws(() => targetOf(device, access), (e: unknown) => {
      assert.ok(e instanceof DeviceError && e.kind === 'address_refused' && e.name === 'ManagementAddressRefused')
      assert.equal(e.message, 'far-r1: management address 192.0.2.9 is outside LOOM_MANAGEMENT_PREFIXES (10.20.0.0/16); not connecting')
      return true
    })
    const target = targetOf({ ...device, management_address: '10.20.0.9' }, access)
    assert.deepEqual([target.host, target.known_hosts, target.host_keys], ['10.20.0.9', '/etc/loom/known_hosts', 'known_hosts'])
  })

  test('at the start: a password credential, any management address accepted and trust on first use are each warned about', () => {
    process.env.LOOM_TEST_ROUTER_PASSWORD = 'hunter2'
    process.env.LOOM_TEST_ROUTER_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
    const frr = { LOOM_DEVICE_DRIVER: 'frr', LOOM_DEVICE_KNOWN_HOSTS: '/etc/loom/known_hosts' }
    const weak = deviceAccessWarnings(loadConfig({ ...frr, LOOM_DEVICE_CREDENTIALS: 'env:LOOM_TEST_ROUTER_PASSWORD', LOOM_DEVICE_HOST_KEYS: 'tofu' }).devices)
    assert.equal(weak.length, 3)
    assert.match(weak[0], /^password authentication to devices: prefer a key/)
    assert.match(weak[1], /^LOOM_MANAGEMENT_PREFIXES is not set: any management address in DCIM is accepted/)
    assert.match(weak[2], /^LOOM_DEVICE_HOST_KEYS=tofu: /)
    assert.deepEqual(deviceAccessWarnings(loadConfig({ ...frr, LOOM_DEVICE_CREDENTIALS: 'env:LOOM_TEST_ROUTER_KEY', LOOM_MANAGEMENT_PREFIXES: '10.0.0.0/8' }).devices), [])
    assert.deepEqual(deviceAccessWarnings(loadConfig({ LOOM_DEVICE_DRIVER: 'simulator' }).devices), [])
  })
})
