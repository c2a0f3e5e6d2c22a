import { ConflictException, Injectable, NotFoundException } from '@nestjs/common'
import type { InstanceDto, InstanceListQueryDto, InstanceRunDto, InstanceStatus, Page, ServiceWorkflowViewDto } from '#contracts/index.js'
import { Prisma, PrismaService } from '#persistence/index.js'
import { fieldErrors } from '#workflows/engine/zod-errors.js'
import { afterPosition, decodeCursor, DEFAULT_LIMIT, pageOf, parseSort } from '../http/pagination.js'
import { FieldErrorsException } from '../http/problem.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { scopeLabel, tenantWhere, type TenantScope } from '../auth/tenant-scope.js'
import { nested, ProcessesService } from '../processes/processes.service.js'
import { compileInput } from './service-input.js'
import { CustomWorkflowsService } from './custom-workflows.service.js'

export const INSTANCE_SORTS = { created_at: { field: 'createdAt', dates: true } }

const INCLUDE = { process: { select: { status: true, updatedAt: true, completedAt: true } }, service: { select: { name: true } } } as const
type Row = Prisma.CatalogInstanceGetPayload<{ include: typeof INCLUDE }>

/** The process statuses behind each instance status (deleting: asked to go while its process ran). */
const PROCESS_STATUSES: Record<Exclude<InstanceStatus, 'deleting'>, Prisma.EnumProcessStatusFilter['in']> = {
  running: ['created', 'running'],
  waiting: ['waiting'],
  suspended: ['suspended'],
  success: ['completed'],
  failed: ['failed'],
  aborted: ['aborted'],
}

/** Shown: not deleted, nor asked to be while its process ran and ended since (an abort that finished). */
const SHOWN: Prisma.CatalogInstanceWhereInput = { deletedAt: null, NOT: { deleteRequestedAt: { not: null }, process: { completedAt: { not: null } } } }

/** Instances of services: each one run of one of its workflows, whose status follows its process. */
@Injectable()
export class InstancesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly processes: ProcessesService,
    private readonly customs: CustomWorkflowsService,
  ) {}

  /**
   * Checks the parameters against the service's input schema and the workflow's start form (422, each field at
   * `parameters.…`), then starts the workflow: the instance is recorded in the process's start transaction, so a
   * start that is refused or forgotten leaves no instance behind.
   */
  async run(body: InstanceRunDto, caller: VerifiedCaller, scope: TenantScope, idempotencyKey?: string): Promise<{ instance: InstanceDto; replayed: boolean }> {
    const service = await this.prisma.catalogService.findFirst({ where: { id: body.service_id, deletedAt: null, ...tenantWhere(scope) } })
    if (!service) throw new FieldErrorsException(422, [{ path: 'service_id', message: `no service ${body.service_id} (GET /api/catalog/services lists them)` }], 'instance')
    const workflows = service.workflows as unknown as ServiceWorkflowViewDto[]
    const action = workflows.find((w) => w.definition_source === body.action)
    if (!action) {
      throw new FieldErrorsException(422, [{ path: 'action', message: `service ${service.name} does not run ${body.action}; it runs ${workflows.map((w) => w.definition_source).join(', ')}` }], 'instance')
    }
    const answers = this.answers(service.inputSchema as Record<string, unknown> | null, body)
    // A custom workflow runs the version the service pins, or the latest one now.
    const custom = action.wfe_type === 'custom' ? await this.customs.startable(action.definition_source, service.tenantId).catch(gone) : undefined
    // The instance and its process belong to the service's tenant.
    let made: Prisma.CatalogInstanceGetPayload<object> | undefined
    const started = await this.processes.start(custom?.form.workflow ?? body.action, answers, caller, idempotencyKey, {
      tenant: service.tenantId,
      custom,
      request: [body.service_id, body.name, body.description ?? ''],
      answersAt: 'parameters',
      within: async (tx, processId) => {
        // KEY SHARE: a delete of the service (FOR UPDATE) waits for this start, then sees its instance running.
        const held = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM catalog_services WHERE id = ${service.id}::uuid AND deleted_at IS NULL FOR KEY SHARE`
        if (!held.length) throw new FieldErrorsException(422, [{ path: 'service_id', message: `service ${service.id} was deleted meanwhile` }], 'instance')
        made = await tx.catalogInstance.create({
          data: { id: processId, tenantId: service.tenantId, serviceId: service.id, action: body.action, name: body.name, description: body.description ?? '', parameters: body.parameters as Prisma.InputJsonObject, createdBy: caller.user },
        })
      },
    })
    // What this request made is answered as it was made (no read back: a start is what 16 clients at once wait on);
    // a repeat's, as it is now.
    if (started.replayed || !made) return { instance: await this.get(started.id, scope), replayed: started.replayed }
    return { instance: toDto({ ...made, process: { status: started.status, updatedAt: made.createdAt, completedAt: null }, service: { name: service.name } }), replayed: false }
  }

  /** The start form's answers: the parameters with the service schema's defaults (the form checks them next). */
  private answers(schema: Record<string, unknown> | null, body: InstanceRunDto): unknown {
    let answers: unknown = body.parameters
    if (schema) {
      const compiled = compileInput(schema)
      if ('problems' in compiled) throw new FieldErrorsException(422, nested('service_id', compiled.problems), 'service')
      const parsed = compiled.validator.safeParse(body.parameters)
      if (!parsed.success) throw new FieldErrorsException(422, nested('parameters', fieldErrors(parsed.error)), 'instance')
      answers = parsed.data
    }
    return answers
  }

  async list(query: InstanceListQueryDto, scope: TenantScope): Promise<Page<InstanceDto> & { tenant_scope: 'all' | string[] }> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort, INSTANCE_SORTS)
    const filter: Prisma.CatalogInstanceWhereInput = { AND: [SHOWN, tenantWhere(scope), ...(query.service_id ? [{ serviceId: query.service_id }] : []), ...(query.status ? [statusFilter(query.status)] : [])] }
    const where: Prisma.CatalogInstanceWhereInput = { AND: [filter, ...afterPosition(sort, decodeCursor(query.cursor, sort))] }
    const [rows, total] = await Promise.all([
      this.prisma.catalogInstance.findMany({ where, include: INCLUDE, orderBy: [{ createdAt: sort.direction }, { id: sort.direction }], take: limit + 1 }),
      this.prisma.catalogInstance.count({ where: filter }),
    ])
    const page = pageOf(rows, limit, total, sort)
    return { ...page, items: page.items.map(toDto), tenant_scope: scopeLabel(scope) }
  }

  async get(id: string, scope: TenantScope): Promise<InstanceDto> {
    return toDto(await this.find(id, scope))
  }

  /**
   * An ended instance goes at once (204). A running one is aborted — its compensations run, newest first — and
   * goes once its process has ended: `deleted` when that happened within the abort's wait, else the instance as it
   * is, `deleting`. Past a point of no return the abort is refused (409) and the instance stays.
   */
  async remove(id: string, caller: VerifiedCaller, scope: TenantScope): Promise<{ deleted: true } | { deleted: false; instance: InstanceDto }> {
    const row = await this.find(id, scope)
    if (row.process.completedAt) {
      await this.prisma.catalogInstance.update({ where: { id }, data: { deletedAt: new Date() } })
      return { deleted: true }
    }
    await this.prisma.catalogInstance.update({ where: { id }, data: { deleteRequestedAt: new Date() } })
    let ended: boolean
    try {
      ended = (await this.processes.abort(id, caller, scope, `instance ${id} deleted by ${caller.user}`)).completed_at !== null
    } catch (error) {
      // It ended by itself meanwhile: nothing to abort, the instance goes.
      if (error instanceof ConflictException && (await this.prisma.process.findUnique({ where: { id }, select: { completedAt: true } }))?.completedAt) ended = true
      else {
        await this.prisma.catalogInstance.update({ where: { id }, data: { deleteRequestedAt: null } })
        throw error
      }
    }
    if (!ended) return { deleted: false, instance: await this.get(id, scope) }
    await this.prisma.catalogInstance.update({ where: { id }, data: { deletedAt: new Date() } })
    return { deleted: true }
  }

  private async find(id: string, scope: TenantScope): Promise<Row> {
    const row = await this.prisma.catalogInstance.findFirst({ where: { AND: [{ id }, SHOWN, tenantWhere(scope)] }, include: INCLUDE })
    if (!row) throw new NotFoundException(`No instance ${id}; GET /api/catalog/instances lists them.`)
    return row
  }
}

/** A service's custom workflow that is no longer there is the request's problem, at `action`. */
function gone(error: unknown): never {
  if (error instanceof NotFoundException) throw new FieldErrorsException(422, [{ path: 'action', message: `${(error as Error).message}` }], 'instance')
  throw error
}

function statusFilter(status: InstanceStatus): Prisma.CatalogInstanceWhereInput {
  if (status === 'deleting') return { deleteRequestedAt: { not: null }, process: { completedAt: null } }
  return { deleteRequestedAt: null, process: { status: { in: PROCESS_STATUSES[status] } } }
}

function statusOf(row: Row): InstanceStatus {
  if (row.deleteRequestedAt && !row.process.completedAt) return 'deleting'
  const found = (Object.entries(PROCESS_STATUSES) as [InstanceStatus, string[]][]).find(([, statuses]) => statuses.includes(row.process.status))
  return found?.[0] ?? 'running'
}

function toDto(r: Row): InstanceDto {
  return {
    id: r.id,
    service_id: r.serviceId,
    service_name: r.service.name,
    tenant_id: r.tenantId,
    name: r.name,
    description: r.description,
    action: r.action,
    parameters: r.parameters as Record<string, unknown>,
    status: statusOf(r),
    process_status: r.process.status,
    process_id: r.id,
    user_id: r.createdBy,
    created_at: r.createdAt.toISOString(),
    updated_at: r.process.updatedAt.toISOString(),
  }
}


