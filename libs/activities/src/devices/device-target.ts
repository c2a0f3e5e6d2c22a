import type { DeviceAccessConfig } from '#config/index.js'
import type { Dcim } from '#integrations/dcim/dcim.js'
import { targetOf } from '#integrations/devices/device-access.js'
import type { DeviceTarget } from '#integrations/devices/driver.js'
import { reported } from '../reported.js'

/** A DCIM device as the configured driver reaches it (its management address, the login by reference). */
export async function deviceTarget(dcim: Dcim, access: DeviceAccessConfig, name: string): Promise<DeviceTarget> {
  return targetOf(await reported(dcim.device(name)), access)
}
