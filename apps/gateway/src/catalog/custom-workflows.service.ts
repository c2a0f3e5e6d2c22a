import { Injectable, NotFoundException } from '@nestjs/common'
import { createHash } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import type { CustomWorkflowDetailDto, CustomWorkflowDto, CustomWorkflowVersionDto, Page, PageQueryDto, ProcessStartedDto } from '#contracts/index.js'
import { escapeMarkdown } from '#domain/index.js'
import { isUniqueViolation, type Prisma, PrismaService } from '#persistence/index.js'
import { checkDefinition } from '#workflows/custom/check.js'
import { formOf } from '#workflows/custom/compile.js'
import type { CustomDefinition } from '#workflows/custom/definition.js'
import * as NAMES from '#workflows/names.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { afterPosition, decodeCursor, DEFAULT_LIMIT, pageOf, parseSort } from '../http/pagination.js'
import { FieldErrorsException } from '../http/problem.js'
import { ProcessesService } from '../processes/processes.service.js'
import { scopeLabel, tenantWhere, type TenantScope } from '../auth/tenant-scope.js'
import type { CustomStartable } from '../workflows/workflow-catalog.service.js'
import { CustomDeclarations } from './custom-declarations.js'

/** Far below Temporal's payload limit: the definition travels in every custom process's start. */
const MAX_DEFINITION_BYTES = 64 * 1024
export const CUSTOM_WORKFLOW_SORTS = { name: { field: 'name' }, created_at: { field: 'createdAt', dates: true }, updated_at: { field: 'updatedAt', dates: true } }

/** Names the worker serves as code: a custom workflow may not take one (nor the interpreter's own). */
const CODE_WORKFLOWS: ReadonlySet<string> = new Set([...WORKFLOW_DECLARATIONS.map((d) => d.name), ...Object.values(NAMES)])

type WorkflowRow = Prisma.CustomWorkflowGetPayload<object>
type VersionRow = Prisma.CustomWorkflowVersionGetPayload<object>

export interface Registered {
  version: CustomWorkflowVersionDto
  /** false: the same content was registered before, and this is that version */
  created: boolean
}

/** Custom workflows: definitions as data, versioned, run by the interpreter through ProcessesService.start. */
@Injectable()
export class CustomWorkflowsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly processes: ProcessesService,
    private readonly declarations: CustomDeclarations,
  ) {}

  /** New content makes the next version; the content of the latest version again answers it, unchanged. */
  async register(body: unknown, caller: VerifiedCaller, tenant: string): Promise<Registered> {
    if (Buffer.byteLength(JSON.stringify(body ?? null)) > MAX_DEFINITION_BYTES) {
      throw new FieldErrorsException(422, [{ path: '', message: `a definition is at most ${MAX_DEFINITION_BYTES / 1024} KiB` }], 'definition')
    }
    const checked = checkDefinition(body, CODE_WORKFLOWS)
    if (!checked.ok) throw new FieldErrorsException(422, checked.errors, 'definition')
    const definition = checked.definition
    const hash = definitionHash(definition)
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.prisma.$transaction((tx) => this.store(tx, tenant, definition, hash, caller.user))
      } catch (error) {
        // Two first registrations of one name at once: the loser finds the winner's row on its second try.
        if (isUniqueViolation(error) && attempt === 0) continue
        throw error
      }
    }
  }

  private async store(tx: Prisma.TransactionClient, tenant: string, definition: CustomDefinition, hash: string, user: string): Promise<Registered> {
    const [existing] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM custom_workflows WHERE tenant_id = ${tenant} AND name = ${definition.name} AND deleted_at IS NULL FOR UPDATE`
    if (existing) {
      const workflow = await tx.customWorkflow.findUniqueOrThrow({ where: { id: existing.id } })
      const latest = await tx.customWorkflowVersion.findUniqueOrThrow({ where: { workflowId_version: { workflowId: workflow.id, version: workflow.latestVersion } } })
      if (latest.definitionHash === hash) return { version: versionDto(workflow.name, latest), created: false }
      const row = await tx.customWorkflowVersion.create({ data: { id: uuidv7(), workflowId: workflow.id, version: workflow.latestVersion + 1, definition: definition as unknown as Prisma.InputJsonObject, definitionHash: hash, createdBy: user } })
      await tx.customWorkflow.update({ where: { id: workflow.id }, data: { latestVersion: row.version, description: definition.description } })
      return { version: versionDto(workflow.name, row), created: true }
    }
    const workflowId = uuidv7()
    await tx.customWorkflow.create({ data: { id: workflowId, tenantId: tenant, name: definition.name, description: definition.description, latestVersion: 1, createdBy: user } })
    const row = await tx.customWorkflowVersion.create({ data: { id: uuidv7(), workflowId, version: 1, definition: definition as unknown as Prisma.InputJsonObject, definitionHash: hash, createdBy: user } })
    return { version: versionDto(definition.name, row), created: true }
  }

  async list(query: PageQueryDto, scope: TenantScope): Promise<Page<CustomWorkflowDto> & { tenant_scope: 'all' | string[] }> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort ?? 'name', CUSTOM_WORKFLOW_SORTS)
    const live: Prisma.CustomWorkflowWhereInput = { ...tenantWhere(scope), deletedAt: null }
    const where: Prisma.CustomWorkflowWhereInput = { AND: [live, ...afterPosition(sort, decodeCursor(query.cursor, sort))] }
    const [rows, total] = await Promise.all([
      this.prisma.customWorkflow.findMany({ where, orderBy: [{ [sort.field]: sort.direction }, { id: sort.direction }], take: limit + 1 }),
      this.prisma.customWorkflow.count({ where: live }),
    ])
    const page = pageOf(rows, limit, total, sort)
    return { ...page, items: page.items.map(workflowDto), tenant_scope: scopeLabel(scope) }
  }

  async get(name: string, tenant: string): Promise<CustomWorkflowDetailDto> {
    const row = await this.find(name, tenant)
    const versions = await this.prisma.customWorkflowVersion.findMany({ where: { workflowId: row.id }, orderBy: { version: 'asc' } })
    return { ...workflowDto(row), versions: versions.map((v) => ({ version: v.version, definition_hash: v.definitionHash, created_by: v.createdBy, created_at: v.createdAt.toISOString() })) }
  }

  async version(name: string, version: number, tenant: string): Promise<CustomWorkflowVersionDto> {
    return versionDto(name, await this.versionOf(await this.find(name, tenant), version))
  }

  /**
   * What ProcessesService.start needs to start a custom workflow, from `name` (its latest version) or `name@N` (a
   * service's `definition_source` with `wfe_type: "custom"`): 404 for a name or version the tenant does not have.
   */
  async startable(source: string, tenant: string): Promise<CustomStartable> {
    const at = source.lastIndexOf('@')
    const pinned = at >= 0 && /^[1-9]\d{0,8}$/.test(source.slice(at + 1)) ? Number(source.slice(at + 1)) : undefined
    const workflow = await this.find(pinned === undefined ? source : source.slice(0, at), tenant)
    const row = await this.versionOf(workflow, pinned ?? workflow.latestVersion)
    const definition = row.definition as unknown as CustomDefinition
    const declaration = this.declarations.of(row)
    const summary = escapeMarkdown(`Custom workflow ${workflow.name} v${row.version}`)
    return {
      declaration,
      form: { workflow: workflow.name, pages: [() => Promise.resolve(formOf(definition.input))], claims: () => [], customerId: () => '', summary: () => summary },
      versionId: row.id,
      run: { definition, version: row.version },
    }
  }

  /** Starts the latest version, as POST /api/processes/{workflow} starts a code workflow (same checks, same answer). */
  async start(name: string, answers: unknown, caller: VerifiedCaller, idempotencyKey: string | undefined, tenant: string): Promise<ProcessStartedDto & { replayed: boolean }> {
    return this.processes.start(name, answers, caller, idempotencyKey, { tenant, custom: await this.startable(name, tenant) })
  }

  private async find(name: string, tenant: string): Promise<WorkflowRow> {
    const row = await this.prisma.customWorkflow.findFirst({ where: { tenantId: tenant, name, deletedAt: null } })
    if (!row) throw new NotFoundException(`No custom workflow named ${JSON.stringify(name)}; GET /api/catalog/workflows lists them.`)
    return row
  }

  private async versionOf(workflow: WorkflowRow, version: number): Promise<VersionRow> {
    const row = await this.prisma.customWorkflowVersion.findUnique({ where: { workflowId_version: { workflowId: workflow.id, version } } })
    if (!row) throw new NotFoundException(`Custom workflow ${workflow.name} has no version ${version} (the latest is ${workflow.latestVersion}).`)
    return row
  }
}

/** sha256 of the definition with its keys sorted: the same content in another key order is the same version. */
function definitionHash(definition: CustomDefinition): string {
  return createHash('sha256').update(canonical(definition)).digest('hex')
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

function workflowDto(row: WorkflowRow): CustomWorkflowDto {
  return { name: row.name, tenant_id: row.tenantId, description: row.description, latest_version: row.latestVersion, created_by: row.createdBy, created_at: row.createdAt.toISOString(), updated_at: row.updatedAt.toISOString() }
}

function versionDto(name: string, row: VersionRow): CustomWorkflowVersionDto {
  return { name, version: row.version, definition_hash: row.definitionHash, created_by: row.createdBy, created_at: row.createdAt.toISOString(), definition: row.definition as Record<string, unknown> }
}
