// The ACME network of the nornir3 demo (seed 003), the fleet whose OS the upgrade task rolls out: eight sites, each
// with two edge routers, four spines and a hundred leaves. Generated, not stored, so that every Loom (and every
// test) loads the same 848 devices.

export const ACME_SITES = ['mercury', 'venus', 'earth', 'mars', 'jupyter', 'saturn', 'uranus', 'neptune'] as const
export type AcmeSite = (typeof ACME_SITES)[number]

/** Also DCIM device roles: a device's dev_type is its role. */
export const ACME_DEV_TYPES = ['edge', 'spine', 'leaf'] as const
export type AcmeDevType = (typeof ACME_DEV_TYPES)[number]

/** How many of each per site. */
export const ACME_DEVICES_PER_SITE: Readonly<Record<AcmeDevType, number>> = { edge: 2, spine: 4, leaf: 100 }

/** The OS every ACME device runs before any upgrade. */
export const ACME_OS_VERSION = '5.2.3'

export interface AcmeDevice {
  /** `<dev_type><nn>.<site>`, as the demo's inventory names hosts */
  name: string
  site: AcmeSite
  dev_type: AcmeDevType
  /** leaves only, two to a rack (rack00 … rack49) */
  rack: string | null
  os_version: string
  /** unique across the fleet: 10.<site index>.<dev_type index>.<n> */
  management_address: string
}

const two = (n: number) => String(n).padStart(2, '0')

export function acmeFleet(): AcmeDevice[] {
  return ACME_SITES.flatMap((site, siteIndex) =>
    ACME_DEV_TYPES.flatMap((dev_type, typeIndex) =>
      Array.from({ length: ACME_DEVICES_PER_SITE[dev_type] }, (_, n) => ({
        name: `${dev_type}${two(n)}.${site}`,
        site,
        dev_type,
        rack: dev_type === 'leaf' ? `rack${two(Math.floor(n / 2))}` : null,
        os_version: ACME_OS_VERSION,
        // Host numbers from 1: .0 would read as a network address.
        management_address: `10.${siteIndex}.${typeIndex}.${n + 1}`,
      })),
    ),
  )
}
