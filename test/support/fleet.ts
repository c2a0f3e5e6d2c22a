// The ACME fleet for fleet-task tests: the simulator that upgrades it, and the report the seed's DC-aware runner
// must give for it, computed from the simulator's seeded outcomes — not from what Loom did.
import { acmeFleet, type AcmeDevice } from '#domain/fleet/acme-fleet.js'
import { byName, FLEET_POLICIES, type FleetDevice, planRollout } from '#domain/fleet/rollout.js'
import { type FleetSimulatorProfile, simulatedOutcome } from '#integrations/devices/fleet-simulator.js'
import { PrismaService, seedAcmeFleet } from '#persistence/index.js'

export interface Report {
  completed: string[]
  failed: string[]
  skipped: string[]
}

export async function loadAcmeFleet(databaseUrl: string): Promise<void> {
  const prisma = new PrismaService(databaseUrl)
  try {
    await seedAcmeFleet(prisma)
  } finally {
    await prisma.$disconnect()
  }
}

export function acmeDevices(filter: { sites?: string[]; dev_types?: string[] } = {}): AcmeDevice[] {
  return acmeFleet().filter((d) => (!filter.sites || filter.sites.includes(d.site)) && (!filter.dev_types || filter.dev_types.includes(d.dev_type)))
}


/**
 * What the seed's runner reports for these devices: per group, in name order, devices complete until the first
 * that fails; the rest of its group is skipped. A device already on the version completes (it is not upgraded).
 */
export function expectedReport(devices: readonly FleetDevice[], profile: FleetSimulatorProfile, version: string, policy = 'dc-aware', upgraded = new Set<string>()): Report {
  const plan = planRollout(devices, FLEET_POLICIES[policy])
  const outcome = new Map<string, keyof Report>()
  const groups = new Map<string, string[]>()
  for (const d of plan.devices) groups.set(d.group, [...(groups.get(d.group) ?? []), d.name])
  for (const members of groups.values()) {
    let failed = false
    for (const name of members) {
      if (failed && FLEET_POLICIES[policy].stopGroupOnFailure) outcome.set(name, 'skipped')
      else if (!upgraded.has(name) && simulatedOutcome(profile, name, version).fails) {
        outcome.set(name, 'failed')
        failed = true
      } else outcome.set(name, 'completed')
    }
  }
  const sorted = [...devices].sort((a, b) => byName(a.site, b.site) || byName(a.name, b.name)).map((d) => d.name)
  return { completed: sorted.filter((n) => outcome.get(n) === 'completed'), failed: sorted.filter((n) => outcome.get(n) === 'failed'), skipped: sorted.filter((n) => outcome.get(n) === 'skipped') }
}

/** A version for which `holds` is true of the devices that would fail: to make a test's failures what it needs. */
export function versionWhere(devices: readonly { name: string }[], profile: FleetSimulatorProfile, holds: (failing: string[]) => boolean): string {
  for (let patch = 0; patch < 10_000; patch++) {
    const version = `6.0.${patch}`
    if (holds(devices.filter((d) => simulatedOutcome(profile, d.name, version).fails).map((d) => d.name))) return version
  }
  throw new Error('no version gives those failures')
}

/** The value of a Prometheus sample in an exposition, e.g. sample(text, 'failed_tasks_per_host_total', {host: 'spine00.mars'}). */
export function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return undefined
}
