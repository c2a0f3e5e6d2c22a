import { Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import type { DeviceStatus } from '../../../domain/src/index.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog, type Tx } from '../processes/step-log.js'

export interface DcimDeviceFacts {
  name: string
  role: string
  vendor: string
  platform: string
  site: string
  status: DeviceStatus
}

export interface IpAddressInformation {
  management_address: string | null
  /** with prefix length, as NetBox's primary_ip4 */
  loopback_ipv4: string | null
  loopback_ipv6: string | null
}

/** Activities on the built-in DCIM (the NetBox adapter comes behind the same steps later). */
@Injectable()
export class DcimActivities {
  constructor(private readonly steps: StepLog) {}

  /** The seed's construct_node_model reads the device the node will be. */
  async readDevice(input: StepContext & { device_name: string }): Promise<DcimDeviceFacts> {
    return this.steps.once(input, async (tx) => {
      const [device] = await tx.$queryRaw<DcimDeviceFacts[]>`
        SELECT name, role, vendor, platform, site, status::text AS status FROM dcim_devices WHERE name = ${input.device_name}`
      if (!device) throw notFound(input.device_name)
      return { result: { ...device }, state_delta: { node: { ...device } } }
    })
  }

  /** The seed's fetch_ip_address_information: loopbacks (primary IPs) and management address. */
  async readIpAddressInformation(input: StepContext & { device_name: string }): Promise<IpAddressInformation> {
    return this.steps.once(input, async (tx) => {
      const info = await ipInformation(tx, input.device_name)
      return { result: { ...info }, state_delta: { ...info } }
    })
  }

  /** The seed's update_node_status_netbox: planned → active. Exactly one update per process, however often retried. */
  async setDeviceStatus(input: StepContext & { device_name: string; status: DeviceStatus }): Promise<{ status: DeviceStatus; version: number }> {
    return this.steps.once(input, async (tx) => {
      const [row] = await tx.$queryRaw<{ version: number }[]>`
        UPDATE dcim_devices SET status = ${input.status}::device_status, version = version + 1, updated_at = now()
        WHERE name = ${input.device_name} RETURNING version`
      if (!row) throw notFound(input.device_name)
      return { result: { status: input.status, version: row.version }, state_delta: { device_status: input.status } }
    })
  }
}

async function ipInformation(tx: Tx, name: string): Promise<IpAddressInformation> {
  // inet prints a host address without its /32 or /128: keep the prefix length, as NetBox does.
  const [row] = await tx.$queryRaw<IpAddressInformation[]>`
    SELECT host(management_address) AS management_address,
           host(primary_ipv4) || '/' || masklen(primary_ipv4) AS loopback_ipv4,
           host(primary_ipv6) || '/' || masklen(primary_ipv6) AS loopback_ipv6
    FROM dcim_devices WHERE name = ${name}`
  if (!row) throw notFound(name)
  return row
}

function notFound(name: string) {
  return ApplicationFailure.nonRetryable(`DCIM has no device named ${name}`, 'NotFound')
}
