import { Inject, Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import { PRODUCTS } from '#domain/products/catalog.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'
import { MessageSigner, PrismaService, ServiceKey } from '#persistence/index.js'
import { PUBLIC_URL } from '../processes/process.activities.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'

/** Whom a task or schedule says it is, and for whom it acts. */
interface Actor {
  name: string
  actingFor?: string
  /** the tenant it acts in (X-Loom-Tenant): a task or schedule touches its own tenant only */
  tenant?: string
}

export interface Outcome {
  id: string
  /** the HTTP status the API answered */
  status: number
  /** the API's reason when it refused */
  detail?: string
  /** the process it started */
  process_id?: string
}

/**
 * What tasks do to many processes at once. They act through Loom's own API, as any consumer would — with the
 * same checks, locks and log — with the worker's service key, as `task:<process id>` (or `schedule:<id>`) acting
 * for whoever started the task (or created the schedule).
 */
@Injectable()
export class TaskActivities {
  private readonly serviceKey: ServiceKey
  private readonly signer: MessageSigner

  constructor(
    private readonly prisma: PrismaService,
    private readonly steps: StepLog,
    @Inject(PUBLIC_URL) private readonly publicUrl: string,
  ) {
    this.serviceKey = new ServiceKey(prisma)
    this.signer = new MessageSigner(prisma)
  }

  /** Suspended processes of the task's tenant other than the task itself, oldest first. */
  async findSuspendedProcesses(input: StepContext): Promise<{ process_ids: string[] }> {
    const tenantId = await this.tenantOf(input.process_id)
    const rows = await this.prisma.process.findMany({ where: { status: 'suspended', tenantId, id: { not: input.process_id } }, orderBy: { createdAt: 'asc' }, select: { id: true } })
    return { process_ids: rows.map((r) => r.id) }
  }

  /** PUT /resume {} on each: the suspended step runs again. Once per (process, step): a retried task retries nobody twice. */
  async resumeProcesses(input: StepContext & { process_ids: string[] }): Promise<{ resumed: Outcome[] }> {
    return this.steps.onceOutside(input, async () => {
      const actor = await this.taskActor(input.process_id)
      const resumed = await this.each(input.process_ids, (id) => this.call('PUT', `/api/processes/${id}/resume`, {}, actor, id))
      return { result: { resumed }, state_delta: { resumed: resumed.length } }
    })
  }

  /** Active subscriptions of the task's tenant, of products that list a VALIDATE workflow among their workflows, with that workflow. */
  async findSubscriptionsToValidate(input: StepContext): Promise<{ subscriptions: { id: string; workflow: string }[] }> {
    const tenantId = await this.tenantOf(input.process_id)
    const validating = new Set(WORKFLOW_DECLARATIONS.filter((d) => d.target === 'VALIDATE').map((d) => d.name))
    const validators = new Map(PRODUCTS.flatMap((p) => p.workflows.filter((w) => validating.has(w)).map((w) => [p.name, w] as const)))
    const rows = await this.prisma.subscription.findMany({ where: { lifecycle: 'active', tenantId, product: { in: [...validators.keys()] } }, orderBy: { id: 'asc' }, select: { id: true, product: true } })
    return { subscriptions: rows.map((r) => ({ id: r.id, workflow: validators.get(r.product)! })) }
  }

  /** Starts a validate process for each; a subscription another process holds is reported (409), not waited for. */
  async startValidations(input: StepContext & { subscriptions: { id: string; workflow: string }[] }): Promise<{ started: Outcome[] }> {
    return this.steps.onceOutside(input, async () => {
      const actor = await this.taskActor(input.process_id)
      const started = await this.each(input.subscriptions, (s) =>
        this.call('POST', `/api/processes/${s.workflow}`, { subscription_id: s.id }, actor, s.id, `${input.process_id}:${s.id}`),
      )
      return { result: { started }, state_delta: { started: started.filter((o) => o.status === 201).length, refused: started.filter((o) => o.status !== 201).length } }
    })
  }

  /** What a schedule fires: starts the scheduled workflow through the API; the fire's workflow id keys it, so a retry starts nothing twice. */
  async startScheduledProcess(input: { schedule_id: string; workflow: string; input: Record<string, unknown>; fire_id: string; created_by?: string; tenant_id?: string; signature?: string }): Promise<Outcome> {
    // Started by anyone who can start a workflow in Temporal, this would act with the worker's key: only arguments
    // the gateway signed when it created the schedule are acted on.
    const scheduled = { workflow: input.workflow, input: input.input, created_by: input.created_by, tenant_id: input.tenant_id }
    if (!input.signature || !(await this.signer.verify(input.schedule_id, 'schedule', scheduled, input.signature))) {
      throw ApplicationFailure.nonRetryable(`schedule ${input.schedule_id}: its arguments are not the ones the Loom API signed; nothing was started (a schedule made before signing: delete and re-create it)`, 'NotSigned')
    }
    const actor = { name: `schedule:${input.schedule_id}`, actingFor: input.created_by, tenant: input.tenant_id ?? 'default' }
    const outcome = await this.call('POST', `/api/processes/${input.workflow}`, input.input, actor, input.schedule_id, input.fire_id)
    if (outcome.status >= 500) throw ApplicationFailure.retryable(`the API answered ${outcome.status}: ${outcome.detail}`, 'Unavailable')
    return outcome
  }

  private async each<T>(items: readonly T[], call: (item: T) => Promise<Outcome>): Promise<Outcome[]> {
    const out: Outcome[] = []
    // One at a time: a task must not crowd out the API for everyone else.
    for (const item of items) out.push(await call(item))
    return out
  }

  /** A task acts as itself, for whoever started it (or for whom the schedule that started it acts). */
  private async taskActor(processId: string): Promise<Actor> {
    const task = await this.prisma.process.findUniqueOrThrow({ where: { id: processId }, select: { createdBy: true, actingFor: true, tenantId: true } })
    return { name: `task:${processId}`, actingFor: task.actingFor ?? task.createdBy, tenant: task.tenantId }
  }

  private async tenantOf(processId: string): Promise<string> {
    return (await this.prisma.process.findUniqueOrThrow({ where: { id: processId }, select: { tenantId: true } })).tenantId
  }

  private async call(method: string, path: string, body: unknown, actor: Actor, id: string, idempotencyKey?: string): Promise<Outcome> {
    const response = await fetch(`${this.publicUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await this.serviceKey.get()}`,
        'x-loom-on-behalf-of': actor.name,
        ...(actor.actingFor ? { 'x-loom-acting-for': actor.actingFor } : {}),
        ...(actor.tenant ? { 'x-loom-tenant': actor.tenant } : {}),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    }).catch((error: Error) => {
      throw ApplicationFailure.retryable(`the Loom API at ${this.publicUrl} did not answer (LOOM_PUBLIC_URL): ${error.message}`, 'Unavailable')
    })
    const answer = (await response.json().catch(() => ({}))) as { id?: string; detail?: string }
    if (response.status >= 500) throw ApplicationFailure.retryable(`${method} ${path} answered ${response.status}: ${answer.detail ?? ''}`, 'Unavailable')
    if (!response.ok) return { id, status: response.status, detail: answer.detail }
    return { id, status: response.status, ...(method === 'POST' ? { process_id: answer.id } : {}) }
  }
}
