import { Inject, Injectable, NotFoundException } from '@nestjs/common'
import type { z } from 'zod'
import type { LoomConfig } from '#config/index.js'
import { type FormContext, START_FORMS, type StartForm } from '#contracts/forms/index.js'
import type { WorkflowDto } from '#contracts/index.js'
import { CUSTOMERS, type CustomerSource } from '#integrations/customers/customers.js'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { PrismaService } from '#persistence/index.js'
import { allSteps, type EngineStep, type WorkflowDeclaration } from '#workflows/engine/declaration.js'
import { fieldErrors } from '#workflows/engine/zod-errors.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'
import type { CustomRun } from '#workflows/custom/definition.js'
import { FieldErrorsException } from '../http/problem.js'
import { LOOM_CONFIG, WORKFLOWS } from '../tokens.js'
import { describeSteps } from './step-description.js'
import { startPermissionOf } from '../auth/permissions.js'
import { type TenantScope, tenantWhere } from '../auth/tenant-scope.js'

/** The workflows a gateway offers: Loom's own, or a test's. */
export interface WorkflowSet {
  declarations: readonly WorkflowDeclaration[]
  startForms: readonly StartForm<never>[]
}

export const LOOM_WORKFLOWS: WorkflowSet = { declarations: WORKFLOW_DECLARATIONS, startForms: START_FORMS }

export interface Startable {
  declaration: WorkflowDeclaration
  form: StartForm<unknown>
}

/** A custom workflow's version, started as the interpreter run_custom_workflow with its definition. */
export interface CustomStartable extends Startable {
  versionId: string
  run: CustomRun
}

/** The workflows Loom knows, their forms, and the choices those forms offer (computed here, never in workflow code). */
@Injectable()
export class WorkflowCatalog implements FormContext {
  readonly defaultCustomerId: string

  constructor(
    private readonly prisma: PrismaService,
    @Inject(DCIM) private readonly dcim: Dcim,
    @Inject(LOOM_CONFIG) config: LoomConfig,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowSet,
    @Inject(CUSTOMERS) private readonly customers: CustomerSource,
  ) {
    this.defaultCustomerId = config.defaultCustomerId
  }

  /** Declarations do not change while the gateway runs: described once, on first use. */
  private described: Map<string, WorkflowDto> | undefined

  list(): WorkflowDto[] {
    return [...this.descriptions().values()]
  }

  get(name: string): WorkflowDto {
    return this.descriptions().get(this.declaration(name).name)!
  }

  private descriptions(): Map<string, WorkflowDto> {
    this.described ??= new Map(this.workflows.declarations.map((d) => [d.name, this.describe(d)]))
    return this.described
  }

  declaration(name: string): WorkflowDeclaration {
    const found = this.workflows.declarations.find((d) => d.name === name)
    if (!found) throw new NotFoundException(`No workflow named ${JSON.stringify(name)}; GET /api/workflows lists them.`)
    return found
  }

  private declarationOf(workflow: string | WorkflowDeclaration): WorkflowDeclaration {
    return typeof workflow === 'string' ? this.declaration(workflow) : workflow
  }

  startable(name: string): Startable {
    const declaration = this.declaration(name)
    const form: StartForm<unknown> | undefined = this.workflows.startForms.find((f) => f.workflow === name)
    if (!form) throw new NotFoundException(`Workflow ${name} is not started through /api/processes (it has no start form).`)
    return { declaration, form }
  }

  /** A declared step of a workflow (by name, or a custom version's declaration), at any depth; undefined for a compensation or an unknown name. */
  step(workflow: string | WorkflowDeclaration, name: string): EngineStep | undefined {
    return allSteps(this.declarationOf(workflow).steps).find((s) => s.name === name)
  }

  /** Every step name a process of the workflow can log, in order: the declared steps, then their compensations (newest first). */
  logOrder(workflow: string | WorkflowDeclaration): { step: EngineStep; compensation: boolean }[] {
    const steps = allSteps(this.declarationOf(workflow).steps)
    const undo = steps.filter((s) => 'compensate' in s && s.compensate).reverse()
    return [...steps.map((step) => ({ step, compensation: false })), ...undo.map((step) => ({ step, compensation: true }))]
  }

  /**
   * Walks a form's pages with the answers so far: each page is built from the answers to the pages before it
   * and checks its own fields (a 422 naming every field at fault). Complete with the parsed input when every
   * page is answered; otherwise the first page not answered yet. Once the last page is reached, fields no page
   * asks for are refused.
   */
  async walk(form: StartForm<unknown>, answers: unknown, scope: TenantScope): Promise<{ complete: true; input: unknown } | { complete: false; page: number; pages: number; schema: z.ZodObject }> {
    if (answers !== undefined && answers !== null && (typeof answers !== 'object' || Array.isArray(answers))) {
      throw new FieldErrorsException(422, [{ path: '', message: 'expected an object of answers' }], 'form')
    }
    const given = (answers ?? {}) as Record<string, unknown>
    const asked = new Set<string>()
    let input: Record<string, unknown> = {}
    const context = this.formContext(scope)
    for (const [i, page] of form.pages.entries()) {
      const schema = await page(context, input)
      const fields = Object.keys(schema.shape)
      fields.forEach((f) => asked.add(f))
      const mine = Object.fromEntries(Object.entries(given).filter(([k]) => fields.includes(k)))
      const last = i === form.pages.length - 1
      // Once every page's fields are known, a field none of them asks for is a mistake.
      const unknown = last ? Object.keys(given).filter((k) => !asked.has(k)) : []
      if (unknown.length) throw new FieldErrorsException(422, unknown.map((path) => ({ path, message: 'is not a field of this form' })), 'form')
      if (i > 0 && Object.keys(mine).length === 0) return { complete: false, page: i + 1, pages: form.pages.length, schema }
      const parsed = schema.safeParse(mine)
      if (!parsed.success) throw new FieldErrorsException(422, fieldErrors(parsed.error), `form (page ${i + 1})`)
      input = { ...input, ...parsed.data }
    }
    await this.assertCustomerKnown(input)
    return { complete: true, input }
  }

  /**
   * A form's `customer_id` must name a customer the customer source knows (built-in: /api/customers), so that a
   * subscription never belongs to a typo and its notifications have someone to go to. Forms without the field
   * (modify, terminate, tasks) are for the customer of the subscription they change.
   */
  private async assertCustomerKnown(input: Record<string, unknown>): Promise<void> {
    const id = input.customer_id
    if (typeof id !== 'string') return
    if (await this.customers.customer(id)) return
    const where = this.customers.kind === 'builtin' ? 'add it with POST /api/customers (GET /api/customers lists them)' : 'the customer system (LOOM_CUSTOMERS_URL) does not know it'
    throw new FieldErrorsException(422, [{ path: 'customer_id', message: `no customer ${JSON.stringify(id)}: ${where}` }], 'form')
  }

  /** The parsed input of a complete form; a 422 naming the fields of the first page not answered. */
  async validate(form: StartForm<unknown>, answers: unknown, scope: TenantScope): Promise<unknown> {
    const walked = await this.walk(form, answers, scope)
    if (walked.complete) return walked.input
    const missing = walked.schema.safeParse({})
    throw new FieldErrorsException(422, missing.success ? [{ path: '', message: `page ${walked.page} is not answered` }] : fieldErrors(missing.error), `form (page ${walked.page})`)
  }

  /**
   * The choices a form offers within these tenants: never another tenant's subscriptions. DCIM and the claims on
   * it are shared by every tenant, so what is free there is free for all.
   */
  formContext(scope: TenantScope): FormContext {
    if ('all' in scope) return this
    return {
      defaultCustomerId: this.defaultCustomerId,
      freePlannedDevices: () => this.freePlannedDevices(),
      interfaces: (device) => this.interfaces(device),
      claimedKeys: (resourceType) => this.claimedKeys(resourceType),
      liveSubscriptions: (product, lifecycle) => this.liveSubscriptions(product, lifecycle, scope),
      subscription: (id) => this.subscription(id, scope),
      freePorts: (node, product) => this.freePorts(node, product, scope),
    }
  }

  async subscription(id: string, scope: TenantScope = { all: true }) {
    const s = await this.prisma.subscription.findFirst({ where: { id, ...tenantWhere(scope) }, select: { id: true, product: true, lifecycle: true, customerId: true, domainModel: true } })
    return s && { id: s.id, product: s.product, lifecycle: s.lifecycle, customer_id: s.customerId, domain_model: s.domainModel as Record<string, unknown> }
  }

  async interfaces(device: string) {
    return (await this.dcim.interfaces(device)).map((i) => ({ interface: i.interface, speed_mbps: i.speed_mbps, status: i.status, description: i.description }))
  }

  async claimedKeys(resourceType: string): Promise<Set<string>> {
    const claims = await this.prisma.resourceClaim.findMany({ where: { resourceType }, select: { resourceKey: true } })
    return new Set(claims.map((c) => c.resourceKey))
  }

  async liveSubscriptions(product: string, lifecycle?: 'active', scope: TenantScope = { all: true }): Promise<{ id: string; description: string }[]> {
    return this.prisma.subscription.findMany({ where: { product, lifecycle: lifecycle ?? { not: 'terminated' }, ...tenantWhere(scope) }, select: { id: true, description: true }, orderBy: { description: 'asc' } })
  }

  async freePorts(node: string, product: string, scope: TenantScope = { all: true }): Promise<{ id: string; description: string }[]> {
    const tenants = 'all' in scope ? null : [...scope.tenants]
    return this.prisma.$queryRaw<{ id: string; description: string }[]>`
      SELECT s.id::text AS id, s.description FROM subscriptions s
      WHERE s.product = ${product} AND s.lifecycle = 'active' AND s.domain_model->'port'->>'node' = ${node}
        AND (${tenants}::text[] IS NULL OR s.tenant_id = ANY(${tenants}::text[]))
        AND NOT EXISTS (SELECT 1 FROM resource_claims c WHERE c.resource_type = 'port_subscription' AND c.resource_key = s.id::text)
      ORDER BY s.description`
  }

  /** Planned devices of the configured DCIM that no process has claimed. */
  async freePlannedDevices(): Promise<string[]> {
    const [planned, claimed] = await Promise.all([this.dcim.devices({ status: 'planned' }), this.claimedKeys('dcim_device')])
    return planned.map((d) => d.name).filter((name) => !claimed.has(name))
  }

  private describe(d: WorkflowDeclaration): WorkflowDto {
    return {
      name: d.name,
      target: d.target,
      product: d.product,
      description: d.description,
      startable: this.workflows.startForms.some((f) => f.workflow === d.name),
      start_permission: startPermissionOf(d.target),
      steps: describeSteps(d.steps),
    }
  }
}
