import { Inject, Injectable, Optional } from '@nestjs/common'
import { ApplicationFailure, Context } from '@temporalio/activity'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DeviceRole } from '#domain/index.js'
import { CANARY_WAVE, FLEET_DEVICE_CLAIM, FLEET_POLICIES, type FleetDevice, MAIN_WAVE, planRollout } from '#domain/fleet/rollout.js'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { DeviceError } from '#integrations/devices/driver.js'
import { OS_UPGRADER, type OsUpgrader } from '#integrations/devices/os-upgrader.js'
import { type FleetReport, fleetReport, Prisma, PrismaService } from '#persistence/index.js'
import { NODE_PRODUCT } from '#domain/products/node/index.js'
import { NodeConfigActivities } from '../node/node-config.activities.js'
import { reported } from '../reported.js'
import { type DeviceOutcome, FleetQueue, type OutcomeBatch, type QueuedDevice } from './fleet-queue.js'
import type { StepContext } from '../processes/step-context.js'

/** upgrade_os: each device's OS (params.version); deploy_config: each active node's configuration onto its router, verified. */
export type FleetOperation = 'upgrade_os' | 'deploy_config'

export interface FleetTaskOptions {
  operation: FleetOperation
  params: Record<string, unknown>
  filter_sites?: string[]
  filter_dev_types?: string[]
  policy: string
  concurrency: number
  max_down_per_site?: number
  halt_failure_rate?: number
  halt_min_devices: number
  /** devices in the canary wave (0: none) */
  canary: number
}

export interface FleetPlan {
  devices: number
  /** groups to run in each wave: [canary, main] */
  groups_per_wave: [number, number]
}

export interface LaneSummary {
  lane: number
  groups: number
  devices: number
  /** why the wave halted, when it did */
  halted: string | null
}

/** Tries a device that does not answer this many times (waiting 1 s, 2 s, …) before it counts as failed. */
const UNREACHABLE_TRIES = 3
/** A lane heartbeats this often (the SDK sends at most one per 80 % of the heartbeat timeout). */
const HEARTBEAT_MS = 2_000
/** the most groups a lane claims at once (many short groups: fewer round trips) */
const MAX_CLAIM = 25
/** how long a lane waits before it asks again for a place at a site (with as much jitter) */
const SITE_WAIT_MS = 50

interface TaskRow {
  operation: FleetOperation
  params: Record<string, unknown>
  policy: string
  max_down_per_site: number | null
  halt_failure_rate: number | null
  halt_min_devices: number
  round: number
}

/**
 * Fleet tasks (upgrade_os, deploy_config): a plan in the database, and lanes that work it off. Each lane is one
 * long activity that claims a group, runs its devices one at a time and records each outcome before it takes the
 * next; a retried lane (its worker died) takes up its claimed group at the first device without an outcome. The
 * device call is idempotent by (task, device) — a device whose upgrade was under way when the worker died is joined,
 * not upgraded again; a configuration applied again changes nothing — so no device is changed twice.
 */
@Injectable()
export class FleetActivities {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(DCIM) private readonly dcim: Dcim,
    @Optional() @Inject(OS_UPGRADER) private readonly upgrader: OsUpgrader | null,
    private readonly nodes: NodeConfigActivities,
  ) {}

  /** Selects the devices and records the plan; a retry finds the plan made and answers from it. */
  async planFleetTask(input: StepContext & FleetTaskOptions): Promise<FleetPlan> {
    const policy = FLEET_POLICIES[input.policy]
    if (!policy) throw ApplicationFailure.nonRetryable(`no fleet policy ${input.policy}`, 'DomainError')
    if (input.operation === 'upgrade_os' && !this.upgrader) {
      throw ApplicationFailure.nonRetryable('no OS upgrader is configured: set LOOM_FLEET_SIMULATOR_URL (npm start sets it with LOOM_DEMO_FLEET=acme), then retry', 'DomainError')
    }
    if (!(await this.prisma.fleetTask.findUnique({ where: { processId: input.process_id } }))) {
      let found = await reported(this.dcim.devices({ sites: input.filter_sites, roles: input.filter_dev_types as DeviceRole[] | undefined }))
      if (input.operation === 'deploy_config') {
        const nodes = new Set((await this.activeNodes()).keys())
        found = found.filter((d) => nodes.has(d.name))
      }
      const devices: FleetDevice[] = found.map((d) => ({ name: d.name, site: d.site, dev_type: d.role, rack: d.rack, os_version: d.os_version }))
      const plan = planRollout(devices, policy, input.canary)
      const expected = await this.expectedDurations(input.operation, devices.map((d) => d.name))
      const weights = new Map<string, number>()
      for (const d of plan.devices) weights.set(`${d.wave}\n${d.group}`, (weights.get(`${d.wave}\n${d.group}`) ?? 0) + expected(d.name))
      const weightOf = (group: string, wave: number) => weights.get(`${wave}\n${group}`) ?? 0
      await this.prisma.$transaction(async (tx) => {
        await tx.fleetTask.create({
          data: {
            processId: input.process_id,
            operation: input.operation,
            params: input.params as Prisma.InputJsonObject,
            policy: input.policy,
            concurrency: input.concurrency,
            maxDownPerSite: input.max_down_per_site ?? null,
            haltFailureRate: input.halt_failure_rate ?? null,
            haltMinDevices: input.halt_min_devices,
          },
        })
        const g = plan.groups
        await tx.$executeRaw`
          INSERT INTO fleet_groups (process_id, key, wave, site, size, weight)
          SELECT ${input.process_id}::uuid, * FROM unnest(${g.map((x) => x.key)}::text[], ${g.map((x) => x.wave)}::int[], ${g.map((x) => x.site)}::text[], ${g.map((x) => x.size)}::int[],
            ${g.map((x) => weightOf(x.key, x.wave))}::float8[])`
        const d = plan.devices
        await holdDevices(tx, input.process_id, d.map((x) => x.name))
        await tx.$executeRaw`
          INSERT INTO fleet_task_devices (process_id, device, site, dev_type, rack, group_key, position, wave, os_version)
          SELECT ${input.process_id}::uuid, * FROM unnest(${d.map((x) => x.name)}::text[], ${d.map((x) => x.site)}::text[], ${d.map((x) => x.dev_type)}::text[],
            ${d.map((x) => x.rack)}::text[], ${d.map((x) => x.group)}::text[], ${d.map((x) => x.position)}::int[], ${d.map((x) => x.wave)}::int[], ${d.map((x) => x.os_version)}::text[])`
      })
      // The claims' plans need to know the tables hold thousands of new rows, not the none they had.
      await this.prisma.$executeRawUnsafe('ANALYZE fleet_groups, fleet_task_devices')
    }
    const rows = await this.prisma.fleetGroup.groupBy({ by: ['wave'], where: { processId: input.process_id }, _count: { _all: true } })
    const groupsIn = (wave: number) => rows.find((r) => r.wave === wave)?._count._all ?? 0
    const devices = await this.prisma.fleetTaskDevice.count({ where: { processId: input.process_id } })
    return { devices, groups_per_wave: [groupsIn(CANARY_WAVE), groupsIn(MAIN_WAVE)] }
  }

  /**
   * Begins (or, after a halt, resumes) a wave: the halt is lifted and a new round counts the failure rate afresh (a
   * retried call only starts the count once more, before any device ran).
   */
  async startFleetWave(input: StepContext): Promise<void> {
    await this.prisma.fleetTask.update({ where: { processId: input.process_id }, data: { halted: null, round: { increment: 1 } } })
  }

  /**
   * One lane: claims groups of the wave until none is left or the wave halts. Where a halt can happen (a canary wave,
   * a failure-rate threshold) each outcome is written before the next device, so that every lane sees the rate;
   * otherwise outcomes are written in batches (FleetQueue). Claims come one group at a time while few are pending
   * (the longest first), several at once while many are.
   */
  async runFleetLane(input: StepContext & { wave: number; lane: number; lanes: number }): Promise<LaneSummary> {
    const ctx = Context.current()
    const task = await this.task(input.process_id)
    const queue = new FleetQueue(this.prisma.pool, input.process_id, input.wave)
    const batch = queue.batch(task.round, input.lanes, (versions) => reported(this.dcim.setDeviceOsVersions(versions)))
    const summary: LaneSummary = { lane: input.lane, groups: 0, devices: 0, halted: null }
    // One heartbeat timer per lane, saying where it is: a dead worker is noticed within one heartbeat timeout.
    let at: Record<string, string> = { lane: String(input.lane) }
    const beat = setInterval(() => ctx.heartbeat(at), HEARTBEAT_MS)
    try {
      return await this.workLane(input, task, queue, batch, summary, (where) => (at = where))
    } finally {
      clearInterval(beat)
    }
  }

  private async workLane(
    input: StepContext & { wave: number; lane: number; lanes: number },
    task: TaskRow,
    queue: FleetQueue,
    batch: OutcomeBatch,
    summary: LaneSummary,
    at: (where: Record<string, string>) => void,
  ): Promise<LaneSummary> {
    const ctx = Context.current()
    const policy = FLEET_POLICIES[task.policy]
    const halts = input.wave === CANARY_WAVE || task.halt_failure_rate !== null
    let groups = await queue.claimedBy(input.lane)
    let claimSize = 1
    for (;;) {
      if (!groups.length) {
        // A site's place is free once its groups are written done: before a claim that counts them, write.
        if (task.max_down_per_site !== null) await batch.flush()
        const claimed = await queue.claim(input.lane, claimSize, task.max_down_per_site)
        if (!claimed.groups.length && !claimed.pending) break
        if (!claimed.groups.length) {
          // What is left waits for a place at its site: ask again shortly.
          at({ lane: String(input.lane), waiting: 'for a place at a site (max_down_per_site)' })
          if (ctx.cancellationSignal.aborted) await ctx.cancelled
          await sleep(SITE_WAIT_MS + Math.random() * SITE_WAIT_MS)
          continue
        }
        groups = claimed.groups
        claimSize = task.max_down_per_site === null ? Math.max(1, Math.min(MAX_CLAIM, Math.floor(claimed.pending / (input.lanes * 3)))) : 1
      }
      const devices = await queue.devicesOf(groups)
      for (const [i, group] of groups.entries()) {
        for (const d of devices.get(group)!) {
          if (ctx.cancellationSignal.aborted) {
            await batch.flush()
            await queue.release(groups.slice(i))
            await ctx.cancelled
          }
          if (halts && (summary.halted = await this.haltedReason(input.process_id))) {
            await batch.flush()
            await queue.release(groups.slice(i))
            return summary
          }
          at({ lane: String(input.lane), group, device: d.device })
          const { outcome, version } = await this.runDevice(input.process_id, task, d)
          batch.add(outcome, version)
          summary.devices++
          if (halts) await batch.flush()
          if (outcome.outcome === 'failed') {
            if (halts) await this.haltIfTooManyFail(input.process_id, task, d)
            if (policy.stopGroupOnFailure) {
              // The seed's runner: the rest of the group is skipped, in this wave and the next.
              batch.skipRest(group)
              break
            }
          }
        }
        batch.groupDone(group)
        summary.groups++
        if (batch.due) await batch.flush()
      }
      groups = []
    }
    await batch.flush()
    return summary
  }

  /**
   * How long each device is expected to take: its last run of this operation in an earlier task (one that did
   * something: changed, or failed); devices never seen, the median of those seen; with none seen, 1 each — then
   * the longest group is the largest.
   */
  private async expectedDurations(operation: FleetOperation, devices: string[]): Promise<(device: string) => number> {
    const { rows } = await this.prisma.pool.query<{ device: string; ms: number }>(
      `SELECT DISTINCT ON (d.device) d.device, extract(epoch FROM d.finished_at - d.started_at)::float8 * 1000 AS ms
       FROM fleet_task_devices d JOIN fleet_tasks t ON t.process_id = d.process_id
       WHERE d.device = ANY($1::text[]) AND t.operation = $2 AND d.started_at IS NOT NULL AND (d.outcome = 'failed' OR d.changed)
       ORDER BY d.device, d.finished_at DESC`,
      [devices, operation],
    )
    const known = new Map(rows.map((r) => [r.device, r.ms]))
    const sorted = [...known.values()].sort((a, b) => a - b)
    const fallback = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 1
    return (device) => known.get(device) ?? fallback
  }

  /** completed / failed / skipped, as the seed's orchestrator answers. */
  async fleetReport(input: StepContext): Promise<{ report: FleetReport }> {
    return { report: await fleetReport(this.prisma, input.process_id) }
  }

  /** The report, and the devices free for other fleet tasks (an abort or a failure frees them with the process's other claims). */
  async finishFleetTask(input: StepContext): Promise<{ report: FleetReport }> {
    await this.prisma.resourceClaim.deleteMany({ where: { processId: input.process_id, resourceType: FLEET_DEVICE_CLAIM } })
    return this.fleetReport(input)
  }

  /** Runs the task's operation on one device: its outcome, and the version it runs when that changed. */
  private async runDevice(processId: string, task: TaskRow, d: QueuedDevice): Promise<{ outcome: DeviceOutcome; version?: string }> {
    const started_at = new Date()
    try {
      const done = await this.whileUnreachable(() => (task.operation === 'deploy_config' ? this.deploy(processId, d) : this.upgrade(processId, task, d)))
      const outcome: DeviceOutcome = { device: d.device, outcome: 'completed', changed: done.changed, from_version: done.from_version, error: null, started_at, finished_at: new Date() }
      return { outcome, version: done.changed ? done.version : undefined }
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error // the database, a bug: the lane is retried and takes up here
      return { outcome: { device: d.device, outcome: 'failed', changed: null, from_version: null, error: error.message, started_at, finished_at: new Date() } }
    }
  }

  /** Tries `call` again while the device does not answer (1 s, 2 s, …); then it counts as failed. */
  private async whileUnreachable<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call()
      } catch (error) {
        if (!(error instanceof DeviceError) || error.kind !== 'unreachable' || attempt >= UNREACHABLE_TRIES) throw error
        await sleep(1_000 * attempt)
      }
    }
  }

  /**
   * The request id is the same on every try and every retry of the lane: the device joins an upgrade it is already
   * running. The inventory records the version with the outcome (OutcomeBatch).
   */
  private async upgrade(processId: string, task: TaskRow, d: QueuedDevice): Promise<{ changed: boolean; from_version: string | null; version?: string }> {
    if (!this.upgrader) throw ApplicationFailure.nonRetryable('no OS upgrader is configured (LOOM_FLEET_SIMULATOR_URL)', 'DomainError')
    return this.upgrader.upgrade({ name: d.device, os_version: d.os_version }, String(task.params.version), `${processId}:${d.device}`)
  }

  /** The router's configuration as its node's model renders it, verified; the same again changes nothing. */
  private async deploy(processId: string, d: QueuedDevice): Promise<{ changed: boolean; from_version: null; version?: string }> {
    const node = (await this.activeNodes(d.device)).get(d.device)
    if (!node) throw new DeviceError('operation_failed', `${d.device} backs no active node subscription any more`)
    const done = await this.nodes.deployNode({ process_id: processId, step: `deploy_${d.device}`, started_at: new Date().toISOString(), node_subscription_id: node })
    return { changed: done.changed, from_version: null }
  }

  /** Active node subscriptions by the device they run on (one device's, or all). */
  private async activeNodes(device?: string): Promise<Map<string, string>> {
    const rows = await this.prisma.$queryRaw<{ id: string; device: string }[]>`
      SELECT id::text, domain_model->'node'->>'device_name' AS device FROM subscriptions
      WHERE product = ${NODE_PRODUCT} AND lifecycle = 'active' ${device === undefined ? Prisma.empty : Prisma.sql`AND domain_model->'node'->>'device_name' = ${device}`}`
    return new Map(rows.map((r) => [r.device, r.id]))
  }

  /**
   * Halts the wave when its failure rate since the last (re)start passes the task's threshold; in a canary wave
   * any failure halts — that is what a canary is for.
   */
  private async haltIfTooManyFail(processId: string, task: TaskRow, d: QueuedDevice): Promise<void> {
    const [counts] = await this.prisma.$queryRaw<{ failed: number; attempted: number }[]>`
      SELECT count(*) FILTER (WHERE outcome = 'failed')::int AS failed, count(*) FILTER (WHERE outcome IN ('completed', 'failed'))::int AS attempted
      FROM fleet_task_devices WHERE process_id = ${processId}::uuid AND wave = ${d.wave} AND round = ${task.round}`
    let reason: string | null = null
    if (d.wave === CANARY_WAVE) reason = `the canary wave halted: ${d.device} failed (${counts.failed} of ${counts.attempted} canary devices failed so far)`
    else if (task.halt_failure_rate !== null && counts.attempted >= task.halt_min_devices && counts.failed / counts.attempted > task.halt_failure_rate) {
      reason = `the rollout halted: ${counts.failed} of ${counts.attempted} devices failed (${percent(counts.failed / counts.attempted)} > ${percent(task.halt_failure_rate)}), the last ${d.device}`
    }
    if (reason) await this.prisma.fleetTask.updateMany({ where: { processId, halted: null }, data: { halted: reason } })
  }

  private async haltedReason(processId: string): Promise<string | null> {
    return (await this.prisma.fleetTask.findUniqueOrThrow({ where: { processId }, select: { halted: true } })).halted
  }

  private async task(processId: string): Promise<TaskRow> {
    const t = await this.prisma.fleetTask.findUniqueOrThrow({ where: { processId } })
    return {
      operation: t.operation as FleetOperation,
      params: t.params as TaskRow['params'],
      policy: t.policy,
      max_down_per_site: t.maxDownPerSite,
      halt_failure_rate: t.haltFailureRate,
      halt_min_devices: t.haltMinDevices,
      round: t.round,
    }
  }
}

/**
 * Holds the task's devices (resource claims, as a start form's): a device is in one unfinished fleet task at a time,
 * so that two tasks never work on it at once. Devices another task holds refuse the plan, naming it.
 */
async function holdDevices(tx: Prisma.TransactionClient, processId: string, devices: string[]): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO resource_claims (resource_type, resource_key, process_id)
    SELECT ${FLEET_DEVICE_CLAIM}, device, ${processId}::uuid FROM unnest(${devices}::text[]) AS device
    ON CONFLICT (resource_type, resource_key) DO NOTHING`
  const held = await tx.resourceClaim.findMany({ where: { resourceType: FLEET_DEVICE_CLAIM, resourceKey: { in: devices }, processId: { not: processId } }, select: { resourceKey: true, processId: true } })
  if (held.length) {
    const tasks = [...new Set(held.map((h) => h.processId))]
    throw ApplicationFailure.nonRetryable(
      `${held.length} of the devices are in fleet task${tasks.length > 1 ? 's' : ''} ${tasks.join(', ')} (${held.slice(0, 3).map((h) => h.resourceKey).join(', ')}${held.length > 3 ? ', …' : ''}), which has not ended: retry once it has, or abort it`,
      'Conflict',
    )
  }
}

const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`
