// The generic executor: runs a declared step list in deterministic workflow code. Temporal gives durability and
// activity retries; this adds the orchestrator's semantics — a step that still fails suspends the process (never
// fails the workflow) until an operator retries or aborts it; an abort runs the compensations of completed steps
// in reverse order; input, approval and callback steps wait for answers; the engine can be paused at step
// boundaries; every step's status and state change goes to the permanent log as the process runs.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  currentUpdateInfo,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
  uuid4,
} from '@temporalio/workflow'
import { msToNumber } from '@temporalio/common/lib/time'
import { SEARCH_ATTRIBUTE } from '#domain/search-attributes.js'
import { escapeMarkdown } from '#domain/markdown.js'
import type { ProcessActivities, StartedChild, StepRecord } from '#activities/processes/process.activities.js'
import type { StepContext } from '#activities/processes/step-context.js'
import type { ProcessStatus } from '#domain/index.js'
import type { ActivityInterface } from './activity-interface.js'
import {
  type ActivityStep,
  allSteps,
  type ApprovalStep,
  type CallbackStep,
  compensationName,
  type Delta,
  type EngineStep,
  type FanOutItem,
  type FanOutOutcome,
  type FanOutStep,
  type InputStep,
  type ProcessArgs,
  type RetryStep,
  SKIPPED,
  type StepActivityOptions,
  type SubWorkflowStep,
  type WorkflowDeclaration,
} from './declaration.js'
import {
  abortUpdate,
  answerSignal,
  callbackUpdate,
  ENDING,
  engineSignal,
  INVALID_ANSWER,
  type LiveProcessState,
  liveStateQuery,
  NOT_ALLOWED,
  NOT_SUSPENDED,
  NOT_WAITING,
  parentAbortSignal,
  PAST_NO_RETURN,
  PENDING_LOG,
  pendingInputOf,
  type CallbackRequest,
  type ResumeRequest,
  resumeUpdate,
  retryUpdate,
  type StepError,
} from './messages.js'
import { PROCESS_FAILED } from './failure.js'
import { fieldErrors } from './zod-errors.js'

const DEFAULT_ACTIVITY_OPTIONS: StepActivityOptions = {
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['DomainError', 'NotFound', 'Conflict', PROCESS_FAILED] },
}

type Engine = ActivityInterface<ProcessActivities>

/**
 * Every change made behind a patch up to this one, for runs that begin from now on: one marker (and one upsert of
 * TemporalChangeVersion, which sdk-core adds to every patch: a visibility write) instead of one of each per change.
 * It also brings the steps' hot path with fewer promises (one abort scope per run, no promise between two steps)
 * and steps declared `local` run as local activities.
 * A later change takes a patch of its own, as before.
 */
const ENGINE_PATCHES = 'engine-2026-11-30'

/** the failure type of a workflow started in Temporal for no process Loom recorded */
const NOT_STARTED_BY_LOOM = 'NotStartedByLoom'

/** A retry step's activity options: each try is one attempt, and the step tries again itself. */
const ONE_TRY: StepActivityOptions = { retry: { maximumAttempts: 1 } }

// The log entries that cannot wait for the next activity call (waits, suspensions, the end) go by local activity.
const logActivities = proxyLocalActivities<Engine>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '200 ms', maximumInterval: '5 seconds' } })

class Aborted extends Error {}
class Failed extends Error {
  constructor(readonly step: string, readonly error: StepError) {
    super(error.message)
  }
}

interface Waiting {
  step: InputStep | ApprovalStep
  data: Delta
  expires_at: string | null
  answer: { value: unknown; user: string } | null
}

interface AwaitingCallback {
  step: CallbackStep
  body: unknown
  delivered: boolean
}

interface ProcessOutcome {
  status: Extract<ProcessStatus, 'completed' | 'aborted'>
  result?: unknown
  reason?: string
}

/** The workflow function of a declaration: export it under the declaration's name from the workflow bundle. */
export function processWorkflow(declaration: WorkflowDeclaration): (args: ProcessArgs) => Promise<ProcessOutcome> {
  return (args) => new ProcessEngine(declaration, args).run()
}

class ProcessEngine {
  private readonly state: Delta
  private readonly current = new Set<string>()
  private readonly waiting = new Map<string, Waiting>()
  private readonly callbacks = new Map<string, AwaitingCallback>()
  private readonly suspended = new Map<string, StepError>()
  /** completed steps that declare a compensation, in completion order, with the state they left */
  private readonly done: { step: ActivityStep | RetryStep | FanOutStep; state: Delta }[] = []
  /** log entries not written yet */
  private readonly pending: StepRecord[] = []
  private written: Promise<void> = Promise.resolve()
  /** the first log write that failed for good: finish() reports it */
  private writeFailure: Error | null = null
  /** the activities by the options they were made with (a step's own, or none) */
  private readonly proxies = new Map<StepActivityOptions | undefined, Engine>()
  private readonly localProxies = new Map<StepActivityOptions | undefined, Engine>()
  /** where each step (a group's members included) stands in the top-level list, for the progress line */
  private readonly topIndex: Map<string, number>
  /** the fan-out steps running now: how many of their sub-processes have ended */
  private readonly fanOuts = new Map<string, { total: number; ended: number }>()
  /** the irreversible step completed, if any: the compensations before it were dropped, and an abort is refused */
  private noReturn: string | null = null
  /** sub-processes of an undo_<fan-out> that did not put their subscription back */
  private readonly notUndone: FanOutOutcome[] = []
  private retries = 0
  private abortReason: string | null = null
  /** a branch of a parallel group failed the process: the other branches stop at their next wait or boundary */
  private failedBranch: Failed | null = null
  private engineRunning = true
  private ended = false
  /** whether this run keeps LoomStatus current (histories recorded before it did not) */
  private showsStatus = false
  /** whether this run checks the signatures of the messages it is sent (patch signed-messages) */
  private verifiesMessages = false
  /** whether an abort cancels the steps running (patch abort-cancels-steps), and their scopes */
  private cancelsOnAbort = false
  private readonly inFlight = new Set<CancellationScope>()
  /** whether this run began with every change of ENGINE_PATCHES in place (decided once, at its start) */
  private upToDate = false
  /** the one scope an abort cancels, in up-to-date runs (older ones make one per step: inFlight) */
  private stepsScope: CancellationScope | null = null
  /** when the engine setting this run last applied was made (signed engine Signals carry it) */
  private engineSetAt = ''
  /** the LoomStatus last set, so that only a change becomes a command */
  private shownStatus: ProcessStatus | null = null

  constructor(
    private readonly declaration: WorkflowDeclaration,
    private readonly args: ProcessArgs,
  ) {
    this.state = { ...args }
    this.topIndex = new Map(declaration.steps.flatMap((top, i) => allSteps([top]).map((s) => [s.name, i] as const)))
    setHandler(liveStateQuery, () => this.live())
    // Only what the gateway sent and signed is taken: a raw Update or Signal (Temporal's CLI, its Web UI) skips every
    // check the gateway makes (who answers, their roles, the audit log). Runs that began before this still take any.
    this.upToDate = patched(ENGINE_PATCHES)
    this.verifiesMessages = this.since('signed-messages')
    this.cancelsOnAbort = this.since('abort-cancels-steps')
    setHandler(
      resumeUpdate,
      async (req: ResumeRequest) => {
        await this.verified('resume', req)
        return this.accept(req)
      },
      { validator: (req: ResumeRequest) => void this.checkAnswer(req) },
    )
    // Answers come through the gateway only (PUT /resume), which verifies who answers: a raw Signal names whomever
    // its sender likes. Runs that began before this change still take it, as they did (decided once, at the start).
    const refusesSignalAnswers = this.since('answers-through-the-api-only')
    setHandler(answerSignal, (req) => {
      if (refusesSignalAnswers) {
        log.warn('refused an answer Signal: answers are given through the Loom API (PUT /api/processes/{id}/resume)', { claimed_user: req.user, step: req.step })
        return
      }
      try {
        this.accept(req)
      } catch (error) {
        // Recorded in history with the signal itself; the log line says why it changed nothing.
        log.warn('ignored an answer signal', { user: req.user, step: req.step, error: (error as Error).message })
      }
    })
    setHandler(
      retryUpdate,
      async (who) => {
        await this.verified('retry', who)
        this.retries++
        return { steps: [...this.suspended.keys()] }
      },
      {
        validator: (_who) => {
          if (this.suspended.size === 0) throw ApplicationFailure.create({ type: NOT_SUSPENDED, message: `no step of the process is suspended (now: ${this.describeNow()})` })
        },
      },
    )
    setHandler(
      abortUpdate,
      async (request) => {
        await this.verified('abort', request)
        const { user, reason } = request
        if (this.ended || this.abortReason) throw ApplicationFailure.create({ type: ENDING, message: 'the process is already ending' })
        // Checked again: the process may have passed its point of no return while the signature was checked.
        if (this.noReturn) throw ApplicationFailure.create({ type: PAST_NO_RETURN, message: `the process is past its point of no return (${this.noReturn}) and can only go forward: fix the cause and PUT /resume {}` })
        this.abortReason = reason?.trim() || `aborted by ${user}`
        this.cancelInFlight()
        return { aborting: true }
      },
      {
        validator: (_request) => {
          if (this.ended || this.abortReason) throw ApplicationFailure.create({ type: ENDING, message: 'the process is already ending' })
          if (this.noReturn) {
            throw ApplicationFailure.create({
              type: PAST_NO_RETURN,
              message: `the process is past its point of no return (${this.noReturn}) and can only go forward: fix the cause and PUT /resume {}`,
            })
          }
        },
      },
    )
    setHandler(
      callbackUpdate,
      async (request) => {
        await this.verified('callback', request)
        const { step, body } = request
        const awaiting = this.callbacks.get(step)
        if (!awaiting || awaiting.delivered) throw ApplicationFailure.create({ type: NOT_WAITING, message: `step ${step} is not waiting for a callback` })
        awaiting.body = awaiting.step.answer.parse(body)
        awaiting.delivered = true
        return { step }
      },
      {
        validator: ({ step, body }: CallbackRequest) => {
          const awaiting = this.callbacks.get(step)
          if (!awaiting || awaiting.delivered) throw ApplicationFailure.create({ type: NOT_WAITING, message: `step ${step} is not waiting for a callback` })
          const parsed = awaiting.step.answer.safeParse(body)
          if (!parsed.success) throw ApplicationFailure.create({ type: INVALID_ANSWER, message: `invalid callback to ${step}`, details: [fieldErrors(parsed.error)] })
        },
      },
    )
    // A Signal handler must not throw (the workflow would fail): one that is not signed is logged and dropped.
    setHandler(parentAbortSignal, async (message) => {
      if (!(await this.verified('parent_abort', message).then(() => true, () => false))) return
      if (this.ended || this.abortReason || this.noReturn) return
      this.abortReason = message.reason
      this.cancelInFlight()
    })
    // One at a time, in the order they came: a stop and a start sent quickly must not be applied the other way round.
    let engineMessages = Promise.resolve()
    setHandler(engineSignal, (message) => {
      engineMessages = engineMessages.then(async () => {
        // Signed with when the switch was set: an older setting, sent again from a history, changes nothing.
        if (!(await this.verified('engine', message).then(() => true, () => false))) return
        if (this.verifiesMessages && (!message.at || message.at <= this.engineSetAt)) return
        this.engineSetAt = message.at ?? ''
        this.engineRunning = message.running
      })
      return engineMessages
    })
  }

  /**
   * Whether a change made behind `patch` applies: always in up-to-date runs; in runs that began before ENGINE_PATCHES,
   * as their history says (each such patch was asked for by itself then).
   */
  private since(patch: string): boolean {
    return this.upToDate || patched(patch)
  }

  /**
   * Refuses (NOT_ALLOWED) a message without the gateway's (or the parent's) signature, in runs that check them. An
   * Update's signature covers its id (`nonce`), which Temporal keeps unique per run: a signed message copied from
   * the history into a new Update is refused.
   */
  private async verified(kind: string, message: { signature?: string; nonce?: string }): Promise<void> {
    if (!this.verifiesMessages) return
    const update = currentUpdateInfo()
    const { signature, ...payload } = message
    const sameUpdate = !update || message.nonce === update.id
    if (sameUpdate && (await logActivities.verifyMessage({ process_id: this.args.process_id, kind, payload, signature: signature ?? '' }))) return
    log.warn('refused a message that did not come through the Loom API', { kind })
    throw ApplicationFailure.create({ type: NOT_ALLOWED, message: `this ${kind} was not sent through the Loom API (no valid signature); use /api/processes/${this.args.process_id}` })
  }

  async run(): Promise<ProcessOutcome> {
    // A process is started by the gateway (or its parent) after recording it: a workflow started straight in
    // Temporal, for no process or for one that has run already, does nothing — not even write to the log.
    if (this.since('started-through-loom')) {
      const { workflowId, workflowType } = workflowInfo()
      const refused = workflowId === this.args.process_id ? await logActivities.startRefusal({ process_id: this.args.process_id, workflow: workflowType }) : 'its workflow id is not its process id'
      if (refused) {
        log.warn('refused a workflow not started through the Loom API', { refused })
        throw ApplicationFailure.nonRetryable(`not started through the Loom API: ${refused}`, NOT_STARTED_BY_LOOM)
      }
    }
    // Each change of LoomStatus is a command: runs recorded before it was kept replay without any.
    this.showsStatus = this.since('loom-status')
    if (this.upToDate) this.stepsScope = new CancellationScope()
    this.showStatus('running')
    try {
      await this.runSteps(this.declaration.steps, this.state)
      const result = await this.attempt('result', () => Promise.resolve(this.declaration.result?.(this.state as never)))
      await this.finish('completed')
      return { status: 'completed', result }
    } catch (error) {
      if (error instanceof Aborted) {
        const reason = this.abortReason!
        await this.compensate()
        await this.finish('aborted', { message: reason, ...(this.notUndone.length ? { not_undone: this.notUndone } : {}) })
        return { status: 'aborted', reason }
      }
      if (error instanceof Failed) {
        await this.compensate()
        await this.finish('failed', { message: error.message, step: error.step, type: error.error.type, ...(this.noReturn ? { past_point_of_no_return: this.noReturn } : {}) })
        throw ApplicationFailure.nonRetryable(error.message, error.error.type ?? PROCESS_FAILED)
      }
      throw error
    }
  }

  // ---- the steps ----

  /** Runs steps in order from `state`; returns what they added. */
  private async runSteps(steps: readonly EngineStep[], state: Delta): Promise<Delta> {
    let added: Delta = {}
    for (const step of steps) {
      const paused = this.boundary()
      if (paused) await paused
      const delta = await this.runStep(step, { ...state, ...added })
      added = { ...added, ...delta }
      Object.assign(this.state, delta)
    }
    return added
  }

  private async runStep(step: EngineStep, state: Delta): Promise<Delta> {
    this.current.add(step.name)
    this.showProgress()
    try {
      switch (step.kind) {
        case 'step':
          return await this.activityStep(step, state)
        case 'retry':
          return await this.retryStep(step, state)
        case 'input':
        case 'approval':
          return await this.answerStep(step, state)
        case 'callback':
          return await this.callbackStep(step, state)
        case 'conditional': {
          // Declared code may have bugs too: they suspend the process like a failed step.
          const holds = await this.attempt(step.name, () => Promise.resolve(step.when(state as never)))
          if (!holds) {
            for (const skipped of [step, ...allSteps(step.steps)]) this.record({ ...this.contextOf(skipped.name), status: 'skipped', state_delta: { condition: false } })
            return {}
          }
          this.record({ ...this.contextOf(step.name), status: 'success', state_delta: { condition: true } })
          this.current.delete(step.name)
          return await this.runSteps(step.steps, state)
        }
        case 'parallel': {
          this.record({ ...this.contextOf(step.name), status: 'running' })
          this.current.delete(step.name)
          // Every branch runs to its end or stops (an abort, or a failure in one, stops the others at their next
          // wait or boundary) before the group ends, so that the compensations know every step that completed.
          const outcomes = await Promise.allSettled(
            Object.values(step.branches).map((branch) =>
              this.runSteps(branch, state).catch((error: unknown) => {
                if (error instanceof Failed) this.failedBranch ??= error
                throw error
              }),
            ),
          )
          const stopped = outcomes.find((o) => o.status === 'rejected')
          if (stopped) throw this.failedBranch ?? stopped.reason
          const added = Object.assign({}, ...outcomes.map((o) => (o as PromiseFulfilledResult<Delta>).value)) as Delta
          this.record({ ...this.contextOf(step.name), status: 'success', state_delta: { branches: Object.keys(step.branches) } })
          return added
        }
        case 'sub_workflow':
          return await this.subWorkflowStep(step, state)
        case 'fan_out':
          return await this.fanOutStep(step, state)
      }
    } finally {
      this.current.delete(step.name)
      this.showProgress()
    }
  }

  private async activityStep(step: ActivityStep, state: Delta): Promise<Delta> {
    const ctx = this.contextOf(step.name)
    const run = () => step.run(state as never, { act: this.activities(step.activity, this.runsLocally(step)), step: ctx } as never)
    // A point of no return is not cancelled half-way: it finishes, and the abort is refused after it.
    const { [SKIPPED]: skippedBecause, ...delta } = (await this.attempt(step.name, () => (step.irreversible ? run() : this.stoppedByAbort(run)))) ?? {}
    if (typeof skippedBecause === 'string') {
      // Only the log entry differs (no command): replay-safe for histories recorded before steps could skip.
      this.record({ ...ctx, status: 'skipped', state_delta: { ...delta, reason: skippedBecause } })
      return delta
    }
    this.record({ ...ctx, status: 'success', state_delta: delta })
    if (step.compensate) this.done.push({ step, state: { ...state, ...delta } })
    // Processes that ran before irreversible steps existed compensated past them: their histories replay so.
    if (step.irreversible && this.since('irreversible-steps')) {
      this.done.length = 0
      this.noReturn = step.name
    }
    return delta
  }

  /** A step declared `local` runs (and is undone) by local activities in runs that began with ENGINE_PATCHES. */
  private runsLocally(step: ActivityStep): boolean {
    return step.local === true && this.upToDate
  }

  /** Tries once every `every` until `for` has passed, each failure recorded; then suspends like any step. */
  private async retryStep(step: RetryStep, state: Delta): Promise<Delta> {
    const ctx = this.contextOf(step.name)
    const act = this.activities(ONE_TRY)
    const delta =
      (await this.attempt(step.name, async () => {
        const deadline = Date.now() + msToNumber(step.for)
        for (let attempt = 1; ; attempt++) {
          try {
            return await step.run(state as never, { act, step: ctx } as never)
          } catch (error) {
            const failure = describeFailure(error)
            if (failure.type === PROCESS_FAILED || Date.now() + msToNumber(step.every) > deadline) throw error
            this.record({ ...ctx, status: 'running', error: failure, attempts: attempt }, 'now')
            await condition(() => this.halted(), step.every)
            this.stopIfHalted()
          }
        }
      })) ?? {}
    this.record({ ...ctx, status: 'success', state_delta: delta })
    if (step.compensate) this.done.push({ step, state: { ...state, ...delta } })
    return delta
  }

  private async answerStep(step: InputStep | ApprovalStep, state: Delta): Promise<Delta> {
    const ctx = this.contextOf(step.name)
    for (;;) {
      const expires = step.kind === 'approval' && step.expires_after ? step.expires_after : undefined
      const data = await this.attempt(step.name, () => Promise.resolve(step.data?.(state as never) ?? {}))
      const waiting: Waiting = {
        step,
        data,
        expires_at: expires ? new Date(Date.now() + msToNumber(expires)).toISOString() : null,
        answer: null,
      }
      this.waiting.set(step.name, waiting)
      const assignee = step.kind === 'approval' ? step.role : step.assignee
      this.record({ ...ctx, status: 'waiting', state_delta: waiting.data, process_status: 'waiting', assignee }, 'now')
      this.showProgress()
      const answered = await condition(() => waiting.answer !== null || this.halted(), expires)
      this.waiting.delete(step.name)
      if (waiting.answer) {
        const { value, user } = waiting.answer
        this.record({ ...ctx, status: 'success', state_delta: { [step.name]: value }, answered_by: user, process_status: 'running', assignee: null })
        if (step.kind === 'approval' && !(value as { approved: boolean }).approved) {
          this.abortReason = `${step.name} was rejected by ${user}`
          throw new Aborted()
        }
        return { [step.name]: value }
      }
      this.stopIfHalted()
      if (answered === false && step.kind === 'approval') {
        const error = { message: `nobody answered ${step.name} within ${step.expires_after}`, type: 'Expired' }
        if (step.on_expiry === 'abort') {
          this.record({ ...ctx, status: 'failed', error })
          this.abortReason = error.message
          throw new Aborted()
        }
        await this.suspend(step.name, error) // a retry asks again
      }
    }
  }

  private async callbackStep(step: CallbackStep, state: Delta): Promise<Delta> {
    for (;;) {
      const ctx = this.contextOf(step.name)
      const awaiting: AwaitingCallback = { step, body: null, delivered: false }
      // Open before announcing: a callback may arrive as soon as the other system has the token.
      this.callbacks.set(step.name, awaiting)
      this.showProgress()
      await this.attempt(step.name, () => this.activities().openCallback({ ...ctx, notify: step.notify?.(state as never) ?? null }))
      const arrived = await condition(() => awaiting.delivered || this.halted(), step.timeout)
      this.callbacks.delete(step.name)
      if (awaiting.delivered) {
        this.record({ ...ctx, status: 'success', state_delta: { [step.name]: awaiting.body } })
        return { [step.name]: awaiting.body }
      }
      this.stopIfHalted()
      if (!arrived) {
        const error = { message: `no callback for ${step.name} within ${step.timeout}`, type: 'CallbackTimeout' }
        this.record({ ...ctx, status: 'failed', error, close_callback: true }, 'now') // its token stops working
        if (step.on_timeout === 'abort') {
          this.abortReason = error.message
          throw new Aborted()
        }
        await this.suspend(step.name, error) // a retry opens a new callback
      }
    }
  }

  private async subWorkflowStep(step: SubWorkflowStep, state: Delta): Promise<Delta> {
    const ctx = this.contextOf(step.name)
    const subscription = await this.attempt(step.name, () => Promise.resolve(step.subscription?.(state as never)))
    const child = await this.attempt(step.name, () =>
      this.activities().startChildProcess({ ...ctx, workflow: step.workflow.name, target: step.workflow.target, created_by: this.args.created_by, subscription_ids: subscription ? [subscription] : [] }),
    )
    const outcome: unknown = await this.attempt(step.name, () =>
      executeChild(step.workflow.name, {
        workflowId: child.process_id,
        args: [{ process_id: child.process_id, subscription_id: subscription ?? uuid4(), created_by: this.args.created_by, input: step.input(state as never) }],
      }),
    )
    const delta = { [step.name]: { process_id: child.process_id, ...(outcome as object) } }
    this.record({ ...ctx, status: 'success', state_delta: delta })
    return delta
  }

  private async fanOutStep(step: FanOutStep, state: Delta): Promise<Delta> {
    const items = await this.attempt(step.name, () => Promise.resolve(step.items(state as never)))
    const outcomes = await this.runChildren(step.name, step, items, true)
    const delta = { [step.name]: outcomes }
    // Stopped by an abort, the children that completed are still undone.
    if (step.compensate && outcomes.some((o) => o.status === 'completed')) this.done.push({ step, state: { ...state, ...delta } })
    this.stopIfHalted()
    this.record({ ...this.contextOf(step.name), status: 'success', state_delta: { [step.name]: withoutResults(outcomes) } })
    return delta
  }

  /**
   * Starts a sub-process per item (all process rows and locks at once) and runs up to `concurrency` of them at a
   * time. When the parent halts (`abortable`), the running ones are told to abort and are waited for; the rest
   * never start and are recorded aborted.
   */
  private async runChildren(name: string, step: FanOutStep, items: FanOutItem[], abortable: boolean): Promise<FanOutOutcome[]> {
    const progress = { total: items.length, ended: 0 }
    this.fanOuts.set(name, progress)
    try {
      return await this.runChildrenOf(name, step, items, abortable, progress)
    } finally {
      this.fanOuts.delete(name)
    }
  }

  private async runChildrenOf(name: string, step: FanOutStep, items: FanOutItem[], abortable: boolean, progress: { ended: number }): Promise<FanOutOutcome[]> {
    const ctx = this.contextOf(name)
    this.record({ ...ctx, status: 'running', state_delta: { sub_processes: items.length } })
    // The children's ids are chosen here (deterministic in workflow code): they make starting them idempotent.
    const children = items.map((item) => ({ process_id: uuid4(), subscription_ids: [item.subscription_id] }))
    const started = await this.attempt(
      name,
      () => this.activities().startChildProcesses({ ...ctx, workflow: step.workflow.name, target: step.workflow.target, created_by: this.args.created_by, children }),
      abortable,
    )
    const outcomes: FanOutOutcome[] = items.map((item, i) => {
      const child = started[i]
      return 'refused' in child
        ? { subscription_id: item.subscription_id, process_id: null, status: 'refused', reason: child.refused }
        : { subscription_id: item.subscription_id, process_id: child.process_id, status: 'not_started' }
    })
    const running = new Set<string>()
    let next = 0
    const stopping = () => abortable && this.halted()
    const stopReason = () => `its parent process ${this.args.process_id} stopped: ${this.abortReason ?? this.failedBranch?.message}`
    // A child is told once it has started (a Signal to a workflow not started yet is lost), and again if the
    // parent halts later; telling it twice changes nothing.
    const tell = async (id: string) => {
      const message = { reason: stopReason() }
      // Signed like the gateway's messages (the child refuses an unsigned one): only a parent can abort its child.
      // Decided here, not at the start: a parent that began before children checked signatures signs for them too.
      const signature = this.since('parent-abort-signed') ? await logActivities.signMessage({ process_id: id, kind: 'parent_abort', payload: message }) : undefined
      await getExternalWorkflowHandle(id)
        .signal(parentAbortSignal, { ...message, ...(signature ? { signature } : {}) })
        .catch(() => undefined)
    }
    const runNext = async (): Promise<void> => {
      for (let i = next++; i < items.length && !stopping(); i = next++) {
        const child = started[i]
        if ('refused' in child) continue
        outcomes[i] = {
          ...outcomes[i],
          ...(await this.runChild(step, child, items[i], () => {
            running.add(child.process_id)
            if (stopping()) void tell(child.process_id)
          })),
        }
        running.delete(child.process_id)
        progress.ended++
        this.record({ ...ctx, status: 'running', state_delta: { sub_processes: items.length, ended: progress.ended } }, 'now')
        this.showProgress()
      }
    }
    const all = Promise.all(Array.from({ length: Math.min(step.concurrency, items.length) }, runNext))
    if (abortable) {
      await Promise.race([all, condition(() => this.halted())])
      // A child that has just ended does not take the signal: nothing to tell it.
      if (this.halted()) await Promise.all([...running].map(tell))
    }
    await all
    const unstarted = outcomes.filter((o) => o.status === 'not_started')
    await Promise.all(unstarted.map((o) => logActivities.finishProcess({ process_id: o.process_id!, status: 'aborted', failure: { message: `not started: ${stopReason()}` } })))
    return outcomes
  }

  private async runChild(
    step: FanOutStep,
    child: Exclude<StartedChild, { refused: string }>,
    item: FanOutItem,
    onStarted: () => void,
  ): Promise<Pick<FanOutOutcome, 'status' | 'result' | 'reason'>> {
    try {
      const handle = await startChild<(args: ProcessArgs) => Promise<ProcessOutcome>>(step.workflow.name, {
        workflowId: child.process_id,
        args: [{ process_id: child.process_id, subscription_id: item.subscription_id, created_by: this.args.created_by, input: item.input }],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTE.subscriptionIds, value: [item.subscription_id] },
          { key: SEARCH_ATTRIBUTE.target, value: step.workflow.target },
          { key: SEARCH_ATTRIBUTE.createdBy, value: this.args.created_by },
          { key: SEARCH_ATTRIBUTE.status, value: 'created' },
          ...(child.product ? [{ key: SEARCH_ATTRIBUTE.product, value: child.product }] : []),
        ],
      })
      onStarted()
      const outcome = await handle.result()
      return outcome.status === 'completed' ? { status: 'completed', result: outcome.result } : { status: 'aborted', reason: outcome.reason }
    } catch (error) {
      return { status: 'failed', reason: describeFailure(error).message }
    }
  }

  // ---- failure, abort, pause ----

  /**
   * Runs `work`; when it fails (its activity's retry policy exhausted, or a bug in workflow code), the step is
   * suspended until an operator retries — then `work` runs again, idempotent by (process, step) — or aborts.
   */
  private async attempt<T>(step: string, work: () => Promise<T>, abortable = true): Promise<T> {
    for (;;) {
      try {
        return await work()
      } catch (error) {
        if (error instanceof Aborted) throw error
        if (abortable && this.abortReason && isCancellation(error)) {
          // Cancelled by the abort before it was done: not a step to undo, and not a failure of the process.
          this.record({ ...this.contextOf(step), status: 'failed', error: { message: `cancelled by the abort: ${this.abortReason}`, type: 'Cancelled' } })
          throw new Aborted()
        }
        const failure = describeFailure(error)
        if (failure.type === PROCESS_FAILED && !(error instanceof ChildWorkflowFailure)) {
          this.record({ ...this.contextOf(step), status: 'failed', error: failure })
          throw new Failed(step, failure)
        }
        await this.suspend(step, failure, abortable)
      }
    }
  }

  private async suspend(step: string, error: StepError, abortable = true): Promise<void> {
    this.suspended.set(step, error)
    this.showProgress()
    this.record({ ...this.contextOf(step), status: 'failed', error, process_status: 'suspended', failure: { step, ...error } })
    await this.flush()
    const seen = this.retries
    await condition(() => this.retries > seen || (abortable && this.halted()))
    this.suspended.delete(step)
    if (this.retries === seen) this.stopIfHalted()
    this.record({ ...this.contextOf(step), status: 'running', process_status: 'running' })
    this.showProgress()
  }

  /**
   * Runs a step's activities in a scope that an abort cancels (runs that began before this: not cancelled), so that
   * an abort stops a step retrying an unreachable device rather than waiting out its retries.
   */
  private stoppedByAbort<T>(work: () => Promise<T>): Promise<T> {
    if (!this.cancelsOnAbort) return work()
    // One scope for all the steps of a run (up-to-date runs): a scope costs the workflow several promises, each of
    // which the SDK's promise hook gives a stack trace (temporalio/sdk-typescript#1587). A step that would start after
    // the abort is cancelled before it schedules anything.
    if (this.stepsScope) return this.stepsScope.run(work)
    const scope = new CancellationScope()
    this.inFlight.add(scope)
    return scope.run(work).finally(() => this.inFlight.delete(scope))
  }

  private cancelInFlight(): void {
    this.stepsScope?.cancel()
    for (const scope of this.inFlight) scope.cancel()
  }

  /**
   * Between steps: wait while the engine is paused; stop when an abort was asked for. A promise only when it waits
   * (up-to-date runs): between two running steps it makes none.
   */
  private boundary(): Promise<void> | undefined {
    // Older runs always took the boundary as a promise: their steps keep the order of events they recorded.
    if (!this.engineRunning || !this.upToDate) return this.awaitedBoundary()
    this.stopIfHalted()
    return undefined
  }

  private async awaitedBoundary(): Promise<void> {
    if (!this.engineRunning) {
      this.showProgress()
      void this.flush() // the log is complete while it waits
      await condition(() => this.engineRunning || this.halted())
    }
    this.stopIfHalted()
  }

  /** An abort was asked for, or a parallel branch failed the process. */
  private halted(): boolean {
    return this.abortReason !== null || this.failedBranch !== null
  }

  private stopIfHalted(): void {
    if (this.failedBranch) throw this.failedBranch
    if (this.abortReason) throw new Aborted()
  }

  /** The compensations of completed steps, newest first, each a logged step of its own. */
  private async compensate(): Promise<void> {
    for (const { step, state } of [...this.done].reverse()) {
      const name = compensationName(step.name)
      const ctx = this.contextOf(name)
      this.current.add(name)
      this.showProgress()
      if (step.kind === 'fan_out') {
        // The inverse of every child that completed, run the same way; one that fails is reported, not fatal.
        const completed = (state[step.name] as FanOutOutcome[]).filter((o) => o.status === 'completed')
        const items = completed.map((o) => ({ subscription_id: o.subscription_id, input: step.compensate!.input(o) }))
        const outcomes = await this.runChildren(name, step, items, false)
        this.notUndone.push(...withoutResults(outcomes.filter((o) => o.status !== 'completed')))
        this.record({ ...ctx, status: 'success', state_delta: { undone: step.name, [name]: withoutResults(outcomes) } })
      } else {
        // A failing compensation suspends too, but cannot be aborted: the operator fixes the cause and retries.
        await this.attempt(name, () => step.compensate!.run(state as never, { act: step.kind === 'step' ? this.activities(step.activity, this.runsLocally(step)) : this.activities(), step: ctx } as never), false)
        this.record({ ...ctx, status: 'success', state_delta: { undone: step.name } })
      }
      this.current.delete(name)
    }
  }

  private async finish(status: 'completed' | 'aborted' | 'failed', failure?: Record<string, unknown>): Promise<void> {
    await this.written
    if (this.writeFailure) throw this.writeFailure
    await logActivities.finishProcess({ process_id: this.args.process_id, status, failure, records: this.pending.splice(0) })
    this.ended = true
    this.showStatus(status)
    // The message can be a user's words (an abort reason) or name their values: text, never Markdown.
    setCurrentDetails(`Process **${status}**${failure ? `: ${escapeMarkdown(String(failure.message))}` : ''}`)
  }

  // ---- answers ----

  private checkAnswer(req: ResumeRequest): { waiting: Waiting; value: unknown } {
    const waiting = req.step ? this.waiting.get(req.step) : [...this.waiting.values()][0]
    if (!waiting || waiting.answer) {
      throw ApplicationFailure.create({ type: NOT_WAITING, message: `the process is not waiting for input${req.step ? ` at ${req.step}` : ''} (now: ${this.describeNow()})` })
    }
    const { step } = waiting
    if (step.kind === 'approval') {
      if (!req.roles.includes(step.role)) throw ApplicationFailure.create({ type: NOT_ALLOWED, message: `${step.name} may only be answered by someone with role ${step.role}; ${req.user} has ${req.roles.join(', ') || 'no roles'}` })
      if (!step.self_approval && req.user === this.args.created_by) throw ApplicationFailure.create({ type: NOT_ALLOWED, message: `${req.user} started this process and may not approve it (${step.name})` })
    }
    const parsed = step.answer.safeParse(req.answer)
    if (!parsed.success) throw ApplicationFailure.create({ type: INVALID_ANSWER, message: `invalid answer to ${step.name}`, details: [fieldErrors(parsed.error)] })
    return { waiting, value: parsed.data }
  }

  private accept(req: ResumeRequest): { step: string } {
    const { waiting, value } = this.checkAnswer(req)
    waiting.answer = { value, user: req.user }
    return { step: waiting.step.name }
  }

  // ---- helpers ----

  private contextOf(step: string): StepContext {
    return { process_id: this.args.process_id, step, started_at: new Date().toISOString() }
  }

  /**
   * Writes to the log. Most entries ride along with the next activity the process calls (the worker's step-log
   * interceptor writes them before the activity runs), which costs no workflow task of its own; `now` writes
   * them (and all before them) at once by a local activity; `await flush()` waits for that. Writes stay in order.
   */
  private record(entry: StepRecord, when: 'later' | 'now' = 'later'): void {
    this.pending.push(entry)
    if (entry.process_status) this.showStatus(entry.process_status)
    if (when === 'now') void this.flush()
  }

  /** Writes the entries waiting to be written, after those already on their way. */
  private flush(): Promise<void> {
    const records = this.pending.splice(0)
    if (records.length === 0) return this.written
    const written = this.written.then(() => logActivities.recordSteps(records))
    // Later writes still go in order; finish() reports a failure (local activities retry until they succeed, so this is rare).
    this.written = written.catch((error: Error) => {
      this.writeFailure ??= error
    })
    return written
  }

  /**
   * The activities, with the workflow's options and the step's overrides; each call carries the log entries waiting
   * to be written. `local`: run in this worker as local activities (a step declared `local`, in up-to-date runs).
   */
  private activities(options?: StepActivityOptions, local = false): Engine {
    const proxies = local ? this.localProxies : this.proxies
    let act = proxies.get(options)
    if (!act) proxies.set(options, (act = this.carryingLog(options, local)))
    return act
  }

  private carryingLog(options: StepActivityOptions | undefined, local: boolean): Engine {
    // An abort cancels a running step; the step counts as done or not by what its activity answered, so the
    // workflow waits for that answer (an activity that heartbeats stops at once; one that does not, when done).
    const cancellation = this.cancelsOnAbort ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}
    const defaults = { ...DEFAULT_ACTIVITY_OPTIONS, ...cancellation, ...this.declaration.activity }
    const merged = { ...defaults, ...options, retry: { ...defaults.retry, ...options?.retry } }
    // The same timeouts and retry policy; no heartbeat for a local step (declareWorkflow refuses a step's own).
    const act = local ? proxyLocalActivities<Engine>(withoutHeartbeat(merged)) : proxyActivities<Engine>(merged)
    return new Proxy(act, {
      get: (target, name) => {
        const call = target[name as keyof Engine] as (...args: unknown[]) => Promise<unknown>
        return (first: unknown, ...rest: unknown[]) => {
          if (this.pending.length === 0 || typeof first !== 'object' || first === null) return call(first, ...rest)
          const carried = this.pending.splice(0)
          // Cancelled before it ran, the activity wrote none of them: they go with the next call (writes are upserts).
          return call({ ...first, [PENDING_LOG]: carried }, ...rest).catch((error: unknown) => {
            if (isCancellation(error)) this.pending.unshift(...carried)
            throw error
          })
        }
      },
    })
  }

  private live(): LiveProcessState {
    const first = [...this.waiting.values()].find((w) => !w.answer)
    return {
      current_step: [...this.current][0] ?? null,
      current_steps: [...this.current],
      pending_input: first ? pendingInputOf(first.step, first.data, first.expires_at) : null,
      awaiting_callback: [...this.callbacks.values()].filter((c) => !c.delivered).map((c) => c.step.name),
      suspended: [...this.suspended].map(([step, error]) => ({ step, error })),
      paused: !this.engineRunning,
      aborting: this.abortReason !== null && !this.ended,
      state: this.state,
    }
  }

  private describeNow(): string {
    if (this.ended) return 'ended'
    if (this.suspended.size) return `suspended at ${[...this.suspended.keys()].join(', ')}`
    return this.current.size ? `running ${[...this.current].join(', ')}` : 'between steps'
  }

  /**
   * Keeps the search attribute LoomStatus equal to the process status the log records, so that the Temporal Web UI
   * and visibility queries (`LoomStatus = "suspended"`) tell a waiting or suspended process from a running one and
   * an aborted one from a completed one.
   */
  private showStatus(status: ProcessStatus): void {
    if (!this.showsStatus || status === this.shownStatus) return
    this.shownStatus = status
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE.status, value: status }])
  }

  /** The line the Temporal Web UI shows for this workflow. */
  private showProgress(): void {
    const tops = [...this.current].flatMap((name) => this.topIndex.get(name) ?? [])
    const where = tops.length ? `Step ${Math.min(...tops) + 1}/${this.declaration.steps.length}: **${[...this.current].join(', ')}**` : 'Between steps'
    const notes = [
      !this.engineRunning ? 'engine paused (PUT /api/settings/engine)' : '',
      this.suspended.size ? `suspended at ${[...this.suspended.keys()].join(', ')}: PUT /api/processes/${this.args.process_id}/resume to retry or /abort` : '',
      [...this.waiting.values()].map((w) => `waiting for ${w.step.kind === 'approval' ? w.step.role : w.step.assignee} to answer ${w.step.name}`).join('; '),
      [...this.callbacks.values()].map((c) => `waiting for the callback of ${c.step.name}`).join('; '),
      [...this.fanOuts].map(([name, p]) => `${name}: ${p.ended} of ${p.total} sub-processes ended`).join('; '),
    ].filter(Boolean)
    setCurrentDetails([where, ...notes].join(' — '))
  }
}


/** Outcomes as the log keeps them: a child's result stays in its own process. */
function withoutResults(outcomes: FanOutOutcome[]): Omit<FanOutOutcome, 'result'>[] {
  return outcomes.map(({ result: _, ...o }) => o)
}

function withoutHeartbeat<T extends { heartbeatTimeout?: unknown }>(options: T): Omit<T, 'heartbeatTimeout'> {
  const { heartbeatTimeout: _, ...rest } = options
  return rest
}

/** What an operator needs to know about a failure; plain errors from workflow code are named as bugs. */
function describeFailure(error: unknown): StepError {
  let cause: unknown = error
  while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.cause) cause = cause.cause
  if (cause instanceof ApplicationFailure) return { message: cause.message, type: cause.type ?? null }
  if (cause instanceof TemporalFailure) return { message: cause.message, type: cause.name }
  const e = cause as Error
  if (e?.name === 'DomainError') return { message: e.message, type: e.name }
  return { message: `${e?.name ?? 'Error'}: ${e?.message ?? String(cause)} — a bug in workflow code; fix it, deploy, then retry`, type: e?.name ?? null, workflow_code_error: true }
}
