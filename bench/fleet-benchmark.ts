// The fleet task upgrade-os at scale (issue 14 item 10): what the benchmark needs besides a running Loom — the lower
// bound the simulator's seeded outcomes allow, a generated fleet of any size seeded by SQL, where a run's time went
// (read back from the plan's own timestamps), and the CPU each process spent meanwhile.
import { readdirSync, readFileSync } from 'node:fs'
import pg from 'pg'
import { FLEET_POLICIES, type FleetDevice, planRollout } from '#domain/fleet/rollout.js'
import { type FleetSimulatorProfile, simulatedOutcome } from '#integrations/devices/fleet-simulator.js'

/** The OS every generated device runs before the benchmark upgrades it (as the ACME fleet's). */
export const GENERATED_OS_VERSION = '5.2.3'

export interface GeneratedDevice extends FleetDevice {
  management_address: string
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/**
 * `count` devices over `sites` sites (`s00` …), named `dev00000.s00` …: per site two edges, eight spines, the rest
 * leaves two to a rack — so that the dc-aware policy makes groups of two, as in the ACME fleet.
 */
export function generatedFleet(count: number, sites = 10): GeneratedDevice[] {
  const perSite = Math.ceil(count / sites)
  return Array.from({ length: count }, (_, i) => {
    const s = Math.floor(i / perSite)
    const j = i % perSite
    const dev_type = j < 2 ? 'edge' : j < 10 ? 'spine' : 'leaf'
    return {
      name: `dev${pad(i, 5)}.s${pad(s, 2)}`,
      site: `s${pad(s, 2)}`,
      dev_type,
      rack: dev_type === 'leaf' ? `rack${pad(Math.floor((j - 10) / 2), 3)}` : null,
      os_version: GENERATED_OS_VERSION,
      management_address: `10.${100 + ((i >> 16) & 0x3f)}.${(i >> 8) & 0xff}.${i & 0xff}`,
    }
  })
}

/** Sites, racks and devices into the built-in DCIM: one set-based statement each, in one transaction. */
export async function seedGeneratedFleet(databaseUrl: string, devices: readonly GeneratedDevice[]): Promise<void> {
  const sites = [...new Set(devices.map((d) => d.site))]
  const racks = [...new Map(devices.filter((d) => d.rack).map((d) => [`${d.site}/${d.rack}`, { site: d.site, name: d.rack! }])).values()]
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  try {
    await sql.query('BEGIN')
    await sql.query(`INSERT INTO dcim_sites (id, name) SELECT gen_random_uuid(), name FROM unnest($1::text[]) AS s(name) ON CONFLICT (name) DO NOTHING`, [sites])
    await sql.query(
      `INSERT INTO dcim_racks (id, site_id, name)
       SELECT gen_random_uuid(), s.id, r.name FROM unnest($1::text[], $2::text[]) AS r(site, name) JOIN dcim_sites s ON s.name = r.site
       ON CONFLICT (site_id, name) DO NOTHING`,
      [racks.map((r) => r.site), racks.map((r) => r.name)],
    )
    await sql.query(
      `INSERT INTO dcim_devices (id, name, role, vendor, platform, site, rack_id, status, management_address, os_version, updated_at)
       SELECT gen_random_uuid(), d.name, d.role::device_role, 'acme', 'acmeos', d.site, r.id, 'active', d.management_address::inet, d.os_version, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS d(name, role, site, rack, management_address, os_version)
       LEFT JOIN dcim_sites s ON s.name = d.site
       LEFT JOIN dcim_racks r ON r.site_id = s.id AND r.name = d.rack
       ON CONFLICT (name) DO NOTHING`,
      [devices.map((d) => d.name), devices.map((d) => d.dev_type), devices.map((d) => d.site), devices.map((d) => d.rack), devices.map((d) => d.management_address), devices.map((d) => d.os_version)],
    )
    await sql.query('COMMIT')
    await sql.query('ANALYZE dcim_sites, dcim_racks, dcim_devices')
  } finally {
    await sql.end()
  }
}

export interface FleetBound {
  groups: number
  /** devices that run (a group's devices after its first failure are skipped and cost nothing) */
  devicesRun: number
  /** the longest group: its devices' summed latencies, up to and including its first failure */
  longestGroupMs: number
  /** every device that runs, summed */
  totalMs: number
  /** max(longest group, total / concurrency): no schedule can end before it */
  boundMs: number
  /**
   * The makespan of the lanes' own claim order (largest group first, then by key) with no cost but the devices':
   * what Loom's scheduling alone would take; between it and the bound is the claim order, beyond it the overhead.
   */
  claimOrderMs: number
  /**
   * Longest group first by its actual duration, with no overhead: a scheduler that knew the latencies in advance. No
   * real one does; between it and claimOrderMs is what not knowing them costs.
   */
  clairvoyantMs: number
}

/** The lower bound of a fleet task's makespan, from the simulator's seeded outcomes. */
export function fleetLowerBound(devices: readonly FleetDevice[], profile: FleetSimulatorProfile, version: string, policyName: string, concurrency: number): FleetBound {
  const policy = FLEET_POLICIES[policyName]
  const plan = planRollout(devices, policy)
  const groups = new Map<string, { size: number; ms: number; stopped: boolean }>()
  let devicesRun = 0
  // plan.devices come group by group, each group in its order.
  for (const d of plan.devices) {
    let g = groups.get(d.group)
    if (!g) groups.set(d.group, (g = { size: 0, ms: 0, stopped: false }))
    g.size++
    if (g.stopped) continue
    const outcome = d.os_version === version ? { latency_ms: 0, fails: false } : simulatedOutcome(profile, d.name, version)
    g.ms += outcome.latency_ms
    devicesRun++
    if (outcome.fails && policy.stopGroupOnFailure) g.stopped = true
  }
  const all = [...groups.entries()]
  const longestGroupMs = Math.max(0, ...all.map(([, g]) => g.ms))
  const totalMs = all.reduce((n, [, g]) => n + g.ms, 0)
  // The claim order: ORDER BY size DESC, key; each free lane takes the next group.
  const listSchedule = (durations: number[]) => {
    const lanes = Array.from({ length: Math.min(concurrency, durations.length) }, () => 0)
    for (const ms of durations) {
      let free = 0
      for (let i = 1; i < lanes.length; i++) if (lanes[i] < lanes[free]) free = i
      lanes[free] += ms
    }
    return Math.max(0, ...lanes)
  }
  const claimOrder = [...all].sort(([ka, a], [kb, b]) => b.size - a.size || (ka < kb ? -1 : ka > kb ? 1 : 0)).map(([, g]) => g.ms)
  return {
    groups: all.length,
    devicesRun,
    longestGroupMs,
    totalMs,
    boundMs: Math.max(longestGroupMs, totalMs / concurrency),
    claimOrderMs: listSchedule(claimOrder),
    clairvoyantMs: listSchedule(all.map(([, g]) => g.ms).sort((a, b) => b - a)),
  }
}

export interface Spread {
  mean: number
  p50: number
  p95: number
  n: number
}

const spread = (values: number[]): Spread => {
  const v = [...values].sort((a, b) => a - b)
  const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : NaN)
  return { mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN, p50: at(0.5), p95: at(0.95), n: v.length }
}

/** Where a run's time went, from the plan's timestamps (claimed_at, started_at, finished_at; ms precision). */
export interface FleetBreakdown {
  lanes: number
  /** POST → the first group claimed: the gateway, the workflow's start, the plan, the lanes' start */
  startMs: number
  /** per device, its time from started_at to finished_at beyond the simulated latency: the HTTP call, the DCIM update, the outcome's UPDATE */
  perDevice: Spread
  /** per group, claimed_at → its first device's started_at: the group's device read, a heartbeat */
  claimToStart: Spread
  /** within a group, a device's finished_at → the next one's started_at */
  withinGroup: Spread
  /** per lane, the last device of a group finished → the next group claimed: the group marked done, the next claim */
  betweenGroups: Spread
  /** the last device finished → completed_at: the lanes' end, the report, the process's end */
  endMs: number
  /** the simulated latencies summed over every lane, against lanes × makespan */
  busy: number
}

export async function fleetBreakdown(databaseUrl: string, processId: string, profile: FleetSimulatorProfile, version: string, postedAt: number, completedAt: number): Promise<FleetBreakdown> {
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  try {
    const groups = (
      await sql.query<{ key: string; wave: number; lane: number | null; claimed_at: Date | null }>(`SELECT key, wave, lane, claimed_at FROM fleet_groups WHERE process_id = $1`, [processId])
    ).rows
    const devices = (
      await sql.query<{ device: string; group_key: string; wave: number; position: number; outcome: string | null; changed: boolean | null; started_at: Date | null; finished_at: Date | null }>(
        `SELECT device, group_key, wave, position, outcome, changed, started_at, finished_at FROM fleet_task_devices WHERE process_id = $1 AND started_at IS NOT NULL ORDER BY group_key, wave, position`,
        [processId],
      )
    ).rows
    const latency = (d: (typeof devices)[number]) => (d.changed === false ? 0 : simulatedOutcome(profile, d.device, version).latency_ms)
    const byGroup = new Map<string, typeof devices>()
    for (const d of devices) byGroup.set(`${d.group_key}\0${d.wave}`, [...(byGroup.get(`${d.group_key}\0${d.wave}`) ?? []), d])
    const perDevice = devices.map((d) => d.finished_at!.getTime() - d.started_at!.getTime() - latency(d))
    const claimToStart: number[] = []
    const withinGroup: number[] = []
    const lanes = new Map<number, { claimed: number; last: number }[]>()
    for (const g of groups) {
      const members = byGroup.get(`${g.key}\0${g.wave}`) ?? []
      if (!g.claimed_at || !members.length) continue
      claimToStart.push(members[0].started_at!.getTime() - g.claimed_at.getTime())
      for (let i = 1; i < members.length; i++) withinGroup.push(members[i].started_at!.getTime() - members[i - 1].finished_at!.getTime())
      const lane = lanes.get(g.lane ?? -1) ?? []
      lane.push({ claimed: g.claimed_at.getTime(), last: Math.max(...members.map((m) => m.finished_at!.getTime())) })
      lanes.set(g.lane ?? -1, lane)
    }
    const betweenGroups: number[] = []
    for (const lane of lanes.values()) {
      lane.sort((a, b) => a.claimed - b.claimed)
      for (let i = 1; i < lane.length; i++) betweenGroups.push(lane[i].claimed - lane[i - 1].last)
    }
    const claims = groups.filter((g) => g.claimed_at).map((g) => g.claimed_at!.getTime())
    const lastFinished = Math.max(...devices.map((d) => d.finished_at!.getTime()))
    const worked = devices.reduce((n, d) => n + latency(d), 0)
    return {
      lanes: lanes.size,
      startMs: Math.min(...claims) - postedAt,
      perDevice: spread(perDevice),
      claimToStart: spread(claimToStart),
      withinGroup: spread(withinGroup),
      betweenGroups: spread(betweenGroups),
      endMs: completedAt - lastFinished,
      busy: worked / (lanes.size * (completedAt - postedAt)),
    }
  } finally {
    await sql.end()
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100

/** CPU seconds (user + system) a process has spent; NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS
  } catch {
    return NaN
  }
}

/** The children of `parent` whose command name contains `name` (e.g. the Temporal dev server this process started). */
export function childPids(parent: number, name: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === parent && comm.includes(name)) found.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

/** The whole machine's busy and total CPU seconds so far (/proc/stat), to tell how loaded it was meanwhile. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  const busy = user + nice + system + irq + softirq + steal
  return { busy: busy / TICKS, total: (busy + idle + iowait) / TICKS }
}

/** Transactions committed in the database so far (pg_stat_database: each autocommit statement is one). */
export async function databaseCommits(databaseUrl: string): Promise<number> {
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  try {
    // The statistics reach shared memory within a second of a backend going idle.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    return Number((await sql.query<{ n: string }>(`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`)).rows[0].n)
  } finally {
    await sql.end()
  }
}

/** The PostgreSQL backends serving `databaseUrl` (the worker's and gateway's pools), and the CPU they have spent. */
export async function databaseBackendsCpu(databaseUrl: string): Promise<Map<number, number>> {
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  try {
    const pids = (await sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid)
    return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]))
  } finally {
    await sql.end()
  }
}

/** CPU seconds the backends spent between two readings (a backend that came meanwhile counts from its start). */
export function backendsSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0
  for (const [pid, seconds] of after) if (Number.isFinite(seconds)) spent += seconds - (before.get(pid) ?? 0)
  return spent
}
