import { Inject, Injectable, Optional } from '@nestjs/common'
import { ApplicationFailure, Context } from '@temporalio/activity'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DeviceRole } from '#domain/index.js'
import { CANARY_WAVE, FLEET_POLICIES, type FleetDevice, MAIN_WAVE, planRollout } from '#domain/fleet/rollout.js'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { DeviceError } from '#integrations/devices/driver.js'
import { OS_UPGRADER, type OsUpgrader } from '#integrations/devices/os-upgrader.js'
import { type FleetReport, fleetReport, Prisma, PrismaService } from '#persistence/index.js'
import { NODE_PRODUCT } from '#domain/products/node/index.js'
import { NodeConfigActivities } from '../node/node-config.activities.js'
import { reported } from '../reported.js'
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
/** A lane heartbeats at least this often while a device is worked on, so that a dead worker is noticed in one heartbeat timeout. */
const HEARTBEAT_MS = 2_000

interface TaskRow {
  operation: FleetOperation
  params: Record<string, unknown>
  policy: string
  max_down_per_site: number | null
  halt_failure_rate: number | null
  halt_min_devices: number
  round: number
}

interface DeviceRow {
  device: string
  site: string
  dev_type: string
  os_version: string | null
  group_key: string
  wave: number
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
          INSERT INTO fleet_groups (process_id, key, wave, site, size)
          SELECT ${input.process_id}::uuid, * FROM unnest(${g.map((x) => x.key)}::text[], ${g.map((x) => x.wave)}::int[], ${g.map((x) => x.site)}::text[], ${g.map((x) => x.size)}::int[])`
        const d = plan.devices
        await tx.$executeRaw`
          INSERT INTO fleet_task_devices (process_id, device, site, dev_type, rack, group_key, position, wave, os_version)
          SELECT ${input.process_id}::uuid, * FROM unnest(${d.map((x) => x.name)}::text[], ${d.map((x) => x.site)}::text[], ${d.map((x) => x.dev_type)}::text[],
            ${d.map((x) => x.rack)}::text[], ${d.map((x) => x.group)}::text[], ${d.map((x) => x.position)}::int[], ${d.map((x) => x.wave)}::int[], ${d.map((x) => x.os_version)}::text[])`
      })
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

  /** One lane: claims groups of the wave until none is left or the wave halts. */
  async runFleetLane(input: StepContext & { wave: number; lane: number }): Promise<LaneSummary> {
    const ctx = Context.current()
    const task = await this.task(input.process_id)
    const policy = FLEET_POLICIES[task.policy]
    const summary: LaneSummary = { lane: input.lane, groups: 0, devices: 0, halted: null }
    for (;;) {
      if (ctx.cancellationSignal.aborted) await ctx.cancelled
      summary.halted = await this.haltedReason(input.process_id, task, input.wave)
      if (summary.halted) return summary
      const group = await this.claim(input.process_id, input.wave, input.lane, task.max_down_per_site)
      if (!group) return summary
      summary.groups++
      const devices = await this.prisma.$queryRaw<DeviceRow[]>`
        SELECT device, site, dev_type, os_version, group_key, wave FROM fleet_task_devices
        WHERE process_id = ${input.process_id}::uuid AND group_key = ${group} AND wave = ${input.wave} AND outcome IS NULL ORDER BY position`
      let stoppedBy: string | null = null
      for (const device of devices) {
        if (ctx.cancellationSignal.aborted) {
          await this.release(input.process_id, group, input.wave)
          await ctx.cancelled
        }
        if ((stoppedBy = await this.haltedReason(input.process_id, task, input.wave))) break
        ctx.heartbeat({ group, device: device.device })
        const failed = await this.runDevice(input.process_id, task, device)
        summary.devices++
        if (failed && policy?.stopGroupOnFailure) {
          // The seed's runner: the rest of the group is skipped, in this wave and the next.
          await this.prisma.$executeRaw`
            UPDATE fleet_task_devices SET outcome = 'skipped', finished_at = now()
            WHERE process_id = ${input.process_id}::uuid AND group_key = ${group} AND outcome IS NULL`
          break
        }
      }
      if (stoppedBy) {
        await this.release(input.process_id, group, input.wave)
        summary.halted = stoppedBy
        return summary
      }
      await this.prisma.fleetGroup.update({ where: { processId_key_wave: { processId: input.process_id, key: group, wave: input.wave } }, data: { state: 'done' } })
    }
  }

  /** completed / failed / skipped, as the seed's orchestrator answers. */
  async fleetReport(input: StepContext): Promise<{ report: FleetReport }> {
    return { report: await fleetReport(this.prisma, input.process_id) }
  }

  /** Runs the task's operation on one device and records its outcome; true when it failed. */
  private async runDevice(processId: string, task: TaskRow, d: DeviceRow): Promise<boolean> {
    const ctx = Context.current()
    const startedAt = new Date()
    const beat = setInterval(() => ctx.heartbeat({ group: d.group_key, device: d.device }), HEARTBEAT_MS)
    let outcome: { outcome: 'completed' | 'failed'; changed: boolean | null; from_version: string | null; error: string | null }
    try {
      const done = await this.whileUnreachable(() => (task.operation === 'deploy_config' ? this.deploy(processId, d) : this.upgrade(processId, task, d)))
      outcome = { outcome: 'completed', changed: done.changed, from_version: done.from_version, error: null }
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error // the database, a bug: the lane is retried and takes up here
      outcome = { outcome: 'failed', changed: false, from_version: null, error: error.message }
    } finally {
      clearInterval(beat)
    }
    await this.prisma.$executeRaw`
      UPDATE fleet_task_devices SET outcome = ${outcome.outcome}::fleet_outcome, changed = ${outcome.changed}, from_version = ${outcome.from_version},
        error = ${outcome.error}, round = ${task.round}, started_at = ${startedAt}, finished_at = now()
      WHERE process_id = ${processId}::uuid AND device = ${d.device} AND outcome IS NULL`
    if (outcome.outcome === 'failed') await this.haltIfTooManyFail(processId, task, d)
    return outcome.outcome === 'failed'
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
   * running. The inventory then records what the device runs; a retry after a crash records it again.
   */
  private async upgrade(processId: string, task: TaskRow, d: DeviceRow): Promise<{ changed: boolean; from_version: string | null }> {
    if (!this.upgrader) throw ApplicationFailure.nonRetryable('no OS upgrader is configured (LOOM_FLEET_SIMULATOR_URL)', 'DomainError')
    const done = await this.upgrader.upgrade({ name: d.device, os_version: d.os_version }, String(task.params.version), `${processId}:${d.device}`)
    if (done.changed) await reported(this.dcim.setDeviceOsVersion(d.device, done.version))
    return done
  }

  /** The router's configuration as its node's model renders it, verified; the same again changes nothing. */
  private async deploy(processId: string, d: DeviceRow): Promise<{ changed: boolean; from_version: null }> {
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
  private async haltIfTooManyFail(processId: string, task: TaskRow, d: DeviceRow): Promise<void> {
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

  /** The halt of the task, read only where one can happen (a canary wave, or a threshold set). */
  private async haltedReason(processId: string, task: TaskRow, wave: number): Promise<string | null> {
    if (wave !== CANARY_WAVE && task.halt_failure_rate === null) return null
    return (await this.prisma.fleetTask.findUniqueOrThrow({ where: { processId }, select: { halted: true } })).halted
  }

  /**
   * The group this lane works on: the one it had claimed (its previous attempt died in it), or the largest pending
   * group of the wave — the longest first, so that the last groups to start are short. With a limit of devices down
   * per site, claims take turns (a lock per task) so that two lanes cannot both take a site's last place.
   */
  private async claim(processId: string, wave: number, lane: number, maxDownPerSite: number | null): Promise<string | null> {
    const [mine] = await this.prisma.$queryRaw<{ key: string }[]>`
      SELECT key FROM fleet_groups WHERE process_id = ${processId}::uuid AND wave = ${wave} AND state = 'running' AND lane = ${lane} LIMIT 1`
    if (mine) return mine.key
    const sitePlace =
      maxDownPerSite === null
        ? Prisma.empty
        : Prisma.sql`AND (SELECT count(*) FROM fleet_groups r WHERE r.process_id = g.process_id AND r.site = g.site AND r.state = 'running') < ${maxDownPerSite}`
    const claimNext = (tx: Pick<PrismaService, '$queryRaw'>) => tx.$queryRaw<{ key: string }[]>`
      UPDATE fleet_groups SET state = 'running', lane = ${lane}, claimed_at = now()
      WHERE (process_id, key, wave) = (
        SELECT process_id, key, wave FROM fleet_groups g
        WHERE g.process_id = ${processId}::uuid AND g.wave = ${wave} AND g.state = 'pending' ${sitePlace}
        ORDER BY g.size DESC, g.key LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING key`
    const [next] =
      maxDownPerSite === null
        ? await claimNext(this.prisma)
        : await this.prisma.$transaction(async (tx) => {
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${processId}))`
            return claimNext(tx)
          })
    return next?.key ?? null
  }

  /** Puts a group back for a later run (a halt, an abort): what is done in it stays done. */
  private async release(processId: string, group: string, wave: number): Promise<void> {
    await this.prisma.fleetGroup.update({ where: { processId_key_wave: { processId, key: group, wave } }, data: { state: 'pending', lane: null } })
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

const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`
