// The Dcim interface on NetBox 4: devices by name, their status, interfaces and cables (terminations on
// dcim.interface objects). NetBox interfaces have no status: Loom reads one as active when it is enabled and
// planned when it is not, and a status change sets `enabled` accordingly. NetBox has no OS version of its own: Loom
// keeps it in the device custom field `os_version` (a text field that must exist in NetBox to record one).
import type { CableStatus, DeviceRole, DeviceStatus } from '#domain/index.js'
import { allowedValues, type Cable, type Dcim, type Device, type DeviceFilter, type Interface, type InterfacePatch, type InterfaceRef } from '../dcim/dcim.js'
import { conflict, invalid, notFound, SourceOfTruthError } from '../errors.js'
import type { NetboxClient } from './netbox-client.js'

interface Slugged {
  slug: string
}
interface NbDevice {
  id: number
  name: string
  role: Slugged
  device_type: { manufacturer: Slugged }
  platform: Slugged | null
  site: Slugged
  rack: { name: string } | null
  status: { value: DeviceStatus }
  primary_ip4: { address: string } | null
  primary_ip6: { address: string } | null
  oob_ip: { address: string } | null
  custom_fields?: Record<string, unknown>
}
interface NbInterface {
  id: number
  name: string
  device: { name: string }
  speed: number | null
  enabled: boolean
  description: string
  cable: { id: number } | null
  link_peers: { name?: string; device?: { name: string } }[]
}
interface NbTermination {
  object: { name: string; device: { name: string } }
}
interface NbCable {
  id: number
  status: { value: CableStatus }
  description: string
  a_terminations: NbTermination[]
  b_terminations: NbTermination[]
}

const named = (ref: InterfaceRef) => `${ref.device} ${ref.interface}`
const sameEnd = (x: InterfaceRef, y: InterfaceRef) => x.device === y.device && x.interface === y.interface

function osVersionOf(d: NbDevice): string | null {
  const value = d.custom_fields?.os_version
  return typeof value === 'string' && value !== '' ? value : null
}

function toDevice(d: NbDevice): Device {
  return {
    name: d.name,
    role: d.role.slug as DeviceRole,
    vendor: d.device_type.manufacturer.slug,
    platform: d.platform?.slug ?? '',
    site: d.site.slug,
    rack: d.rack?.name ?? null,
    status: d.status.value,
    management_address: d.oob_ip ? d.oob_ip.address.split('/')[0] : null,
    primary_ipv4: d.primary_ip4?.address ?? null,
    primary_ipv6: d.primary_ip6?.address ?? null,
    os_version: osVersionOf(d),
  }
}

function toCable(c: NbCable): Cable {
  const end = (t: NbTermination[]): InterfaceRef => ({ device: t[0].object.device.name, interface: t[0].object.name })
  return { id: String(c.id), status: c.status.value, description: c.description, a: end(c.a_terminations), b: end(c.b_terminations) }
}

export class NetboxDcim implements Dcim {
  constructor(private readonly netbox: NetboxClient) {}

  async device(name: string): Promise<Device> {
    return toDevice(await this.deviceObject(name))
  }

  async devices(filter: DeviceFilter): Promise<Device[]> {
    // NetBox ORs a repeated parameter: a single value and a list that must both hold are intersected here.
    const site = allowedValues(filter.site, filter.sites)
    const role = allowedValues(filter.role, filter.roles)
    if (site?.length === 0 || role?.length === 0) return []
    const rows = await this.netbox.list<NbDevice>('dcim/devices/', { status: filter.status, site, role, ordering: 'name' })
    return rows.map(toDevice)
  }

  async setDeviceStatus(name: string, status: DeviceStatus): Promise<Device> {
    const d = await this.deviceObject(name)
    if (d.status.value === status) return toDevice(d)
    return toDevice(await this.netbox.patch<NbDevice>(`dcim/devices/${d.id}/`, { status }))
  }

  async setDeviceOsVersion(name: string, version: string): Promise<Device> {
    if (!version.trim()) throw invalid(`an OS version for ${name} must not be empty`)
    const d = await this.deviceObject(name)
    if (osVersionOf(d) === version) return toDevice(d)
    return toDevice(await this.netbox.patch<NbDevice>(`dcim/devices/${d.id}/`, { custom_fields: { os_version: version } }))
  }

  async setDeviceOsVersions(versions: { name: string; version: string }[]): Promise<void> {
    for (const v of versions) {
      try {
        await this.setDeviceOsVersion(v.name, v.version)
      } catch (error) {
        if (!(error instanceof SourceOfTruthError && error.kind === 'not_found')) throw error
      }
    }
  }

  async interfaces(device: string): Promise<Interface[]> {
    await this.deviceObject(device)
    const [ifs, cables] = await Promise.all([this.netbox.list<NbInterface>('dcim/interfaces/', { device }), this.netbox.list<NbCable>('dcim/cables/', { device })])
    const status = new Map(cables.map((c) => [c.id, c.status.value]))
    return ifs.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })).map((i) => this.toInterface(i, status))
  }

  async updateInterface(ref: InterfaceRef, patch: InterfacePatch): Promise<Interface> {
    const i = await this.interfaceObject(ref)
    const enabled = patch.status !== undefined ? patch.status === 'active' : patch.enabled
    await this.netbox.patch(`dcim/interfaces/${i.id}/`, { ...(patch.description !== undefined ? { description: patch.description } : {}), ...(enabled !== undefined ? { enabled } : {}) })
    return (await this.interfaces(ref.device)).find((x) => x.interface === ref.interface)!
  }

  async createCable(a: InterfaceRef, b: InterfaceRef, options: { status?: CableStatus; description?: string } = {}): Promise<Cable> {
    if (sameEnd(a, b)) throw invalid(`a cable needs two different interfaces, not ${named(a)} twice`)
    const existing = await this.cableBetween(a, b)
    if (existing) return existing
    const [ia, ib] = [await this.interfaceObject(a), await this.interfaceObject(b)]
    try {
      const created = await this.netbox.post<NbCable>('dcim/cables/', {
        a_terminations: [{ object_type: 'dcim.interface', object_id: ia.id }],
        b_terminations: [{ object_type: 'dcim.interface', object_id: ib.id }],
        status: options.status ?? 'planned',
        description: options.description ?? '',
      })
      return toCable(await this.netbox.get<NbCable>(`dcim/cables/${created.id}/`))
    } catch (error) {
      // Another request made the same cable meanwhile: NetBox refuses the second one on the same interfaces.
      const made = error instanceof SourceOfTruthError ? await this.cableBetween(a, b) : null
      if (made) return made
      throw error
    }
  }

  async setCableStatus(id: string, status: CableStatus): Promise<Cable> {
    await this.netbox.patch(`dcim/cables/${id}/`, { status })
    return toCable(await this.netbox.get<NbCable>(`dcim/cables/${id}/`))
  }

  async deleteCable(id: string): Promise<Cable | null> {
    let cable: NbCable
    try {
      cable = await this.netbox.get<NbCable>(`dcim/cables/${id}/`)
    } catch (error) {
      if (error instanceof SourceOfTruthError && error.kind === 'not_found') return null
      throw error
    }
    await this.netbox.delete(`dcim/cables/${id}/`)
    return toCable(cable)
  }

  /** The cable joining exactly these two interfaces, null when neither has one; a conflict when one has another. */
  private async cableBetween(a: InterfaceRef, b: InterfaceRef): Promise<Cable | null> {
    for (const end of [a, b]) {
      const i = await this.interfaceObject(end)
      if (!i.cable) continue
      const cable = toCable(await this.netbox.get<NbCable>(`dcim/cables/${i.cable.id}/`))
      if ((sameEnd(cable.a, a) && sameEnd(cable.b, b)) || (sameEnd(cable.a, b) && sameEnd(cable.b, a))) return cable
      throw conflict(`${named(end)} already has cable ${cable.id} (${named(cable.a)} — ${named(cable.b)}, ${cable.status})`)
    }
    return null
  }

  private toInterface(i: NbInterface, cableStatus: Map<number, CableStatus>): Interface {
    const peer = i.link_peers[0]
    return {
      device: i.device.name,
      interface: i.name,
      speed_mbps: Math.round((i.speed ?? 0) / 1000),
      enabled: i.enabled,
      description: i.description,
      status: i.enabled ? 'active' : 'planned',
      cable: i.cable && peer?.device && peer.name ? { id: String(i.cable.id), status: cableStatus.get(i.cable.id) ?? 'connected', peer: { device: peer.device.name, interface: peer.name } } : null,
    }
  }

  private async deviceObject(name: string): Promise<NbDevice> {
    const [d] = await this.netbox.list<NbDevice>('dcim/devices/', { name })
    if (!d) throw notFound(`NetBox has no device named ${name}`)
    return d
  }

  private async interfaceObject(ref: InterfaceRef): Promise<NbInterface> {
    await this.deviceObject(ref.device)
    const [i] = await this.netbox.list<NbInterface>('dcim/interfaces/', { device: ref.device, name: ref.interface })
    if (!i) throw notFound(`device ${ref.device} has no interface ${ref.interface}`)
    return i
  }
}
