import { Inject, Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import type { DeviceStatus } from '#domain/index.js'
import { type Cable, type CableStatus, DCIM, type Dcim, type Interface, type InterfacePatch, type InterfaceRef } from '#integrations/dcim/dcim.js'
import { reported } from '../reported.js'
import { SourceOfTruthError } from '#integrations/errors.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'

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


/**
 * DCIM steps for workflows, on whichever DCIM is configured. Each is idempotent by (process, step) through the
 * step log and by its own nature (setting a status the device has, or asking for a cable that exists, changes
 * nothing); each change has its inverse for the engine to run when a process is aborted.
 */
@Injectable()
export class DcimActivities {
  constructor(
    private readonly steps: StepLog,
    @Inject(DCIM) private readonly dcim: Dcim,
  ) {}

  /** The seed's construct_node_model reads the device the node will be. */
  async readDevice(input: StepContext & { device_name: string }): Promise<DcimDeviceFacts> {
    return this.steps.onceOutside(input, async () => {
      const d = await reported(this.dcim.device(input.device_name))
      const facts = { name: d.name, role: d.role, vendor: d.vendor, platform: d.platform, site: d.site, status: d.status }
      return { result: facts, state_delta: { node: facts } }
    })
  }

  /**
   * The seed's fetch_ip_address_information: loopbacks (primary IPs) and management address. A device without a
   * management address cannot be configured: the step fails here, where DCIM is read, so that once an operator
   * has set it in DCIM a retry of the suspended process reads it.
   */
  async readIpAddressInformation(input: StepContext & { device_name: string }): Promise<IpAddressInformation> {
    return this.steps.onceOutside(input, async () => {
      const d = await reported(this.dcim.device(input.device_name))
      if (!d.management_address) {
        throw ApplicationFailure.nonRetryable(
          `node ${d.name} cannot be provisioned: missing management_address of device ${d.name} in DCIM; set it there (built-in DCIM: PATCH /api/dcim/devices/${d.name}), then retry`,
          'DomainError',
        )
      }
      const info = { management_address: d.management_address, loopback_ipv4: d.primary_ipv4, loopback_ipv6: d.primary_ipv6 }
      return { result: info, state_delta: info }
    })
  }

  /** The seed's update_node_status_netbox (planned → active); the result keeps the status before, for the inverse. */
  async setDeviceStatus(input: StepContext & { device_name: string; status: DeviceStatus }): Promise<{ status: DeviceStatus; previous: DeviceStatus }> {
    return this.steps.onceOutside(input, async () => {
      const before = await reported(this.dcim.device(input.device_name))
      await reported(this.dcim.setDeviceStatus(input.device_name, input.status))
      return { result: { status: input.status, previous: before.status }, state_delta: { device_status: input.status } }
    })
  }

  /** A cable between two interfaces, planned (the seed's "planned cable"); its inverse is deleteCable. */
  async planCable(input: StepContext & { a: InterfaceRef; b: InterfaceRef; description?: string }): Promise<Cable> {
    return this.steps.onceOutside(input, async () => {
      const cable = await reported(this.dcim.createCable(input.a, input.b, { status: 'planned', description: input.description }))
      return { result: cable, state_delta: { cable_id: cable.id, cable_status: cable.status } }
    })
  }

  /** planned → connected, or on to decommissioning. */
  async setCableStatus(input: StepContext & { cable_id: string; status: CableStatus }): Promise<Cable> {
    return this.steps.onceOutside(input, async () => {
      const cable = await reported(this.dcim.setCableStatus(input.cable_id, input.status))
      return { result: cable, state_delta: { cable_status: cable.status } }
    })
  }

  /** The inverse of planCable; a cable already gone is not an error. */
  async deleteCable(input: StepContext & { cable_id: string }): Promise<{ deleted: boolean }> {
    return this.steps.onceOutside(input, async () => {
      const deleted = (await reported(this.dcim.deleteCable(input.cable_id))) !== null
      return { result: { deleted }, state_delta: { cable_id: null } }
    })
  }

  /** Description, enabled or status of an interface; the result keeps what it was, which is the inverse's patch. */
  async updateInterface(input: StepContext & { ref: InterfaceRef; patch: InterfacePatch }): Promise<{ interface: Interface; previous: InterfacePatch }> {
    return this.steps.onceOutside(input, async () => {
      const before = (await reported(this.dcim.interfaces(input.ref.device))).find((i) => i.interface === input.ref.interface)
      const after = await reported(this.dcim.updateInterface(input.ref, input.patch))
      const previous: InterfacePatch = before ? pick(before, input.patch) : {}
      return { result: { interface: after, previous }, state_delta: { [`${input.ref.device}:${input.ref.interface}`]: input.patch } }
    })
  }

  /** Interfaces as DCIM has them now, with their cables (a validation reads them); null for one DCIM does not have. */
  async readInterfaces(input: StepContext & { refs: InterfaceRef[] }): Promise<(Interface | null)[]> {
    return this.steps.onceOutside(input, async () => {
      const byDevice = new Map<string, Interface[]>()
      for (const device of new Set(input.refs.map((r) => r.device))) {
        // A device DCIM does not know has no interfaces: the check names what is missing.
        byDevice.set(
          device,
          await reported(
            this.dcim.interfaces(device).catch((error: unknown) => {
              if (isNotFound(error)) return []
              throw error
            }),
          ),
        )
      }
      const found = input.refs.map((r) => byDevice.get(r.device)!.find((i) => i.interface === r.interface) ?? null)
      return { result: found, state_delta: Object.fromEntries(input.refs.map((r, i) => [`${r.device}:${r.interface}`, found[i] ? 'read' : 'missing'])) }
    })
  }
}

/** The interface's current values of the fields a patch sets. */
function pick(current: Interface, patch: InterfacePatch): InterfacePatch {
  return {
    ...(patch.description !== undefined ? { description: current.description } : {}),
    ...(patch.enabled !== undefined ? { enabled: current.enabled } : {}),
    ...(patch.status !== undefined ? { status: current.status } : {}),
  }
}

const isNotFound = (error: unknown) => error instanceof SourceOfTruthError && error.kind === 'not_found'
