import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common'
import { type ScheduleDescription, type ScheduleHandle, ScheduleNotFoundError, type ScheduleSummary } from '@temporalio/client'
import { msToNumber } from '@temporalio/common/lib/time'
import { v7 as uuidv7 } from 'uuid'
import type { LoomConfig } from '#config/index.js'
import type { Page, ScheduleCreateDto, ScheduleDto } from '#contracts/index.js'
import { RUN_SCHEDULED_TASK } from '#workflows/names.js'
import type { ScheduledTaskArgs } from '#workflows/tasks/scheduled-task.workflow.js'
import { wholeList } from '../http/pagination.js'
import { FieldErrorsException } from '../http/problem.js'
import { TemporalService } from '../temporal/temporal.module.js'
import { LOOM_CONFIG } from '../tokens.js'
import { WorkflowCatalog } from '../workflows/workflow-catalog.service.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { lacks, startPermissionOf } from '../auth/permissions.js'
import { MessageSigner } from '#persistence/index.js'
import { DEFAULT_TENANT, inScope, scopeLabel, type TenantScope } from '../auth/tenant-scope.js'

/** Loom's schedules among whatever else the namespace holds. */
const PREFIX = 'loom-'
/** schedules one person may have: a script gone wrong must not fill Temporal with them */
const MAX_SCHEDULES_PER_CREATOR = 20

interface ScheduleMemo {
  workflow: string
  input: Record<string, unknown>
  every: string | null
  cron: string | null
  description: string | null
  created_by: string
  /** absent on schedules made before tenancy: `default` */
  tenant_id?: string
}

/** Temporal Schedules that start Loom workflows through the API (run_scheduled_task), managed as Loom resources. */
/** gRPC's status code for a request the server refuses as malformed */
const GRPC_INVALID_ARGUMENT = 3

@Injectable()
export class SchedulesService {
  constructor(
    private readonly temporal: TemporalService,
    private readonly catalog: WorkflowCatalog,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
    private readonly signer: MessageSigner,
  ) {}

  async create(body: ScheduleCreateDto, caller: VerifiedCaller, tenant: string): Promise<ScheduleDto> {
    const user = caller.user
    const errors = []
    if (!body.every === !body.cron) errors.push({ path: 'every', message: 'give exactly one of every and cron' })
    if (body.every) {
      let ms = NaN
      try {
        ms = msToNumber(body.every)
      } catch {
        // reported below
      }
      const min = this.config.auth.scheduleMinSeconds
      if (!(ms >= min * 1000)) errors.push({ path: 'every', message: `${JSON.stringify(body.every)} is not a duration of at least ${min} s (LOOM_SCHEDULE_MIN_SECONDS), e.g. "30 minutes" or "1 day"` })
    }
    // A cron of six or seven fields starts with seconds: runs more than once a minute.
    if (body.cron && body.cron.trim().split(/\s+/).length > 5 && this.config.auth.scheduleMinSeconds >= 60) {
      errors.push({ path: 'cron', message: 'a seconds field runs more often than once a minute (LOOM_SCHEDULE_MIN_SECONDS); give 5 fields' })
    }
    if (errors.length) throw new FieldErrorsException(422, errors, 'schedule')
    const own = (await this.list({ all: true })).items.filter((s) => s.created_by === user).length
    if (own >= MAX_SCHEDULES_PER_CREATOR) throw new ConflictException(`${user} has ${own} schedules already, the most one person may have; delete one first.`)
    const { declaration, form } = this.catalog.startable(body.workflow)
    // Each run starts it for the creator: they must be allowed to start it themselves.
    const needed = startPermissionOf(declaration.target)
    if (!caller.permissions.has(needed)) throw new ForbiddenException(`Scheduling ${body.workflow}: ${lacks(caller, needed)}`)
    const input = (await this.catalog.validate(form, body.input ?? {}, { tenants: [tenant] })) as Record<string, unknown>
    const id = `${PREFIX}${uuidv7()}`
    const memo: ScheduleMemo = { workflow: body.workflow, input, every: body.every ?? null, cron: body.cron ?? null, description: body.description ?? null, created_by: user, tenant_id: tenant }
    // Signed: a run acts for its creator, in their tenant, with the worker's service key, so its arguments must be the gateway's.
    const scheduled = { workflow: body.workflow, input, created_by: user, tenant_id: tenant }
    const args: ScheduledTaskArgs = { schedule_id: id, ...scheduled, signature: await this.signer.sign(id, 'schedule', scheduled) }
    await this.temporal.client.schedule
      .create({
        scheduleId: id,
        spec: body.every ? { intervals: [{ every: body.every as never }] } : { cronExpressions: [body.cron!] },
        action: { type: 'startWorkflow', workflowType: RUN_SCHEDULED_TASK, args: [args], taskQueue: this.config.taskQueue },
        memo: memo as unknown as Record<string, unknown>,
        state: { note: body.description ?? `${body.workflow}, created by ${user} through the Loom API` },
      })
      .catch((error: Error) => {
        // A cron expression Temporal cannot parse (gRPC INVALID_ARGUMENT) is the caller's mistake.
        const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code
        if (code === GRPC_INVALID_ARGUMENT || /invalid|cron/i.test(error.message)) throw new FieldErrorsException(422, [{ path: 'cron', message: error.message }], 'schedule')
        throw new ServiceUnavailableException(`cannot create the schedule on Temporal: ${error.message}`)
      })
    return this.get(id, { tenants: [tenant] })
  }

  async list(scope: TenantScope): Promise<Page<ScheduleDto>> {
    const items: ScheduleDto[] = []
    for await (const summary of this.temporal.client.schedule.list()) {
      if (summary.scheduleId.startsWith(PREFIX)) items.push(toDto(summary))
    }
    const seen = items.filter((s) => inScope(scope, s.tenant_id))
    seen.sort((a, b) => a.id.localeCompare(b.id))
    return { ...wholeList(seen), tenant_scope: scopeLabel(scope) }
  }

  /** A schedule in the scope; one of another tenant is as unknown as one that does not exist. */
  async get(id: string, scope: TenantScope): Promise<ScheduleDto> {
    const schedule = toDto(await this.describe(id))
    if (!inScope(scope, schedule.tenant_id)) throw new NotFoundException(`No schedule ${id}.`)
    return schedule
  }

  async delete(id: string, scope: TenantScope): Promise<void> {
    await this.get(id, scope)
    await this.onSchedule(id, (handle) => handle.delete())
  }

  private describe(id: string): Promise<ScheduleDescription> {
    return this.onSchedule(id, (handle) => handle.describe())
  }

  /** One call on a Loom schedule; an unknown one is a 404. */
  private async onSchedule<T>(id: string, call: (handle: ScheduleHandle) => Promise<T>): Promise<T> {
    if (!id.startsWith(PREFIX)) throw new NotFoundException(`No schedule ${id}.`)
    try {
      return await call(this.temporal.client.schedule.getHandle(id))
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new NotFoundException(`No schedule ${id}.`)
      throw error
    }
  }
}

function toDto(s: ScheduleSummary | ScheduleDescription): ScheduleDto {
  const memo = (s.memo ?? {}) as unknown as ScheduleMemo
  return {
    id: s.scheduleId,
    workflow: memo.workflow,
    input: memo.input ?? {},
    every: memo.every ?? null,
    cron: memo.cron ?? null,
    description: memo.description ?? null,
    created_by: memo.created_by,
    tenant_id: memo.tenant_id ?? DEFAULT_TENANT,
    next_runs: (s.info.nextActionTimes ?? []).map((t) => t.toISOString()),
    recent_runs: (s.info.recentActions ?? []).map((a) => a.takenAt.toISOString()),
  }
}
