import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import { acmeFleet } from '#domain/fleet/acme-fleet.js'
import type { PrismaService } from './prisma.service.js'

export interface SeedDevice {
  name: string
  role: string
  vendor: string
  platform: string
  site: string
  management_address: string
  primary_ipv4: string
  primary_ipv6: string
  /** added with the device (a device that exists already keeps its own) */
  interfaces?: { name: string; speed_mbps: number }[]
}

export function demoDevices(projectRoot: string): SeedDevice[] {
  return (JSON.parse(readFileSync(join(projectRoot, 'prisma', 'seed', 'demo-devices.json'), 'utf8')) as { devices: SeedDevice[] }).devices
}

/** Adds the planned devices that DCIM lacks; leaves existing ones (and what workflows did to them) alone. Returns how many it added. */
export async function seedDevices(prisma: PrismaService, devices: SeedDevice[]): Promise<number> {
  let added = 0
  for (const d of devices) {
    await prisma.$executeRaw`INSERT INTO dcim_sites (id, name) VALUES (${uuidv7()}::uuid, ${d.site}) ON CONFLICT (name) DO NOTHING`
    added += await prisma.$executeRaw`
      INSERT INTO dcim_devices (id, name, role, vendor, platform, site, status, management_address, primary_ipv4, primary_ipv6, updated_at)
      VALUES (${uuidv7()}::uuid, ${d.name}, ${d.role}::device_role, ${d.vendor}, ${d.platform}, ${d.site}, 'planned',
              ${d.management_address}::inet, ${d.primary_ipv4}::inet, ${d.primary_ipv6}::inet, now())
      ON CONFLICT (name) DO NOTHING`
    for (const i of d.interfaces ?? []) {
      await prisma.$executeRaw`
        INSERT INTO dcim_interfaces (id, device_id, name, speed_mbps, updated_at)
        SELECT ${uuidv7()}::uuid, id, ${i.name}, ${i.speed_mbps}, now() FROM dcim_devices WHERE name = ${d.name}
        ON CONFLICT (device_id, name) DO NOTHING`
    }
  }
  return added
}

/**
 * Loads the ACME fleet (seed 003: 8 sites, 848 active devices, leaves in racks) into the built-in DCIM. What exists
 * already stays as it is — a device keeps its status and the OS version a task recorded — so it runs at every start.
 * Set-based: one statement each for sites, racks and devices, whatever the fleet's size. `total` counts the fleet's
 * devices in DCIM afterwards.
 */
export async function seedAcmeFleet(prisma: PrismaService): Promise<{ added: number; total: number }> {
  const fleet = acmeFleet()
  const sites = [...new Set(fleet.map((d) => d.site))]
  const racks = [...new Map(fleet.filter((d) => d.rack).map((d) => [`${d.site}/${d.rack}`, { site: d.site, name: d.rack! }])).values()]
  const ids = (n: number) => Array.from({ length: n }, () => uuidv7())
  const names = fleet.map((d) => d.name)
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO dcim_sites (id, name)
      SELECT id, name FROM unnest(${ids(sites.length)}::uuid[], ${sites}::text[]) AS s(id, name)
      ON CONFLICT (name) DO NOTHING`
    await tx.$executeRaw`
      INSERT INTO dcim_racks (id, site_id, name)
      SELECT r.id, s.id, r.name
      FROM unnest(${ids(racks.length)}::uuid[], ${racks.map((r) => r.site)}::text[], ${racks.map((r) => r.name)}::text[]) AS r(id, site, name)
      JOIN dcim_sites s ON s.name = r.site
      ON CONFLICT (site_id, name) DO NOTHING`
    const added = await tx.$executeRaw`
      INSERT INTO dcim_devices (id, name, role, vendor, platform, site, rack_id, status, management_address, os_version, updated_at)
      SELECT d.id, d.name, d.role::device_role, 'acme', 'acmeos', d.site, r.id, 'active', d.management_address::inet, d.os_version, now()
      FROM unnest(
        ${ids(fleet.length)}::uuid[], ${names}::text[], ${fleet.map((d) => d.dev_type)}::text[], ${fleet.map((d) => d.site)}::text[],
        ${fleet.map((d) => d.rack)}::text[], ${fleet.map((d) => d.management_address)}::text[], ${fleet.map((d) => d.os_version)}::text[]
      ) AS d(id, name, role, site, rack, management_address, os_version)
      LEFT JOIN dcim_sites s ON s.name = d.site
      LEFT JOIN dcim_racks r ON r.site_id = s.id AND r.name = d.rack
      ON CONFLICT (name) DO NOTHING`
    const [{ total }] = await tx.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM dcim_devices WHERE name = ANY(${names}::text[])`
    return { added, total }
  })
}

export interface SeedPool {
  name: string
  prefix: string
  role: string
  description: string
}

export function demoPools(projectRoot: string): SeedPool[] {
  return (JSON.parse(readFileSync(join(projectRoot, 'prisma', 'seed', 'demo-ipam.json'), 'utf8')) as { pools: SeedPool[] }).pools
}

/** Adds the IPAM pools that are missing; one whose name or prefix is taken (or overlapped) is left out. Returns how many it added. */
export async function seedPools(prisma: PrismaService, pools: SeedPool[]): Promise<number> {
  let added = 0
  for (const p of pools) {
    // Without a conflict target, DO NOTHING also covers the exclusion constraint against overlapping pools.
    added += await prisma.$executeRaw`
      INSERT INTO ipam_pools (id, name, prefix, role, description, updated_at)
      VALUES (${uuidv7()}::uuid, ${p.name}, ${p.prefix}::inet, ${p.role}::ipam_role, ${p.description}, now())
      ON CONFLICT DO NOTHING`
  }
  return added
}

export interface SeedCustomer {
  id: string
  name: string
  contact_email?: string | null
  contact_name?: string | null
  note?: string | null
}

export function demoCustomers(projectRoot: string): SeedCustomer[] {
  return (JSON.parse(readFileSync(join(projectRoot, 'prisma', 'seed', 'demo-customers.json'), 'utf8')) as { customers: SeedCustomer[] }).customers
}

/** Adds the customers that are missing (by id); existing ones keep what was changed since. Returns how many it added. */
export async function seedCustomers(prisma: PrismaService, customers: SeedCustomer[]): Promise<number> {
  let added = 0
  for (const c of customers) {
    added += await prisma.$executeRaw`
      INSERT INTO customers (id, name, contact_email, contact_name, note, updated_at)
      VALUES (${c.id}, ${c.name}, ${c.contact_email ?? null}, ${c.contact_name ?? null}, ${c.note ?? null}, now())
      ON CONFLICT (id) DO NOTHING`
  }
  return added
}
