import { Injectable } from '@nestjs/common'
import { v7 as uuidv7 } from 'uuid'
import type { DeviceRole, DeviceStatus } from '#domain/index.js'
import { isUniqueViolation, Prisma, PrismaService } from '#persistence/index.js'
import { conflict, invalid, notFound } from '../errors.js'
import { formatPrefix, parsePrefix } from '../ipam/prefix.js'
import { stillHolds, type SubscriptionHolder } from '../subscription-holds.js'
import { allowedValues, type Cable, type CableStatus, type Dcim, type Device, type DeviceFilter, type Interface, type InterfacePatch, type InterfaceRef } from './dcim.js'

type Tx = Prisma.TransactionClient | PrismaService
const DEVICE_INCLUDE = { rack: { select: { name: true } } } as const
type DeviceRow = Prisma.DcimDeviceGetPayload<{ include: typeof DEVICE_INCLUDE }>
const CABLE_INCLUDE = { ends: { include: { interface: { select: { name: true, device: { select: { name: true } } } } } } } as const
type CableRow = Prisma.DcimCableGetPayload<{ include: typeof CABLE_INCLUDE }>
const INTERFACE_INCLUDE = {
  device: { select: { name: true } },
  cableEnds: { include: { cable: { include: CABLE_INCLUDE } } },
} as const
type InterfaceRow = Prisma.DcimInterfaceGetPayload<{ include: typeof INTERFACE_INCLUDE }>

export interface NewDevice {
  name: string
  role: DeviceRole
  vendor: string
  platform: string
  site: string
  rack?: string
  status?: DeviceStatus
  management_address?: string
  primary_ipv4?: string
  primary_ipv6?: string
}

/** A correction of a device: only the fields given change; null clears an address or the rack. */
export interface DevicePatch {
  name?: string
  role?: DeviceRole
  vendor?: string
  platform?: string
  site?: string
  rack?: string | null
  status?: DeviceStatus
  management_address?: string | null
  primary_ipv4?: string | null
  primary_ipv6?: string | null
}

export interface NewInterface {
  name: string
  speed_mbps: number
  enabled?: boolean
  description?: string
}

/** PostgreSQL prints host addresses without their length; NetBox shows it: so does Loom. */
const withLength = (address: string | null) => (address ? formatPrefix(parsePrefix(address)) : null)

function toDevice(row: DeviceRow): Device {
  return {
    name: row.name,
    role: row.role,
    vendor: row.vendor,
    platform: row.platform,
    site: row.site,
    rack: row.rack?.name ?? null,
    status: row.status,
    management_address: row.managementAddress,
    primary_ipv4: withLength(row.primaryIpv4),
    primary_ipv6: withLength(row.primaryIpv6),
    os_version: row.osVersion,
  }
}

/** A device as the one-query list reads it (the rack's name joined; addresses as PostgreSQL prints them). */
const fromListRow = (row: Device): Device => ({ ...row, primary_ipv4: withLength(row.primary_ipv4), primary_ipv6: withLength(row.primary_ipv6) })

function toCable(row: CableRow): Cable {
  const end = (side: string): InterfaceRef => {
    const e = row.ends.find((x) => x.side === side)!
    return { device: e.interface.device.name, interface: e.interface.name }
  }
  return { id: row.id, status: row.status, description: row.description, a: end('a'), b: end('b') }
}

function toInterface(row: InterfaceRow): Interface {
  const end = row.cableEnds[0]
  const cable = end && toCable(end.cable)
  return {
    device: row.device.name,
    interface: row.name,
    speed_mbps: row.speedMbps,
    enabled: row.enabled,
    description: row.description,
    status: row.status,
    cable: cable ? { id: cable.id, status: cable.status, peer: end.side === 'a' ? cable.b : cable.a } : null,
  }
}

/**
 * An address as the database keeps it: a host address (no length given) gets its full length, as PostgreSQL
 * stores it; an address of the other family is refused naming the field.
 */
function hostAddress(value: string, family: 4 | 6 | undefined, field: string): string {
  const parsed = parsePrefix(value.includes('/') ? value.replace(/\/\d+$/, '') : value)
  if (family && parsed.family !== family) throw invalid(`${field} must be an IPv${family} address, not ${value}`)
  return value.includes('/') ? value : formatPrefix(parsed)
}


/** A claim's subscription, for stillHolds. */
const holderOf = (s: { id: string; product: string; lifecycle: string; lockedBy: string | null; lockHolder: { workflow: string } | null }): SubscriptionHolder => ({
  id: s.id,
  product: s.product,
  lifecycle: s.lifecycle,
  locked_by: s.lockedBy,
  lock_workflow: s.lockHolder?.workflow ?? null,
})

const sameEnd = (x: InterfaceRef, y: InterfaceRef) => x.device === y.device && x.interface === y.interface
const named = (ref: InterfaceRef) => `${ref.device} ${ref.interface}`

/** The built-in DCIM in PostgreSQL: sites, racks, devices, interfaces and cables. */
@Injectable()
export class BuiltinDcim implements Dcim {
  constructor(private readonly prisma: PrismaService) {}

  async device(name: string): Promise<Device> {
    return toDevice(await this.deviceRow(this.prisma, name))
  }

  /** One query, racks joined: a fleet task lists thousands of devices at once. */
  async devices(filter: DeviceFilter): Promise<Device[]> {
    const sites = allowedValues(filter.site, filter.sites)
    const roles = allowedValues(filter.role, filter.roles)
    if (sites?.length === 0 || roles?.length === 0) return []
    const where = [
      filter.status === undefined ? Prisma.empty : Prisma.sql`AND d.status = ${filter.status}::device_status`,
      sites === undefined ? Prisma.empty : Prisma.sql`AND d.site = ANY(${sites}::text[])`,
      roles === undefined ? Prisma.empty : Prisma.sql`AND d.role = ANY(${roles}::device_role[])`,
    ]
    const rows = await this.prisma.$queryRaw<Device[]>`
      SELECT d.name, d.role::text AS role, d.vendor, d.platform, d.site, r.name AS rack, d.status::text AS status,
             d.management_address, d.primary_ipv4, d.primary_ipv6, d.os_version
      FROM dcim_devices d LEFT JOIN dcim_racks r ON r.id = d.rack_id
      WHERE true ${Prisma.join(where, ' ')}
      ORDER BY d.name`
    return rows.map(fromListRow)
  }

  async setDeviceStatus(name: string, status: DeviceStatus): Promise<Device> {
    return this.prisma.$transaction(async (tx) => {
      const row = await this.deviceRow(tx, name)
      if (row.status === status) return toDevice(row)
      return toDevice(await tx.dcimDevice.update({ where: { id: row.id }, data: { status, version: { increment: 1 } }, include: DEVICE_INCLUDE }))
    })
  }

  async setDeviceOsVersion(name: string, version: string): Promise<Device> {
    if (!version.trim()) throw invalid(`an OS version for ${name} must not be empty`)
    // One conditional update: recording the version a device has already leaves its row (and version count) alone.
    await this.prisma.dcimDevice.updateMany({
      where: { name, OR: [{ osVersion: null }, { osVersion: { not: version } }] },
      data: { osVersion: version, version: { increment: 1 } },
    })
    return this.device(name)
  }

  async setDeviceOsVersions(versions: { name: string; version: string }[]): Promise<void> {
    if (versions.some((v) => !v.version.trim())) throw invalid('an OS version must not be empty')
    // One statement for the batch; a device already on its version keeps its row (and version count) as it is.
    await this.prisma.$executeRaw`
      UPDATE dcim_devices d SET os_version = v.version, version = d.version + 1, updated_at = now()
      FROM unnest(${versions.map((v) => v.name)}::text[], ${versions.map((v) => v.version)}::text[]) AS v(name, version)
      WHERE d.name = v.name AND d.os_version IS DISTINCT FROM v.version`
  }

  async interfaces(device: string): Promise<Interface[]> {
    const row = await this.deviceRow(this.prisma, device)
    const rows = await this.prisma.dcimInterface.findMany({ where: { deviceId: row.id }, include: INTERFACE_INCLUDE })
    // Interfaces in the order a person reads them: eth2 before eth10.
    return rows.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })).map(toInterface)
  }

  async updateInterface(ref: InterfaceRef, patch: InterfacePatch): Promise<Interface> {
    const row = await this.interfaceRow(this.prisma, ref)
    const updated = await this.prisma.dcimInterface.update({
      where: { id: row.id },
      data: { description: patch.description, enabled: patch.enabled, status: patch.status, version: { increment: 1 } },
      include: INTERFACE_INCLUDE,
    })
    return toInterface(updated)
  }

  async createCable(a: InterfaceRef, b: InterfaceRef, options: { status?: CableStatus; description?: string } = {}): Promise<Cable> {
    if (sameEnd(a, b)) throw invalid(`a cable needs two different interfaces, not ${named(a)} twice`)
    return this.prisma.$transaction(async (tx) => {
      const [ia, ib] = [await this.interfaceRow(tx, a), await this.interfaceRow(tx, b)]
      // Both ends' rows locked in a fixed order: two requests for the same cable cannot both create it.
      for (const id of [ia.id, ib.id].sort()) await tx.$queryRaw`SELECT 1 FROM dcim_interfaces WHERE id = ${id}::uuid FOR UPDATE`
      const existing = await tx.dcimCableEnd.findMany({ where: { interfaceId: { in: [ia.id, ib.id] } }, include: { cable: { include: CABLE_INCLUDE } } })
      const cables = new Map(existing.map((e) => [e.cableId, toCable(e.cable)]))
      for (const cable of cables.values()) {
        const joinsThese = (sameEnd(cable.a, a) && sameEnd(cable.b, b)) || (sameEnd(cable.a, b) && sameEnd(cable.b, a))
        if (joinsThese) return cable
        const busy = [a, b].find((end) => sameEnd(cable.a, end) || sameEnd(cable.b, end))!
        throw conflict(`${named(busy)} already has cable ${cable.id} (${named(cable.a)} — ${named(cable.b)}, ${cable.status})`)
      }
      const id = uuidv7()
      await tx.dcimCable.create({ data: { id, status: options.status ?? 'planned', description: options.description ?? '' } })
      await tx.dcimCableEnd.createMany({ data: [{ cableId: id, interfaceId: ia.id, side: 'a' }, { cableId: id, interfaceId: ib.id, side: 'b' }] })
      return toCable(await tx.dcimCable.findUniqueOrThrow({ where: { id }, include: CABLE_INCLUDE }))
    })
  }

  async cable(id: string): Promise<Cable> {
    const row = await this.prisma.dcimCable.findUnique({ where: { id }, include: CABLE_INCLUDE })
    if (!row) throw notFound(`DCIM has no cable ${id}`)
    return toCable(row)
  }

  async cables(filter: { device?: string; status?: CableStatus }): Promise<Cable[]> {
    const rows = await this.prisma.dcimCable.findMany({
      where: { status: filter.status, ...(filter.device ? { ends: { some: { interface: { device: { name: filter.device } } } } } : {}) },
      include: CABLE_INCLUDE,
      orderBy: { createdAt: 'asc' },
    })
    return rows.map(toCable)
  }

  async setCableStatus(id: string, status: CableStatus): Promise<Cable> {
    await this.cable(id)
    return toCable(await this.prisma.dcimCable.update({ where: { id }, data: { status }, include: CABLE_INCLUDE }))
  }

  async deleteCable(id: string): Promise<Cable | null> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.dcimCable.findUnique({ where: { id }, include: CABLE_INCLUDE })
      if (!row) return null
      await tx.dcimCable.delete({ where: { id } })
      return toCable(row)
    })
  }

  // Inventory: what the API offers to fill the built-in DCIM.

  async createSite(input: { name: string; description?: string }): Promise<{ name: string; description: string }> {
    if (await this.prisma.dcimSite.findUnique({ where: { name: input.name } })) throw conflict(`a site named ${input.name} exists already`)
    const row = await this.prisma.dcimSite.create({ data: { id: uuidv7(), name: input.name, description: input.description ?? '' } })
    return { name: row.name, description: row.description }
  }

  async sites(): Promise<{ name: string; description: string; racks: string[]; devices: number }[]> {
    const rows = await this.prisma.dcimSite.findMany({ include: { racks: { select: { name: true }, orderBy: { name: 'asc' } }, _count: { select: { devices: true } } }, orderBy: { name: 'asc' } })
    return rows.map((r) => ({ name: r.name, description: r.description, racks: r.racks.map((k) => k.name), devices: r._count.devices }))
  }

  async createRack(site: string, name: string): Promise<{ site: string; name: string }> {
    const siteRow = await this.prisma.dcimSite.findUnique({ where: { name: site } })
    if (!siteRow) throw notFound(`DCIM has no site ${site}`)
    if (await this.prisma.dcimRack.findUnique({ where: { siteId_name: { siteId: siteRow.id, name } } })) throw conflict(`site ${site} has a rack ${name} already`)
    await this.prisma.dcimRack.create({ data: { id: uuidv7(), siteId: siteRow.id, name } })
    return { site, name }
  }

  async createDevice(input: NewDevice): Promise<Device> {
    return this.prisma.$transaction(async (tx) => {
      if (await tx.dcimDevice.findUnique({ where: { name: input.name } })) throw conflict(`a device named ${input.name} exists already`)
      const site = await tx.dcimSite.findUnique({ where: { name: input.site } })
      if (!site) throw notFound(`DCIM has no site ${input.site}`)
      const rack = input.rack ? await tx.dcimRack.findUnique({ where: { siteId_name: { siteId: site.id, name: input.rack } } }) : null
      if (input.rack && !rack) throw notFound(`site ${input.site} has no rack ${input.rack}`)
      const address = (value: string | undefined, family: 4 | 6 | undefined, field: string) => (value === undefined ? undefined : hostAddress(value, family, field))
      const row = await tx.dcimDevice.create({
        data: {
          id: uuidv7(),
          name: input.name,
          role: input.role,
          vendor: input.vendor,
          platform: input.platform,
          site: input.site,
          rackId: rack?.id,
          status: input.status ?? 'planned',
          managementAddress: address(input.management_address, undefined, 'management_address'),
          primaryIpv4: address(input.primary_ipv4, 4, 'primary_ipv4'),
          primaryIpv6: address(input.primary_ipv6, 6, 'primary_ipv6'),
        },
        include: DEVICE_INCLUDE,
      })
      return toDevice(row)
    })
  }

  async createInterface(device: string, input: NewInterface): Promise<Interface> {
    const row = await this.deviceRow(this.prisma, device)
    if (await this.prisma.dcimInterface.findUnique({ where: { deviceId_name: { deviceId: row.id, name: input.name } } })) throw conflict(`${device} has an interface ${input.name} already`)
    const created = await this.prisma.dcimInterface.create({
      data: { id: uuidv7(), deviceId: row.id, name: input.name, speedMbps: input.speed_mbps, enabled: input.enabled ?? true, description: input.description ?? '' },
      include: INTERFACE_INCLUDE,
    })
    return toInterface(created)
  }

  /**
   * Corrects a device (an operator repairing what a process needs, e.g. a missing management address). Renaming
   * is refused while a process or a live subscription holds the device or one of its interfaces: they know it
   * by name. Moving it to another site leaves its rack unless `rack` names one there.
   */
  async updateDevice(name: string, patch: DevicePatch): Promise<Device> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await this.lockedDeviceRow(tx, name)
        const data: Prisma.DcimDeviceUncheckedUpdateInput = {}
        if (patch.name !== undefined && patch.name !== row.name) {
          await this.assertNotHeld(tx, row.name, 'renamed')
          if (await tx.dcimDevice.findUnique({ where: { name: patch.name } })) throw conflict(`a device named ${patch.name} exists already`)
          data.name = patch.name
        }
        for (const field of ['role', 'vendor', 'platform', 'status'] as const) {
          if (patch[field] !== undefined && patch[field] !== row[field]) data[field] = patch[field]
        }
        const site = patch.site ?? row.site
        if (site !== row.site) {
          if (!(await tx.dcimSite.findUnique({ where: { name: site } }))) throw notFound(`DCIM has no site ${site}`)
          data.site = site
          if (patch.rack === undefined && row.rackId) data.rackId = null
        }
        if (patch.rack !== undefined) {
          const rack = patch.rack === null ? null : await tx.dcimRack.findFirst({ where: { name: patch.rack, site: { name: site } } })
          if (patch.rack !== null && !rack) throw notFound(`site ${site} has no rack ${patch.rack}`)
          if ((rack?.id ?? null) !== row.rackId) data.rackId = rack?.id ?? null
        }
        const addresses = [
          ['management_address', 'managementAddress', undefined],
          ['primary_ipv4', 'primaryIpv4', 4],
          ['primary_ipv6', 'primaryIpv6', 6],
        ] as const
        const current = toDevice(row)
        for (const [field, column, family] of addresses) {
          const value = patch[field]
          if (value === undefined) continue
          const stored = value === null ? null : hostAddress(value, family, field)
          const now = current[field]
          if (stored !== (now === null ? null : hostAddress(now, undefined, field))) data[column] = stored
        }
        if (Object.keys(data).length === 0) return current
        return toDevice(await tx.dcimDevice.update({ where: { id: row.id }, data: { ...data, version: { increment: 1 } }, include: DEVICE_INCLUDE }))
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a device named ${patch.name} exists already`)
      throw error
    }
  }

  /**
   * Removes a device with its interfaces. Refused while a process or a live subscription holds it or one of its
   * interfaces, and while a cable ends on it (remove the cable first).
   */
  async deleteDevice(name: string): Promise<Device> {
    return this.prisma.$transaction(async (tx) => {
      const row = await this.lockedDeviceRow(tx, name)
      await this.assertNotHeld(tx, name, 'deleted')
      const cabled = await tx.dcimCableEnd.findMany({ where: { interface: { deviceId: row.id } }, include: { interface: { select: { name: true } } }, orderBy: { cableId: 'asc' } })
      if (cabled.length) {
        throw conflict(`device ${name} has cables on ${cabled.map((e) => `${e.interface.name} (cable ${e.cableId})`).join(', ')}: remove them first (DELETE /api/dcim/cables/{id})`)
      }
      await tx.dcimDevice.delete({ where: { id: row.id } })
      return toDevice(row)
    })
  }

  /**
   * An operator's edit of an interface. While a process or a live subscription holds it (a port), what the port
   * uses stays as it is — its speed, whether it is enabled, its status; its description can still be corrected.
   */
  async editInterface(ref: InterfaceRef, patch: InterfacePatch & { speed_mbps?: number }): Promise<Interface> {
    return this.prisma.$transaction(async (tx) => {
      const row = await this.interfaceRow(tx, ref)
      // Locked, then read as it is now: two edits of one interface do not interleave.
      await tx.$queryRaw`SELECT 1 FROM dcim_interfaces WHERE id = ${row.id}::uuid FOR UPDATE`
      const current = await tx.dcimInterface.findUniqueOrThrow({ where: { id: row.id }, select: { speedMbps: true, enabled: true, status: true } })
      const changed = (
        [
          ['speed', patch.speed_mbps, current.speedMbps],
          ['enabled flag', patch.enabled, current.enabled],
          ['status', patch.status, current.status],
        ] as const
      )
        .filter(([, wanted, now]) => wanted !== undefined && wanted !== now)
        .map(([what]) => what)
      if (changed.length) {
        const holders = await this.liveHolders(tx, [{ resourceType: 'dcim_interface', resourceKey: `${ref.device}:${ref.interface}` }])
        if (holders.length) throw conflict(`the ${changed.join(' and ')} of ${named(ref)} cannot change while ${holders.join('; ')}`)
      }
      const updated = await tx.dcimInterface.update({
        where: { id: row.id },
        data: { description: patch.description, enabled: patch.enabled, status: patch.status, speedMbps: patch.speed_mbps, version: { increment: 1 } },
        include: INTERFACE_INCLUDE,
      })
      return toInterface(updated)
    })
  }

  /** A 409 naming who holds the device or one of its interfaces, if anyone does. */
  private async assertNotHeld(tx: Prisma.TransactionClient, device: string, verb: string): Promise<void> {
    const holders = await this.liveHolders(tx, [
      { resourceType: 'dcim_device', resourceKey: device },
      { resourceType: 'dcim_interface', resourceKey: { startsWith: `${device}:` } },
    ])
    if (holders.length) throw conflict(`device ${device} cannot be ${verb} while ${holders.join('; ')}`)
  }

  /**
   * The claims (resource_claims, the database's rule that one process or subscription holds a device or interface)
   * that still hold: a running process's, or a subscription's that is not terminated or that a process has locked.
   * Described for a person: the subscription, the process that claimed, and the one holding the subscription's lock.
   */
  private async liveHolders(tx: Prisma.TransactionClient, where: Prisma.ResourceClaimWhereInput[]): Promise<string[]> {
    // No claim is made or given up until this transaction ends (processes claim in their own transactions, which
    // this waits for): the holders read here still hold when the change commits. SHARE lets other checks run.
    await tx.$executeRaw`LOCK TABLE resource_claims IN SHARE MODE`
    const claims = await tx.resourceClaim.findMany({
      where: { OR: where },
      include: { subscription: { select: { id: true, product: true, lifecycle: true, lockedBy: true, lockHolder: { select: { workflow: true } } } } },
      orderBy: [{ resourceType: 'asc' }, { resourceKey: 'asc' }],
    })
    return claims
      .filter((c) => !c.subscription || stillHolds(holderOf(c.subscription)))
      .map((c) => {
        const s = c.subscription
        // The process holding the subscription's lock, when it is not the one that claimed (named anyway).
        const lock = s?.lockedBy && s.lockedBy !== c.processId ? `, and its subscription is locked by process ${s.lockedBy}${s.lockHolder ? ` (${s.lockHolder.workflow})` : ''}` : ''
        return `${c.resourceType} ${c.resourceKey} is held by ${s ? `subscription ${s.id} (${s.product}, ${s.lifecycle}), ` : ''}process ${c.processId}${lock}`
      })
  }

  /** The device's row, locked until the transaction ends: two corrections of one device do not interleave. */
  private async lockedDeviceRow(tx: Prisma.TransactionClient, name: string): Promise<DeviceRow> {
    const row = await this.deviceRow(tx, name)
    await tx.$queryRaw`SELECT 1 FROM dcim_devices WHERE id = ${row.id}::uuid FOR UPDATE`
    return this.deviceRow(tx, name)
  }

  private async deviceRow(tx: Tx, name: string): Promise<DeviceRow> {
    const row = await tx.dcimDevice.findUnique({ where: { name }, include: DEVICE_INCLUDE })
    if (!row) throw notFound(`DCIM has no device named ${name}`)
    return row
  }

  /** An interface's id and speed, nothing more: a cable under a lock runs this twice per request. */
  private async interfaceRow(tx: Tx, ref: InterfaceRef): Promise<{ id: string; speedMbps: number }> {
    const row = await tx.dcimInterface.findFirst({ where: { name: ref.interface, device: { name: ref.device } }, select: { id: true, speedMbps: true } })
    if (!row) {
      await this.deviceRow(tx, ref.device) // names the device when that is what is missing
      throw notFound(`device ${ref.device} has no interface ${ref.interface}`)
    }
    return row
  }
}
