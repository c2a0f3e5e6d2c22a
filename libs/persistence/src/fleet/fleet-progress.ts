// What a fleet task has done so far, read from its plan: the report the seed's orchestrator answers, and the
// progress the API and the CLI show while it runs. The worker writes these rows; everyone else only reads them.
import { byName } from '#domain/fleet/rollout.js'
import type { PrismaService } from '../prisma.service.js'

export interface FleetReport {
  completed: string[]
  failed: string[]
  skipped: string[]
}

export interface FleetProgress {
  operation: string
  params: unknown
  policy: string
  devices: number
  completed: number
  /** completed devices that already ran the version (nothing changed) */
  unchanged: number
  failed: number
  skipped: number
  /** devices with no outcome yet */
  pending: number
  /** running: groups at work (one per lane); claimed: those and the ones lanes have taken to do next */
  groups: { total: number; done: number; running: number; claimed: number }
  /** why the running wave halted (the task is suspended), else null */
  halted: string | null
  /** the groups being worked on now (one per lane), with the device each is at and how far it is */
  running: { group: string; wave: number; device: string | null; done: number; size: number }[]
  /** the failures so far: device and the device's own words */
  failures: { device: string; error: string | null }[]
  /** the report so far, when asked for (a task that has ended, halted or waits) */
  report?: FleetReport
}


/** completed / failed / skipped host names, by site, then by name as people read them (leaf9 before leaf10). */
export async function fleetReport(prisma: PrismaService, processId: string): Promise<FleetReport> {
  const rows = await prisma.fleetTaskDevice.findMany({ where: { processId, outcome: { not: null } }, select: { device: true, site: true, outcome: true } })
  rows.sort((a, b) => byName(a.site, b.site) || byName(a.device, b.device))
  const of = (outcome: string) => rows.filter((r) => r.outcome === outcome).map((r) => r.device)
  return { completed: of('completed'), failed: of('failed'), skipped: of('skipped') }
}

/** null when the process is no fleet task (or has not planned yet). */
export async function fleetProgress(prisma: PrismaService, processId: string, options: { report?: boolean } = {}): Promise<FleetProgress | null> {
  const task = await prisma.fleetTask.findUnique({ where: { processId } })
  if (!task) return null
  const [counts] = await prisma.$queryRaw<{ devices: number; completed: number; unchanged: number; failed: number; skipped: number }[]>`
    SELECT count(*)::int AS devices,
           count(*) FILTER (WHERE outcome = 'completed')::int AS completed,
           count(*) FILTER (WHERE outcome = 'completed' AND changed = false)::int AS unchanged,
           count(*) FILTER (WHERE outcome = 'failed')::int AS failed,
           count(*) FILTER (WHERE outcome = 'skipped')::int AS skipped
    FROM fleet_task_devices WHERE process_id = ${processId}::uuid`
  const groups = await prisma.fleetGroup.groupBy({ by: ['state'], where: { processId }, _count: { _all: true } })
  const inState = (state: string) => groups.find((g) => g.state === state)?._count._all ?? 0
  const running = await prisma.$queryRaw<{ group: string; wave: number; device: string | null; done: number; size: number }[]>`
    SELECT g.key AS "group", g.wave, g.size,
           (SELECT d.device FROM fleet_task_devices d WHERE d.process_id = g.process_id AND d.group_key = g.key AND d.wave = g.wave AND d.outcome IS NULL ORDER BY d.position LIMIT 1) AS device,
           (SELECT count(*)::int FROM fleet_task_devices d WHERE d.process_id = g.process_id AND d.group_key = g.key AND d.wave = g.wave AND d.outcome IS NOT NULL) AS done
    FROM (
      -- A lane claims several short groups at once and works through them in claim order: its first is the one at work.
      SELECT DISTINCT ON (lane) * FROM fleet_groups WHERE process_id = ${processId}::uuid AND state = 'running' ORDER BY lane, weight DESC, key
    ) g`
  running.sort((a, b) => byName(a.group, b.group))
  const failures = await prisma.fleetTaskDevice.findMany({ where: { processId, outcome: 'failed' }, select: { device: true, error: true } })
  failures.sort((a, b) => byName(a.device, b.device))
  return {
    operation: task.operation,
    params: task.params,
    policy: task.policy,
    ...counts,
    pending: counts.devices - counts.completed - counts.failed - counts.skipped,
    groups: { total: groups.reduce((n, g) => n + g._count._all, 0), done: inState('done'), running: running.length, claimed: inState('running') },
    halted: task.halted,
    running,
    failures,
    ...(options.report ? { report: await fleetReport(prisma, processId) } : {}),
  }
}
