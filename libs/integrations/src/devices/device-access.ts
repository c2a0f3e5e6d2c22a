import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'
import type { DeviceAccessConfig } from '#config/index.js'
import type { Device } from '../dcim/dcim.js'
import { resolveCredential } from './credentials.js'
import { DeviceError, type DeviceTarget } from './driver.js'

export const DEVICE_ACCESS = Symbol('DeviceAccessConfig')

/**
 * Why `address` is not a management address Loom may connect to, or undefined when it is: with prefixes
 * configured (LOOM_MANAGEMENT_PREFIXES) it must be an IP address inside one of them. None configured: any address.
 */
export function managementAddressProblem(address: string, prefixes: readonly string[]): string | undefined {
  if (prefixes.length === 0) return undefined
  const literal = address.split('/')[0]
  // Only the usual notations (no 10.1 or 0x7f.1, which resolvers also read as addresses).
  if (!isIP(literal)) return `management address ${address} is not an IP address, and LOOM_MANAGEMENT_PREFIXES (${prefixes.join(', ')}) admits only addresses inside it`
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it carries.
  const ip = ipaddr.process(literal)
  const inside = prefixes.some((prefix) => {
    const range = ipaddr.parseCIDR(prefix)
    return range[0].kind() === ip.kind() && ip.match(range)
  })
  return inside ? undefined : `management address ${address} is outside LOOM_MANAGEMENT_PREFIXES (${prefixes.join(', ')}); not connecting`
}

/**
 * A DCIM device as a driver reaches it: its management address, and the configured login (by reference). A
 * management address outside the configured prefixes is refused here, before any driver connects to it.
 */
export function targetOf(device: Device, access: DeviceAccessConfig): DeviceTarget {
  if (!device.management_address && access.driver === 'frr') throw new DeviceError('unreachable', `${device.name} has no management address in DCIM`)
  if (device.management_address) {
    const problem = managementAddressProblem(device.management_address, access.managementPrefixes)
    if (problem) throw new DeviceError('address_refused', `${device.name}: ${problem}`)
  }
  return {
    device: device.name,
    vendor: device.vendor,
    host: device.management_address ?? '',
    port: access.sshPort,
    username: access.username,
    credentials: access.credentials ?? '',
    known_hosts: access.knownHosts,
    host_keys: access.hostKeys,
  }
}

/** What a worker says at its start about how it reaches devices, when that is weaker than it could be. */
export function deviceAccessWarnings(access: DeviceAccessConfig): string[] {
  if (access.driver !== 'frr') return []
  const warnings: string[] = []
  if (access.credentials) {
    try {
      if ('password' in resolveCredential(access.credentials))
        warnings.push('password authentication to devices: prefer a key (LOOM_DEVICE_CREDENTIALS holds a password, which every device Loom logs in to — or any host that passes for one — receives)')
    } catch {
      // unreadable now: each device step says so when it needs it
    }
  }
  if (access.managementPrefixes.length === 0)
    warnings.push('LOOM_MANAGEMENT_PREFIXES is not set: any management address in DCIM is accepted, and the worker connects (and logs in) wherever a device record points; set it to the management networks')
  if (access.hostKeys === 'tofu')
    warnings.push(
      `LOOM_DEVICE_HOST_KEYS=tofu: the first SSH host key each device shows is trusted and recorded${access.knownHosts ? ` (for devices ${access.knownHosts} does not list)` : ''}; a first connection is not verified`,
    )
  return warnings
}
