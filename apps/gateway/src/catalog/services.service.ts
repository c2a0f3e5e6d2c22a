import { ConflictException, Injectable, NotFoundException } from '@nestjs/common'
import { createHash } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import type { StartForm } from '#contracts/forms/index.js'
import type { FieldErrorDto, Page, ServiceCreateDto, ServiceDto, ServiceListQueryDto, ServicePatchDto, ServiceWorkflowDto, ServiceWorkflowViewDto } from '#contracts/index.js'
import { isUniqueViolation, Prisma, PrismaService } from '#persistence/index.js'
import { afterPosition, decodeCursor, DEFAULT_LIMIT, pageOf, parseSort } from '../http/pagination.js'
import { FieldErrorsException } from '../http/problem.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { actingTenant, namedTenants, scopeLabel, tenantWhere, type TenantScope } from '../auth/tenant-scope.js'
import { WorkflowCatalog } from '../workflows/workflow-catalog.service.js'
import { compileInput, formFields, inputProblems } from './service-input.js'
import { CustomWorkflowsService } from './custom-workflows.service.js'

export const SERVICE_SORTS = { created_at: { field: 'createdAt', dates: true }, name: { field: 'name' } }
/** how many running instances a refused delete names */
const NAMED = 10

type Row = Prisma.CatalogServiceGetPayload<object>
type Registered = { service: ServiceDto; created: boolean }

/** What a service runs, as registered: code workflows today (wfe_type loom, or the seed's st2). */
interface Definition {
  name: string
  description: string
  group: string
  input: Record<string, unknown> | null
  workflows: ServiceWorkflowViewDto[]
}

/** The service catalogue: named offers that run Loom workflows with an input schema of their own (seed 004). */
@Injectable()
export class ServicesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly catalog: WorkflowCatalog,
    private readonly customs: CustomWorkflowsService,
  ) {}

  async list(query: ServiceListQueryDto, scope: TenantScope): Promise<Page<ServiceDto> & { tenant_scope: 'all' | string[] }> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort, SERVICE_SORTS)
    const filter: Prisma.CatalogServiceWhereInput = { deletedAt: null, ...tenantWhere(scope), ...(query.group ? { groupName: query.group } : {}), ...(query.name ? { name: query.name } : {}) }
    const where: Prisma.CatalogServiceWhereInput = { AND: [filter, ...afterPosition(sort, decodeCursor(query.cursor, sort))] }
    const [rows, total] = await Promise.all([
      this.prisma.catalogService.findMany({ where, orderBy: [{ [sort.field]: sort.direction }, { id: sort.direction }], take: limit + 1 }),
      this.prisma.catalogService.count({ where: filter }),
    ])
    const page = pageOf(rows, limit, total, sort)
    return { ...page, items: await this.views(page.items), tenant_scope: scopeLabel(scope) }
  }

  async get(id: string, scope: TenantScope): Promise<ServiceDto> {
    return (await this.views([await this.row(id, scope)]))[0]
  }

  /** A live service of the scope's tenants, or a 404 (another tenant's is not there for this caller). */
  async row(id: string, scope: TenantScope): Promise<Row> {
    const row = await this.prisma.catalogService.findFirst({ where: { id, deletedAt: null, ...tenantWhere(scope) } })
    if (!row) throw new NotFoundException(`No service ${id}; GET /api/catalog/services lists them.`)
    return row
  }

  /**
   * Registers a service. The same name with the same content again answers the service as it is (created: false),
   * so that a loop that retries after a timeout registers each once; other content under a taken name is a 409.
   */
  async create(body: ServiceCreateDto, caller: VerifiedCaller, header?: string): Promise<Registered> {
    const tenantId = await this.tenantOf(body, caller, header)
    const definition = await this.checked(definitionOf(body), tenantId)
    const hash = contentHash(definition)
    const same = () => this.sameName(tenantId, definition.name, hash)
    const earlier = await same()
    if (earlier) return earlier
    try {
      const row = await this.prisma.catalogService.create({ data: { id: uuidv7(), tenantId, ...columnsOf(definition), contentHash: hash, createdBy: caller.user } })
      return { service: (await this.views([row]))[0], created: true }
    } catch (error) {
      // Two registrations of one name at once: the one that lost answers as a repeat would.
      if (isUniqueViolation(error)) return (await same()) ?? this.nameTaken(tenantId, definition.name)
      throw error
    }
  }

  /**
   * The tenant a registration acts in: the body's tenant_id (the seed's field) or X-Loom-Tenant — one the caller may
   * act in (403 otherwise), that exists (422) — else the caller's only tenant.
   */
  private async tenantOf(body: ServiceCreateDto, caller: VerifiedCaller, header: string | undefined): Promise<string> {
    const named = namedTenants(undefined, header)
    if (named && (named.length > 1 || (body.tenant_id !== undefined && named[0] !== body.tenant_id))) {
      throw new FieldErrorsException(422, [{ path: 'tenant_id', message: `names one tenant to register in; X-Loom-Tenant says ${header}` }], 'service')
    }
    const tenantId = actingTenant(caller, body.tenant_id ?? named?.[0])
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) {
      throw new FieldErrorsException(422, [{ path: 'tenant_id', message: `no tenant ${tenantId}: an administrator makes it with POST /api/tenants` }], 'service')
    }
    return tenantId
  }

  /** PUT: the whole service again. */
  async replace(id: string, body: ServiceCreateDto, scope: TenantScope): Promise<ServiceDto> {
    const row = await this.row(id, scope)
    if (body.tenant_id !== undefined && body.tenant_id !== row.tenantId) {
      throw new FieldErrorsException(422, [{ path: 'tenant_id', message: `a service stays in its tenant (${row.tenantId}): register it anew in another` }], 'service')
    }
    return this.update(row, await this.checked(definitionOf(body), row.tenantId))
  }

  /** PATCH: only the fields given change; the result is checked whole. */
  async patch(id: string, body: ServicePatchDto, scope: TenantScope): Promise<ServiceDto> {
    const row = await this.row(id, scope)
    const now = definitionOfRow(row)
    return this.update(
      row,
      await this.checked({
        name: body.name ?? now.name,
        description: body.description ?? now.description,
        group: body.group ?? now.group,
        input: body.input === undefined ? now.input : body.input === '' ? null : body.input,
        workflows: body.workflows ? body.workflows.map(workflowOf) : now.workflows,
      }, row.tenantId),
    )
  }

  /** Deleted (kept for the instances that ran it); refused while any instance of it runs. */
  async remove(id: string, scope: TenantScope): Promise<void> {
    await this.row(id, scope)
    await this.prisma.$transaction(async (tx) => {
      // FOR UPDATE: an instance starting now (FOR KEY SHARE in its start) either comes first and is seen, or waits and finds the service gone.
      const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM catalog_services WHERE id = ${id}::uuid AND deleted_at IS NULL FOR UPDATE`
      if (!row) throw new NotFoundException(`No service ${id}; GET /api/catalog/services lists them.`)
      const running = await tx.catalogInstance.findMany({ where: { serviceId: id, process: { completedAt: null } }, select: { id: true }, orderBy: { createdAt: 'asc' } })
      if (running.length) {
        const named = running.slice(0, NAMED).map((i) => i.id).join(', ')
        throw new ConflictException(
          `Service ${id} has ${running.length} running instance${running.length === 1 ? '' : 's'} (${named}${running.length > NAMED ? `, and ${running.length - NAMED} more` : ''}); delete them (DELETE /api/catalog/instances/{id} aborts one) or let them end first.`,
        )
      }
      await tx.catalogService.update({ where: { id }, data: { deletedAt: new Date() } })
    })
  }

  private async update(row: Row, definition: Definition): Promise<ServiceDto> {
    try {
      const updated = await this.prisma.catalogService.update({ where: { id: row.id }, data: { ...columnsOf(definition), contentHash: contentHash(definition) } })
      return (await this.views([updated]))[0]
    } catch (error) {
      if (isUniqueViolation(error)) return this.nameTaken(row.tenantId, definition.name)
      throw error
    }
  }

  private async sameName(tenantId: string, name: string, hash: string): Promise<Registered | undefined> {
    const row = await this.prisma.catalogService.findFirst({ where: { tenantId, name, deletedAt: null } })
    if (!row) return undefined
    if (row.contentHash !== hash) return this.nameTaken(tenantId, name, row.id)
    return { service: (await this.views([row]))[0], created: false }
  }

  private async nameTaken(tenantId: string, name: string, id?: string): Promise<never> {
    id ??= (await this.prisma.catalogService.findFirst({ where: { tenantId, name, deletedAt: null }, select: { id: true } }))?.id
    throw new ConflictException(`A service named ${JSON.stringify(name)} exists already in tenant ${tenantId} (${id ?? 'just registered'}) with other content: change it with PUT or PATCH /api/catalog/services/${id ?? '{id}'}, or choose another name.`)
  }

  /**
   * Each workflow must be one the API starts, and the input schema one zod can read whose every field the
   * workflows' start forms take (and which asks for every field they need): a 422 naming each problem.
   */
  private async checked(definition: Definition, tenantId: string): Promise<Definition> {
    const problems: FieldErrorDto[] = []
    const forms: { name: string; form: StartForm<unknown> }[] = []
    for (const [i, w] of definition.workflows.entries()) {
      const form = await this.formOf(w, tenantId)
      if (form) forms.push({ name: w.definition_source, form })
      else {
        const where = w.wfe_type === 'custom' ? `no custom workflow ${w.definition_source} in tenant ${tenantId} (GET /api/catalog/workflows lists them)` : `no workflow ${w.definition_source} is started through the API (GET /api/workflows lists them; a custom workflow needs wfe_type custom)`
        problems.push({ path: `workflows.${i}.definition_source`, message: where })
      }
    }
    const duplicate = definition.workflows.findIndex((w, i) => definition.workflows.findIndex((o) => o.definition_source === w.definition_source) !== i)
    if (duplicate >= 0) problems.push({ path: `workflows.${duplicate}.definition_source`, message: `${definition.workflows[duplicate].definition_source} is named twice` })
    if (definition.input) {
      const compiled = compileInput(definition.input)
      if ('problems' in compiled) problems.push(...compiled.problems)
      else for (const { name, form } of forms) problems.push(...inputProblems(definition.input, name, await formFields(form, this.catalog)))
    }
    if (problems.length) throw new FieldErrorsException(422, problems, 'service')
    return definition
  }

  /** The start form of a service's workflow: a code workflow's, or a custom one's (its version pinned, or the latest); none when there is no such workflow. */
  private async formOf(w: ServiceWorkflowViewDto, tenantId: string): Promise<StartForm<unknown> | undefined> {
    try {
      return w.wfe_type === 'custom' ? (await this.customs.startable(w.definition_source, tenantId)).form : this.catalog.startable(w.definition_source).form
    } catch (error) {
      if (error instanceof NotFoundException) return undefined
      throw error
    }
  }

  /** Rows as the API shows them, with how many instances of each run now. */
  private async views(rows: Row[]): Promise<ServiceDto[]> {
    if (!rows.length) return []
    const running = await this.prisma.catalogInstance.groupBy({ by: ['serviceId'], where: { serviceId: { in: rows.map((r) => r.id) }, process: { completedAt: null } }, _count: { _all: true } })
    const counts = new Map(running.map((r) => [r.serviceId, r._count._all]))
    return rows.map((r) => {
      const d = definitionOfRow(r)
      return {
        id: r.id,
        tenant_id: r.tenantId,
        name: d.name,
        description: d.description,
        group: d.group,
        input: d.input,
        start_form: startFormOf(d.workflows[0]),
        constraint: '',
        workflows: d.workflows,
        user_id: r.createdBy,
        running_instances: counts.get(r.id) ?? 0,
        created_at: r.createdAt.toISOString(),
        updated_at: r.updatedAt.toISOString(),
      }
    })
  }
}

/** Where a service's first workflow's start form is read: a code workflow's form route, or the custom workflow (its input). */
const startFormOf = (w: ServiceWorkflowViewDto) => (w.wfe_type === 'custom' ? `/api/catalog/workflows/${w.definition_source.split('@')[0]}` : `/api/workflows/${w.definition_source}/form`)

const workflowOf = (w: ServiceWorkflowDto): ServiceWorkflowViewDto => ({ definition_source: w.definition_source, wfe_type: w.wfe_type === 'custom' ? 'custom' : 'loom' })

function definitionOf(body: ServiceCreateDto): Definition {
  return {
    name: body.name,
    description: body.description ?? '',
    group: body.group,
    input: body.input || null,
    workflows: body.workflows.map(workflowOf),
  }
}

function definitionOfRow(r: Row): Definition {
  return { name: r.name, description: r.description, group: r.groupName, input: (r.inputSchema as Record<string, unknown> | null) ?? null, workflows: r.workflows as unknown as ServiceWorkflowViewDto[] }
}

function columnsOf(d: Definition) {
  return { name: d.name, description: d.description, groupName: d.group, inputSchema: d.input === null ? Prisma.DbNull : (d.input as Prisma.InputJsonObject), workflows: d.workflows as unknown as Prisma.InputJsonArray }
}

const contentHash = (d: Definition) => createHash('sha256').update(JSON.stringify([d.name, d.description, d.group, d.input, d.workflows])).digest('hex')
