import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common'
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { temporal } from '@temporalio/proto'
import { createHash } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import type { LoomConfig } from '#config/index.js'
import type { Page, ProcessDto, ProcessListQueryDto, ProcessStartedDto, ProcessSummaryDto } from '#contracts/index.js'
import { escapeMarkdown, SEARCH_ATTRIBUTE } from '#domain/index.js'
import { fleetProgress, forgetUnstarted, isUniqueViolation, type Prisma, lockSubscriptions, markLockedOutOfSync, MessageSigner, PrismaService, SubscriptionLocked } from '#persistence/index.js'
import { callbackTokenHash } from '#activities/processes/process.activities.js'
import {
  abortUpdate,
  callbackUpdate,
  ENDING,
  type FieldError,
  INVALID_ANSWER,
  type LiveProcessState,
  liveStateQuery,
  NOT_ALLOWED,
  NOT_SUSPENDED,
  PAST_NO_RETURN,
  NOT_WAITING,
  pendingInputOf,
  resumeUpdate,
  retryUpdate,
} from '#workflows/engine/messages.js'
import { fieldErrors } from '#workflows/engine/zod-errors.js'
import { decodeCursor, DEFAULT_LIMIT, pageOf, parseSort } from '../http/pagination.js'
import { FieldErrorsException } from '../http/problem.js'
import { checkIdempotencyKey } from '../http/idempotency-key.js'
import { TemporalService } from '../temporal/temporal.module.js'
import { identityOf } from '../auth/auth.decorators.js'
import { lacks, startPermissionOf } from '../auth/permissions.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { LOOM_CONFIG } from '../tokens.js'
import { scopeLabel, type TenantScope, tenantWhere } from '../auth/tenant-scope.js'
import { EngineControl } from '../settings/engine-control.service.js'
import { type CustomStartable, WorkflowCatalog } from '../workflows/workflow-catalog.service.js'
import { CustomDeclarations } from '../catalog/custom-declarations.js'
import type { WorkflowDeclaration } from '#workflows/engine/declaration.js'
import { RUN_CUSTOM_WORKFLOW } from '#workflows/names.js'
import { ProcessEventsService } from './process-events.service.js'
import { processPage } from './process-sql.js'
import { StartRefused, startCheckContext } from './start-check-context.js'
import { type ProcessRow, toProcessDto, toProcessSummary } from './process-view.js'

const SA = SEARCH_ATTRIBUTE
/**
 * Temporal caps a search attribute's value (2 KB by default): a process that locks more subscriptions (a drain of a
 * big node) is searchable by the first ones — the ones its form names come first; its sub-processes by their own.
 */
const MAX_SEARCHABLE_SUBSCRIPTIONS = 40
const LIVE_QUERY_TIMEOUT_MS = 2000
/** less left of that budget than this, and the history is not asked for (the live query used it up: Temporal is away) */
const MIN_HISTORY_MS = 100
/** how long a start waits for Temporal before it answers 503 (and forgets the process it recorded) */
const START_DEADLINE_MS = 10_000
/** how long PUT /abort waits for the compensations before it answers with the process as it is */
const ABORT_WAIT_MS = 30_000
export const PROCESS_SORTS = { created_at: { field: 'createdAt', dates: true }, updated_at: { field: 'updatedAt', dates: true }, workflow: { field: 'workflow' } }
/** What a start says beyond the form's answers. */
export interface StartOptions {
  /** the tenant the process belongs to: the caller's acting tenant (`@ActingTenant()`) */
  tenant: string
  /** runs in the start transaction once the process, its claims and locks are recorded: what it writes is kept or forgotten with them (a catalogue instance) */
  within?: (tx: Prisma.TransactionClient, processId: string) => Promise<void>
  /** what else the request said, for the Idempotency-Key's check that a repeat is the same request */
  request?: unknown
  /** where the answers sit in the request's body (`parameters`): the form's field errors are named from there */
  answersAt?: string
  /** a custom workflow's version to run (CustomWorkflowsService.startable), instead of the code workflow `workflow` names */
  custom?: CustomStartable
}

const INCLUDE = { steps: true, subscriptions: { select: { subscriptionId: true } } } as const

@Injectable()
export class ProcessesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly temporal: TemporalService,
    private readonly catalog: WorkflowCatalog,
    private readonly engine: EngineControl,
    private readonly events: ProcessEventsService,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
    private readonly signer: MessageSigner,
    private readonly customs: CustomDeclarations,
  ) {}

  /**
   * Validates the form; records the process, its resource claims and the locks on the subscriptions it changes,
   * and runs the form's check, in one transaction (a refused claim, lock or check leaves nothing behind); then,
   * holding no database connection, starts the workflow. A start Temporal does not take (down, or no answer in
   * time) forgets the recorded process — unless its workflow took it up meanwhile, which is then the answer.
   * The process belongs to `options.tenant`: its form offers and takes only that tenant's subscriptions, and a
   * subscription it creates belongs to it too.
   */
  async start(workflow: string, answers: unknown, caller: VerifiedCaller, idempotencyKey: string | undefined, options: StartOptions): Promise<ProcessStartedDto & { replayed: boolean }> {
    const custom = options.custom
    const { declaration, form } = custom ?? this.catalog.startable(workflow)
    const needed = startPermissionOf(declaration.target)
    if (!caller.permissions.has(needed)) throw new ForbiddenException(`Starting ${workflow}: ${lacks(caller, needed)}`)
    checkIdempotencyKey(idempotencyKey)
    const user = caller.user
    const requestHash = createHash('sha256').update(JSON.stringify([workflow, answers ?? null, ...(options.request === undefined ? [] : [options.request])])).digest('hex')
    if (idempotencyKey) {
      const earlier = await this.replay(user, idempotencyKey, requestHash)
      if (earlier) return earlier
    }
    const input = await this.catalog.validate(form, answers, { tenants: [options.tenant] }).catch((error: unknown) => {
      if (options.answersAt && error instanceof FieldErrorsException) throw new FieldErrorsException(422, nested(options.answersAt, error.errors), 'request')
      throw error
    })
    const processId = uuidv7()
    const claims = form.claims(input)
    const changes = form.subscriptions?.(input) ?? []
    // A create workflow makes its subscription: the id is chosen here, so that it is searchable from the start.
    const subscriptionId = changes[0] ?? uuidv7()
    let recorded: { locked: string[]; customer: string; product: string }
    try {
      recorded = await this.prisma.$transaction(async (tx) => {
        await this.engine.assertRunning(tx)
        await tx.process.create({
          data: { id: processId, workflow, target: declaration.target, status: 'created', createdBy: user, actingFor: caller.acting_for ?? null, tenantId: options.tenant, workflowVersionId: custom?.versionId ?? null },
        })
        // First of all: a second request with this key waits here for the first to commit, then finds its
        // process — it takes no claim or lock and starts no workflow of its own.
        if (idempotencyKey) await tx.idempotencyKey.create({ data: { createdBy: user, key: idempotencyKey, requestHash, processId, runId: '' } })
        for (const c of claims) await tx.resourceClaim.create({ data: { resourceType: c.resource_type, resourceKey: c.resource_key, processId } })
        // Quietly: the subscriptions show out of sync once the workflow runs, not for a start that may be forgotten.
        await lockSubscriptions(tx, processId, changes, { quietly: true })
        const checks = startCheckContext(tx, processId)
        const found = (await form.foundSubscriptions?.(checks, input))?.filter((id) => !changes.includes(id)) ?? []
        await lockSubscriptions(tx, processId, found, { quietly: true })
        const locked = [...changes, ...found]
        if (locked.length) await tx.processSubscription.createMany({ data: locked.map((id) => ({ processId, subscriptionId: id })) })
        // What the form forbids now (a subscription still in use): checked once this process holds its claims and locks.
        const refusals = form.check ? await form.check(checks, input) : []
        if (refusals.length) throw new StartRefused(workflow, refusals)
        await options.within?.(tx, processId)
        // A process that changes a subscription is for that subscription's customer and product, unless its form says.
        const changed = changes.length ? await tx.subscription.findUniqueOrThrow({ where: { id: subscriptionId }, select: { customerId: true, product: true } }) : null
        return { locked, customer: form.customerId?.(input) ?? changed?.customerId ?? '', product: form.product?.(input) ?? changed?.product ?? declaration.product ?? '' }
      })
    } catch (error) {
      if (isUniqueViolation(error)) {
        const earlier = idempotencyKey ? await this.replay(user, idempotencyKey, requestHash) : undefined
        if (earlier) return earlier
        throw await this.claimConflict(claims, options.tenant)
      }
      if (error instanceof SubscriptionLocked) throw new ConflictException(`${error.message}; try again once it has ended`)
      if (error instanceof StartRefused) throw new ConflictException(`${error.message}.`)
      throw error
    }
    let runId: string
    try {
      const handle = await this.temporal.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.client.workflow.start(custom ? RUN_CUSTOM_WORKFLOW : workflow, {
          workflowId: processId,
          taskQueue: this.config.taskQueue,
          args: [{ process_id: processId, subscription_id: subscriptionId, created_by: user, input, ...custom?.run }],
          typedSearchAttributes: [
            { key: SA.subscriptionIds, value: recorded.locked.length ? recorded.locked.slice(0, MAX_SEARCHABLE_SUBSCRIPTIONS) : [subscriptionId] },
            { key: SA.product, value: recorded.product },
            { key: SA.customer, value: recorded.customer },
            { key: SA.target, value: declaration.target },
            { key: SA.createdBy, value: user },
            { key: SA.status, value: 'created' },
          ],
          staticSummary: form.summary(input),
          staticDetails: `Started by **${escapeMarkdown(user)}** through the Loom API.\n\nProcess: \`/api/processes/${processId}\``,
        }),
      )
      runId = handle.firstExecutionRunId
    } catch (error) {
      // With the database gone too, the worker's reconciler forgets it later (a process no run took up).
      const undone = await forgetUnstarted(this.prisma, processId).catch(() => ({ forgotten: true as const }))
      if (undone.forgotten || !undone.runId) throw new ServiceUnavailableException(`cannot start ${workflow} on Temporal at ${this.temporal.address}: ${(error as Error).message}`)
      runId = undone.runId
    }
    // Best effort, as a start's last words: the workflow marks them itself when it takes the process up.
    await Promise.all([
      markLockedOutOfSync(this.prisma, processId),
      idempotencyKey && this.prisma.idempotencyKey.update({ where: { createdBy_key: { createdBy: user, key: idempotencyKey } }, data: { runId } }),
    ]).catch(() => undefined)
    return { id: processId, status: 'created' as const, workflow_id: processId, run_id: runId, replayed: false }
  }

  async list(query: ProcessListQueryDto, scope: TenantScope): Promise<Page<ProcessSummaryDto>> {
    const limit = query.limit ?? DEFAULT_LIMIT
    const sort = parseSort(query.sort, PROCESS_SORTS)
    const { rows, total } = await processPage(this.prisma.pool, query, scope, sort, decodeCursor(query.cursor, sort), limit)
    const page = pageOf(rows, limit, total, sort)
    return { ...page, items: page.items.map(toProcessSummary), tenant_scope: scopeLabel(scope) }
  }

  async get(id: string, scope: TenantScope): Promise<ProcessDto> {
    const row = await this.find(id, scope)
    const declaration = await this.declarationOf(row)
    // One budget for both calls to Temporal: with it down, the read answers from the log within it.
    const deadline = Date.now() + LIVE_QUERY_TIMEOUT_MS
    const live = row.completedAt ? null : await this.live(id, deadline)
    const state = live ?? this.fromLog(row, declaration)
    // A workflow that cannot run its code (a non-determinism error after a deploy) answers no query: say why.
    const workflowError = live || row.completedAt ? null : await this.workflowTaskFailure(id, deadline)
    // The report only once the task stops (ended, halted, waiting): thousands of names are not resent with every device.
    const fleet = row.target === 'SYSTEM' ? await fleetProgress(this.prisma, id, { report: row.status !== 'running' && row.status !== 'created' }) : null
    return { ...toProcessDto(row, this.catalog.logOrder(declaration), state, this.webUiLink(id)), workflow_error: workflowError, fleet }
  }

  /**
   * Answers the input or approval step the process waits for (validated here and again by the workflow's
   * Update validator), or — when a step is suspended — retries it.
   */
  async resume(id: string, body: unknown, caller: VerifiedCaller, scope: TenantScope): Promise<ProcessDto> {
    const row = await this.find(id, scope)
    const declaration = await this.declarationOf(row)
    const state = await this.state(row, declaration)
    if (row.status === 'suspended' || state?.suspended.length) {
      if (!caller.permissions.has('processes.operate')) throw new ForbiddenException(`Retrying a suspended step: ${lacks(caller, 'processes.operate')}`)
      await this.update(id, async () => this.temporal.client.workflow.getHandle(id).executeUpdate(retryUpdate, await this.signed(id, 'retry', identityOf(caller))))
      return this.get(id, scope)
    }
    const pending = state?.pending_input
    if (!pending) {
      throw new ConflictException(`Process ${id} is ${state ? `running (${state.current_steps.join(', ') || 'between steps'})` : row.status}: nothing to answer or retry.`)
    }
    const declared = this.catalog.step(declaration, pending.step)
    if (declared?.kind === 'approval') {
      if (!caller.roles.includes(declared.role)) {
        throw new ForbiddenException(`${pending.step} may only be answered by someone with role ${declared.role}; ${caller.user} holds ${caller.roles.join(', ') || 'no roles'}.`)
      }
      // Ids are canonical (issuer + subject, key:<owner>): no change of case or display name makes another person.
      if (!declared.self_approval && (caller.user === row.createdBy || caller.user === row.actingFor)) {
        const how = caller.user === row.createdBy ? 'started' : `created the schedule or task (${row.createdBy}) that started`
        throw new ForbiddenException(`${caller.user} ${how} process ${id} and may not approve it (${pending.step}).`)
      }
    } else if (!caller.permissions.has('processes.answer')) {
      throw new ForbiddenException(lacks(caller, 'processes.answer'))
    }
    if (declared?.kind === 'input' || declared?.kind === 'approval') {
      const parsed = declared.answer.safeParse(body ?? {})
      if (!parsed.success) throw new FieldErrorsException(422, fieldErrors(parsed.error), `answer to ${pending.step}`)
    }
    await this.update(id, async () => this.temporal.client.workflow.getHandle(id).executeUpdate(resumeUpdate, await this.signed(id, 'resume', { answer: body ?? {}, step: pending.step, ...identityOf(caller) })))
    return this.get(id, scope)
  }

  /**
   * Aborts: the workflow runs the compensations of the steps that completed, newest first, and ends `aborted`,
   * releasing its locks. Answers once it has ended, or with the process as it is after ABORT_WAIT_MS.
   */
  async abort(id: string, caller: VerifiedCaller, scope: TenantScope, reason?: string): Promise<ProcessDto> {
    const row = await this.find(id, scope)
    if (row.completedAt) throw new ConflictException(`Process ${id} has already ended (${row.status}).`)
    await this.update(id, async () => this.temporal.client.workflow.getHandle(id).executeUpdate(abortUpdate, await this.signed(id, 'abort', { ...identityOf(caller), ...(reason === undefined ? {} : { reason }) })))
    await this.ended(id, ABORT_WAIT_MS)
    return this.get(id, scope)
  }

  /** Resolves once the process has ended (told by the log's notifications, not by polling), or after `timeoutMs`. */
  private ended(id: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let stop: (() => void) | undefined
      let finished = false
      const done = () => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        stop?.()
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      const check = () =>
        void this.prisma.process.findUnique({ where: { id }, select: { completedAt: true } }).then(
          (row) => row?.completedAt && done(),
          () => undefined,
        )
      this.events.follow(id, check).then((following) => {
        if (finished) return following()
        stop = following
        check() // it may have ended before following began
      }, done)
    })
  }

  /**
   * An external system's callback: the token names the process's open callback step (404 otherwise); the body
   * must fit the step's declared schema (422). A token works once.
   */
  async callback(id: string, token: string, body: unknown): Promise<{ step: string }> {
    const open = await this.prisma.processCallback.findFirst({ where: { processId: id, tokenHash: callbackTokenHash(token) }, include: { process: { select: { workflow: true, workflowVersionId: true } } } })
    if (!open) throw new NotFoundException(`Process ${id} has no open callback with this token.`)
    const declared = this.catalog.step(await this.declarationOf(open.process), open.step)
    if (declared?.kind === 'callback') {
      const parsed = declared.answer.safeParse(body ?? {})
      if (!parsed.success) throw new FieldErrorsException(422, fieldErrors(parsed.error), `callback to ${open.step}`)
    }
    await this.update(id, async () => this.temporal.client.workflow.getHandle(id).executeUpdate(callbackUpdate, await this.signed(id, 'callback', { step: open.step, body: body ?? {} })))
    await this.prisma.processCallback.deleteMany({ where: { processId: id, step: open.step, tokenHash: open.tokenHash } })
    return { step: open.step }
  }

  /** A process in the scope; one outside it is as unknown as one that does not exist. */
  private async find(id: string, scope: TenantScope): Promise<ProcessRow> {
    const row = await this.prisma.process.findFirst({ where: { id, ...tenantWhere(scope) }, include: INCLUDE })
    if (!row) throw new NotFoundException(`No process ${id}.`)
    return row
  }

  /**
   * The workflow's live view (current steps, pending input, suspension, state); when no worker answers, what
   * the log tells — a process waiting for input still shows what it waits for. An ended one has none.
   */
  private async state(row: ProcessRow, declaration: WorkflowDeclaration): Promise<LiveProcessState | null> {
    if (row.completedAt) return null
    return (await this.live(row.id)) ?? this.fromLog(row, declaration)
  }

  /** A code workflow's declaration, or the custom workflow version the process runs (compiled as its worker compiled it). */
  private async declarationOf(row: { workflow: string; workflowVersionId: string | null }): Promise<WorkflowDeclaration> {
    return row.workflowVersionId ? this.customs.ofVersion(row.workflowVersionId) : this.catalog.declaration(row.workflow)
  }

  /** What the log alone tells of a waiting process: the step and its form (no worker needed). */
  private fromLog(row: ProcessRow, declaration: WorkflowDeclaration): LiveProcessState | null {
    const waiting = row.status === 'waiting' ? row.steps?.find((s) => s.status === 'waiting') : undefined
    const declared = waiting && this.catalog.step(declaration, waiting.name)
    if (!waiting || !(declared?.kind === 'input' || declared?.kind === 'approval')) return null
    const pending_input = pendingInputOf(declared, (waiting.stateDelta ?? {}) as Record<string, unknown>, null)
    return { current_step: declared.name, current_steps: [declared.name], pending_input, awaiting_callback: [], suspended: [], paused: false, aborting: false, state: {} }
  }

  /** The workflow's own view; null when no worker answers in time. */
  private async live(id: string, deadline = Date.now() + LIVE_QUERY_TIMEOUT_MS): Promise<LiveProcessState | null> {
    try {
      return await this.temporal.client.withDeadline(deadline, () => this.temporal.client.workflow.getHandle(id).query(liveStateQuery))
    } catch {
      return null
    }
  }

  /**
   * The reason the workflow's code last failed to run, when that is where it stands: the last workflow task
   * failed and none completed since (Temporal retries it; the process waits until the code is fixed).
   */
  private async workflowTaskFailure(id: string, deadline: number): Promise<{ cause: string; message: string; non_determinism: boolean } | null> {
    if (deadline - Date.now() < MIN_HISTORY_MS) return null
    try {
      const { events } = await this.temporal.client.withDeadline(deadline, () => this.temporal.client.workflow.getHandle(id).fetchHistory())
      for (const event of [...(events ?? [])].reverse()) {
        if (event.workflowTaskCompletedEventAttributes) return null
        const failed = event.workflowTaskFailedEventAttributes
        if (failed) {
          const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause ?? 0] ?? 'UNSPECIFIED'
          const message = failed.failure?.message ?? ''
          return { cause, message, non_determinism: cause.includes('NON_DETERMINISTIC') || /nondetermin/i.test(message) }
        }
      }
    } catch {
      // Temporal unreachable: nothing more to tell than the log does.
    }
    return null
  }

  /** Sends an Update; the workflow's refusals become 4xx naming why. */
  private async update(id: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send()
    } catch (error) {
      throw this.updateRefusal(id, error)
    }
  }

  private updateRefusal(id: string, error: unknown): Error {
    const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined
    if (cause instanceof ApplicationFailure) {
      if (cause.type === INVALID_ANSWER) return new FieldErrorsException(422, (cause.details?.[0] as FieldError[]) ?? [], 'answer')
      if (cause.type === NOT_ALLOWED) return new ForbiddenException(cause.message)
      if ([NOT_WAITING, NOT_SUSPENDED, ENDING, PAST_NO_RETURN].includes(cause.type ?? '')) return new ConflictException(cause.message)
    }
    if (error instanceof WorkflowNotFoundError) return new ConflictException(`Process ${id} has ended.`)
    return new ServiceUnavailableException(`could not reach process ${id}: ${(error as Error).message}`)
  }

  /**
   * The process an earlier request with this key started; a 422 when that request was a different one. While
   * that request still waits for Temporal this one waits for its outcome (polling, holding no connection): its
   * process, or the 503 it got when Temporal did not take it.
   */
  private async replay(user: string, key: string, requestHash: string): Promise<(ProcessStartedDto & { replayed: boolean }) | undefined> {
    const deadline = Date.now() + START_DEADLINE_MS + 5000
    let seen: string | undefined
    for (;;) {
      const earlier = await this.prisma.idempotencyKey.findUnique({ where: { createdBy_key: { createdBy: user, key } }, include: { process: { select: { status: true, runId: true } } } })
      if (!earlier && seen) throw new ServiceUnavailableException(`the request first sent with this Idempotency-Key could not start its process (${seen}): Temporal did not take it; send the request again`)
      if (!earlier) return undefined
      if (earlier.requestHash !== requestHash) {
        throw new FieldErrorsException(422, [{ path: 'Idempotency-Key', message: `was used for another request (process ${earlier.processId}); send a new key for a new request` }], 'request')
      }
      const runId = earlier.runId || earlier.process.runId
      if (runId) return { id: earlier.processId, status: earlier.process.status, workflow_id: earlier.processId, run_id: runId, replayed: true }
      seen = earlier.processId
      if (Date.now() > deadline) throw new ConflictException(`The request first sent with this Idempotency-Key is still starting process ${seen}; try again in a moment.`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** What holds the claims: named within the tenant, and only as "a process of another tenant" beyond it (claims are global). */
  private async claimConflict(claims: { resource_type: string; resource_key: string }[], tenant: string): Promise<ConflictException> {
    const holders = await this.prisma.resourceClaim.findMany({
      where: { OR: claims.map((c) => ({ resourceType: c.resource_type, resourceKey: c.resource_key })) },
      include: { process: { select: { tenantId: true } } },
    })
    const what = holders.map((h) =>
      h.process.tenantId === tenant
        ? `${h.resourceType} ${h.resourceKey} is held by process ${h.processId}${h.subscriptionId ? ` (subscription ${h.subscriptionId})` : ''}`
        : `${h.resourceType} ${h.resourceKey} is held by a process of another tenant`,
    )
    return new ConflictException(what.length ? `${what.join('; ')}.` : 'A resource this process needs was taken meanwhile; try again.')
  }

  /** A message to a workflow with the gateway's signature: the workflow refuses one without (a raw Update). */
  /**
   * An Update's options with the gateway's signature: over the message and the Update's own id, which Temporal
   * keeps unique per run — sent again from a history, a signed message is refused (or answered as before).
   */
  private async signed<T extends object>(id: string, kind: string, message: T): Promise<{ args: [T & { nonce: string; signature: string }]; updateId: string }> {
    const nonce = uuidv7()
    const payload = { ...message, nonce }
    return { args: [{ ...payload, signature: await this.signer.sign(id, kind, payload) }], updateId: nonce }
  }

  private webUiLink(id: string): string | null {
    const ui = this.config.temporalUiUrl
    return ui ? `${ui}/namespaces/${encodeURIComponent(this.config.namespace)}/workflows/${id}` : null
  }
}

/** Field errors of a part of the body, named from the body's root. */
export const nested = (at: string, errors: FieldError[]): FieldError[] => errors.map((e) => ({ ...e, path: e.path ? `${at}.${e.path}` : at }))
