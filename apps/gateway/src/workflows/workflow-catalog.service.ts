import { Inject, Injectable, NotFoundException } from '@nestjs/common'
import type { z } from 'zod'
import type { LoomConfig } from '../../../../libs/config/src/index.js'
import { type FormContext, START_FORMS, type StartForm } from '../../../../libs/contracts/src/forms/index.js'
import type { WorkflowDto } from '../../../../libs/contracts/src/index.js'
import { DCIM, type Dcim } from '../../../../libs/integrations/src/dcim/dcim.js'
import { PrismaService } from '../../../../libs/persistence/src/index.js'
import { allSteps, type EngineStep, type WorkflowDeclaration } from '../../../../libs/workflows/src/engine/declaration.js'
import { fieldErrors } from '../../../../libs/workflows/src/engine/zod-errors.js'
import { WORKFLOW_DECLARATIONS } from '../../../../libs/workflows/src/registry.js'
import { FieldErrorsException } from '../http/problem.js'
import { LOOM_CONFIG, WORKFLOWS } from '../tokens.js'
import { describeSteps } from './step-description.js'

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

/** The workflows Loom knows, their forms, and the choices those forms offer (computed here, never in workflow code). */
@Injectable()
export class WorkflowCatalog implements FormContext {
  readonly defaultCustomerId: string

  constructor(
    private readonly prisma: PrismaService,
    @Inject(DCIM) private readonly dcim: Dcim,
    @Inject(LOOM_CONFIG) config: LoomConfig,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowSet,
  ) {
    this.defaultCustomerId = config.defaultCustomerId
  }

  list(): WorkflowDto[] {
    return this.workflows.declarations.map((d) => this.describe(d))
  }

  get(name: string): WorkflowDto {
    return this.describe(this.declaration(name))
  }

  declaration(name: string): WorkflowDeclaration {
    const found = this.workflows.declarations.find((d) => d.name === name)
    if (!found) throw new NotFoundException(`No workflow named ${JSON.stringify(name)}; GET /api/workflows lists them.`)
    return found
  }

  startable(name: string): Startable {
    const declaration = this.declaration(name)
    const form = this.workflows.startForms.find((f) => f.workflow === name) as StartForm<unknown> | undefined
    if (!form) throw new NotFoundException(`Workflow ${name} is not started through /api/processes (it has no start form).`)
    return { declaration, form }
  }

  /** A declared step of a workflow, at any depth; undefined for a compensation or an unknown name. */
  step(workflow: string, name: string): EngineStep | undefined {
    return allSteps(this.declaration(workflow).steps).find((s) => s.name === name)
  }

  /** Every step name a process of the workflow can log, in order: the declared steps, then their compensations (newest first). */
  logOrder(workflow: string): { step: EngineStep; compensation: boolean }[] {
    const steps = allSteps(this.declaration(workflow).steps)
    const undo = steps.filter((s) => 'compensate' in s && s.compensate).reverse()
    return [...steps.map((step) => ({ step, compensation: false })), ...undo.map((step) => ({ step, compensation: true }))]
  }

  async formSchema(name: string): Promise<z.ZodType> {
    return this.startable(name).form.schema(this)
  }

  /** Validates answers with the form's schema: the parsed input, or a 422 listing every field at fault. */
  async validate(form: StartForm<unknown>, answers: unknown): Promise<unknown> {
    const parsed = (await form.schema(this)).safeParse(answers ?? {})
    if (!parsed.success) throw new FieldErrorsException(422, fieldErrors(parsed.error), 'form')
    return parsed.data
  }

  async liveSubscriptions(product: string): Promise<{ id: string; description: string }[]> {
    return this.prisma.subscription.findMany({ where: { product, lifecycle: { not: 'terminated' } }, select: { id: true, description: true }, orderBy: { description: 'asc' } })
  }

  /** Planned devices of the configured DCIM that no process has claimed. */
  async freePlannedDevices(): Promise<string[]> {
    const [planned, claims] = await Promise.all([
      this.dcim.devices({ status: 'planned' }),
      this.prisma.resourceClaim.findMany({ where: { resourceType: 'dcim_device' }, select: { resourceKey: true } }),
    ])
    const claimed = new Set(claims.map((c) => c.resourceKey))
    return planned.map((d) => d.name).filter((name) => !claimed.has(name))
  }

  private describe(d: WorkflowDeclaration): WorkflowDto {
    return {
      name: d.name,
      target: d.target,
      product: d.product,
      description: d.description,
      startable: this.workflows.startForms.some((f) => f.workflow === d.name),
      steps: describeSteps(d.steps),
    }
  }
}
