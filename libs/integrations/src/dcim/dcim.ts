// What workflows need from a DCIM, whichever one it is (built-in or NetBox): devices and their status,
// interfaces, and cables from planned to connected. Objects are named as a network engineer names them
// (device and interface names), so that the same calls work against either backend.
import type { CableStatus, DeviceRole, DeviceStatus, InterfaceStatus } from '#domain/index.js'

export type { CableStatus, InterfaceStatus }

export interface Device {
  name: string
  role: DeviceRole
  vendor: string
  platform: string
  site: string
  rack: string | null
  status: DeviceStatus
  management_address: string | null
  /** with prefix length, as NetBox's primary_ip4 */
  primary_ipv4: string | null
  primary_ipv6: string | null
  /** the OS version the device runs, as last recorded (after an upgrade); null when nobody recorded one */
  os_version: string | null
}

/**
 * Which devices: every field given must hold. `sites` and `roles` are any-of lists (with `site` or `role` as
 * well, a device must match both); an empty list matches no device.
 */
export interface DeviceFilter {
  status?: DeviceStatus
  site?: string
  role?: DeviceRole
  sites?: string[]
  roles?: DeviceRole[]
}

/**
 * The values a field may have under a single-value and an any-of filter together: undefined for any value, an
 * empty list when none can match.
 */
export function allowedValues<T>(one: T | undefined, anyOf: readonly T[] | undefined): T[] | undefined {
  if (one === undefined) return anyOf && [...new Set(anyOf)]
  return !anyOf || anyOf.includes(one) ? [one] : []
}

/** One end of a cable: an interface on a device. */
export interface InterfaceRef {
  device: string
  interface: string
}

export interface Interface extends InterfaceRef {
  speed_mbps: number
  enabled: boolean
  description: string
  status: InterfaceStatus
  /** the cable on it, if any, and the interface at its other end */
  cable: { id: string; status: CableStatus; peer: InterfaceRef } | null
}

export interface Cable {
  id: string
  status: CableStatus
  description: string
  a: InterfaceRef
  b: InterfaceRef
}

export interface InterfacePatch {
  description?: string
  enabled?: boolean
  status?: InterfaceStatus
}

export interface Dcim {
  device(name: string): Promise<Device>
  /** Ordered by name. */
  devices(filter: DeviceFilter): Promise<Device[]>
  /** Returns the device as it is after the change (setting the status it has already changes nothing). */
  setDeviceStatus(name: string, status: DeviceStatus): Promise<Device>
  /** Records the OS version a device runs (after an upgrade); recording the version it has already changes nothing. */
  setDeviceOsVersion(name: string, version: string): Promise<Device>
  /** The same for many devices at once (a fleet task records a batch of upgrades); unknown devices are left out. */
  setDeviceOsVersions(versions: { name: string; version: string }[]): Promise<void>
  interfaces(device: string): Promise<Interface[]>
  updateInterface(ref: InterfaceRef, patch: InterfacePatch): Promise<Interface>
  /**
   * A cable between two interfaces, planned unless said otherwise. Idempotent: the same two ends give back the
   * cable already there; an end that is already another cable's is a conflict naming that cable.
   */
  createCable(a: InterfaceRef, b: InterfaceRef, options?: { status?: CableStatus; description?: string }): Promise<Cable>
  setCableStatus(id: string, status: CableStatus): Promise<Cable>
  /** Removes the cable; null when there was none (removing twice is harmless). */
  deleteCable(id: string): Promise<Cable | null>
}

export const DCIM = Symbol('Dcim')
