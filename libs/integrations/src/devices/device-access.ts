import type { DeviceAccessConfig } from '#config/index.js'
import type { Device } from '../dcim/dcim.js'
import { DeviceError, type DeviceTarget } from './driver.js'

export const DEVICE_ACCESS = Symbol('DeviceAccessConfig')

/** A DCIM device as a driver reaches it: its management address, and the configured login (by reference). */
export function targetOf(device: Device, access: DeviceAccessConfig): DeviceTarget {
  if (!device.management_address && access.driver === 'frr') throw new DeviceError('unreachable', `${device.name} has no management address in DCIM`)
  return {
    device: device.name,
    vendor: device.vendor,
    host: device.management_address ?? '',
    port: access.sshPort,
    username: access.username,
    credentials: access.credentials ?? '',
    known_hosts: access.knownHosts,
  }
}
