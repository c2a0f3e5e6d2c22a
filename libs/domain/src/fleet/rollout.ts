// How a fleet task splits its devices: into groups that run one device at a time (a rack's two leaves, a site's
// spines), and into waves (an optional canary wave before the rest). Policies are data, declared here once; the
// planner is pure, so the same devices and options always give the same plan.

/** A device as a fleet task sees it in the inventory. */
export interface FleetDevice {
  name: string
  site: string
  dev_type: string
  rack: string | null
  os_version: string | null
}

export interface FleetPolicy {
  name: string
  description: string
  /** the group a device belongs to: a group runs one device at a time */
  groupOf(device: FleetDevice): string
  /** whether the first failure in a group skips the rest of it */
  stopGroupOnFailure: boolean
}

/** The seed's DCAwareRunner: edges and spines by site and type, leaves by rack, so that a rack keeps a working leaf. */
const dcAware: FleetPolicy = {
  name: 'dc-aware',
  description:
    'Data-centre aware (the nornir3 demo): edge and spine devices grouped by site and type, leaves by site and rack; one device at a time per group; the first failure in a group skips the rest of it',
  groupOf: (d) => (d.dev_type === 'leaf' && d.rack ? `${d.site}/${d.rack}` : `${d.site}/${d.dev_type}`),
  stopGroupOnFailure: true,
}

const parallel: FleetPolicy = {
  name: 'parallel',
  description: 'Every device on its own, up to the concurrency at once; a failure stops nothing else',
  groupOf: (d) => d.name,
  stopGroupOnFailure: false,
}

export const FLEET_POLICIES: Readonly<Record<string, FleetPolicy>> = { [dcAware.name]: dcAware, [parallel.name]: parallel }
export const FLEET_POLICY_NAMES = Object.keys(FLEET_POLICIES) as [string, ...string[]]
export const DEFAULT_FLEET_POLICY = dcAware.name

/** The resource claim that holds a device for one unfinished fleet task at a time (resource_claims). */
export const FLEET_DEVICE_CLAIM = 'fleet_device'

/** Wave 0 is the canary wave (when there is one), wave 1 the rest. */
export const CANARY_WAVE = 0
export const MAIN_WAVE = 1

export interface PlannedDevice extends FleetDevice {
  group: string
  /** its turn within the group */
  position: number
  wave: number
}

export interface PlannedGroup {
  key: string
  site: string
  wave: number
  size: number
}

export interface RolloutPlan {
  devices: PlannedDevice[]
  /** one entry per group and wave it has devices in */
  groups: PlannedGroup[]
}

/** `leaf9` before `leaf10`: names compare by their numbers, as people read them. */
export const byName = new Intl.Collator('en', { numeric: true }).compare

/**
 * Groups the devices by the policy, each group in name order. With `canary` > 0, the first device of that many
 * groups — taken round-robin over sites, so that the canary sees every site it can — forms wave 0; a group's
 * other devices follow in wave 1, after its canary.
 */
export function planRollout(devices: readonly FleetDevice[], policy: FleetPolicy, canary = 0): RolloutPlan {
  const groups = new Map<string, FleetDevice[]>()
  for (const d of [...devices].sort((a, b) => byName(a.name, b.name))) {
    const key = policy.groupOf(d)
    groups.set(key, [...(groups.get(key) ?? []), d])
  }
  const canaries = new Set(pickRoundRobin([...groups.entries()], canary).map(([key]) => key))
  const planned: PlannedDevice[] = []
  const planGroups: PlannedGroup[] = []
  for (const [key, members] of groups) {
    const site = members[0].site
    members.forEach((d, position) => planned.push({ ...d, group: key, position, wave: canaries.has(key) && position === 0 ? CANARY_WAVE : MAIN_WAVE }))
    if (canaries.has(key)) planGroups.push({ key, site, wave: CANARY_WAVE, size: 1 })
    const rest = canaries.has(key) ? members.length - 1 : members.length
    if (rest > 0) planGroups.push({ key, site, wave: MAIN_WAVE, size: rest })
  }
  return { devices: planned, groups: planGroups }
}

/** `count` groups, one per site in turn (sites and groups in name order). */
function pickRoundRobin(groups: [string, FleetDevice[]][], count: number): [string, FleetDevice[]][] {
  const bySite = new Map<string, [string, FleetDevice[]][]>()
  for (const g of [...groups].sort((a, b) => byName(a[0], b[0]))) bySite.set(g[1][0].site, [...(bySite.get(g[1][0].site) ?? []), g])
  const queues = [...bySite.keys()].sort(byName).map((site) => bySite.get(site)!)
  const picked: [string, FleetDevice[]][] = []
  while (picked.length < count && queues.some((q) => q.length)) for (const q of queues) if (q.length && picked.length < count) picked.push(q.shift()!)
  return picked
}
