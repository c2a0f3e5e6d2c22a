import { hostname } from 'node:os'
import { type Client, type WorkflowExecutionDescription, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client'
import { temporal } from '@temporalio/proto'
import type { ProcessActivities, StepRecord } from '#activities/processes/process.activities.js'
import type { Logger } from '#logging/index.js'
import { forgetUnstarted, type PrismaService } from '#persistence/index.js'

/** How often the reconciler looks (it also looks once at start); a pass never overlaps the one before. */
export const RECONCILE_INTERVAL_MS = 10_000
/** A process younger than this is not looked at: its start (or its end) may still be on its way. */
export const RECONCILE_MIN_AGE_MS = 5_000
/**
 * A process whose workflow Temporal does not know is ended only once it is this old: a fan-out step records all of
 * its sub-processes at once and starts them a few at a time, so a sub-process's row may wait for its workflow while
 * its parent runs (those are only ended once the parent has ended), and a row made by hand (tests) gets this long.
 */
export const RECONCILE_NOT_FOUND_GRACE_MS = 60_000
/** this many not found, and more than half of a pass: something is wrong with Temporal, not with the processes */
const MASS_NOT_FOUND = 5
/** How many open processes one pass describes, besides those visibility reports closed: the rest in later passes. */
export const RECONCILE_SWEEP_BATCH = 100
/** How many describe calls one pass has in flight at once. */
const DESCRIBE_CONCURRENCY = 8
/** At most this many recently closed workflows are taken from visibility per pass. */
const MAX_RECENTLY_CLOSED = 500
/** On its first pass the reconciler asks visibility for workflows closed this long ago (older ones: the sweep). */
const FIRST_LOOK_BACK_MS = 60 * 60_000
/** Visibility indexes a closed workflow a moment after it closes: each pass looks back this much further. */
const VISIBILITY_LAG_MS = 60_000

export const WORKFLOW_CLOSED_OUTSIDE_LOOM = 'WorkflowClosedOutsideLoom'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const OPEN_STATUSES = ['created', 'running', 'waiting', 'suspended'] as const
/** Workflow ends that Loom's engine never makes on its own (it ends a process through finishProcess, then completes). */
const CLOSED_OUTSIDE = new Set(['TERMINATED', 'TIMED_OUT', 'CANCELLED', 'FAILED'])

export interface ReconcilerOptions {
  intervalMs?: number
  minAgeMs?: number
  notFoundGraceMs?: number
  sweepBatch?: number
}

export interface ReconcilerDeps {
  client: Client
  namespace: string
  /** the worker's task queue: Loom's processes run on it (visibility is asked only about it) */
  taskQueue: string
  prisma: PrismaService
  processes: ProcessActivities
  logger: Logger
}

interface Candidate {
  id: string
  workflow: string
  parentId: string | null
  createdAt: Date
}

type Verdict =
  | { kind: 'open' }
  | { kind: 'completed' }
  | { kind: 'closed'; status: string; runId: string; closedAt?: Date }
  | { kind: 'not_found' }
  | { kind: 'unknown'; error: Error }

/** What a pass did (tests and logs). */
export interface ReconcileReport {
  looked_at: number
  ended: string[]
  /** recorded by a start that Temporal never took: deleted as the gateway would have */
  forgotten: string[]
}

/**
 * Ends the Loom processes whose Temporal workflow was closed outside Loom — terminated in the Web UI or by
 * `temporal workflow terminate`, timed out, cancelled, failed without the engine recording it, or gone altogether —
 * which would otherwise stay `waiting`/`running` forever with their resource claims and subscription locks held.
 * Such a process ends `failed` through the engine's own end (ProcessActivities.finishProcess): its locks and
 * callbacks released, the subscriptions it changed left out of sync, the claims of subscriptions that never went
 * live given back; its open steps are logged failed.
 *
 * Runs in every worker. Two workers reconciling the same process at once is harmless: finishProcess ends a process
 * only while it has not ended (a conditional update under the row lock), and releasing what it no longer holds
 * changes nothing. The failure names the worker that wrote it, so that only that worker logs the reconciliation.
 */
export class ProcessReconciler {
  private readonly intervalMs: number
  private readonly minAgeMs: number
  private readonly notFoundGraceMs: number
  /** processes whose workflow the previous pass did not find */
  private missingBefore = new Set<string>()
  private readonly sweepBatch: number
  /** names this worker in the failures it writes */
  private readonly identity = `${process.pid}@${hostname()}#${Math.random().toString(36).slice(2, 8)}`
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = true
  /** where the sweep goes on (process ids are uuidv7: in order of creation) */
  private cursor: string | undefined
  /** visibility has been asked up to here */
  private visibleUntil: Date | undefined
  /** completed workflows whose process is open: reported once each */
  private readonly reported = new Set<string>()
  private failing = false
  private describeFailing = false

  constructor(
    private readonly deps: ReconcilerDeps,
    options: ReconcilerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? RECONCILE_INTERVAL_MS
    this.minAgeMs = options.minAgeMs ?? RECONCILE_MIN_AGE_MS
    this.notFoundGraceMs = options.notFoundGraceMs ?? RECONCILE_NOT_FOUND_GRACE_MS
    this.sweepBatch = options.sweepBatch ?? RECONCILE_SWEEP_BATCH
  }

  /** Reconciles now, then every interval until stop(). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.schedule(0)
  }

  /** No more passes; resolves once the one under way (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.reconcile()
        .then(
          () => {
            if (this.failing) this.deps.logger.info('process reconciliation works again')
            this.failing = false
          },
          (error: unknown) => {
            // Temporal or the database away: said once, not every interval.
            if (!this.failing) this.deps.logger.warn({ err: error }, 'process reconciliation failed; retrying every interval')
            this.failing = true
          },
        )
        .finally(() => {
          this.running = undefined
          if (!this.stopped) this.schedule(this.intervalMs)
        })
    }, delayMs)
    // The timer alone does not keep the worker's process alive.
    this.timer.unref()
  }

  /** One pass: the open processes visibility reports closed, plus the next batch of all open processes. */
  async reconcile(): Promise<ReconcileReport> {
    const passAt = new Date()
    const olderThan = new Date(passAt.getTime() - this.minAgeMs)
    const since = new Date((this.visibleUntil?.getTime() ?? passAt.getTime() - FIRST_LOOK_BACK_MS) - VISIBILITY_LAG_MS)
    const select = { id: true, workflow: true, parentId: true, createdAt: true } as const
    const open = { status: { in: [...OPEN_STATUSES] }, completedAt: null, createdAt: { lt: olderThan } }

    const closedIds = await this.recentlyClosed(since).then(
      (ids) => {
        this.visibleUntil = passAt
        // Other workflows on the queue (system_ping-…) are no processes: a process's workflow id is its uuid.
        return ids.filter((id) => UUID.test(id))
      },
      (error: Error) => {
        this.deps.logger.debug({ err: error }, 'visibility query for closed workflows failed; the sweep goes on')
        return []
      },
    )
    const recent = closedIds.length ? await this.deps.prisma.process.findMany({ where: { ...open, id: { in: closedIds } }, select }) : []
    const sweep =
      this.sweepBatch > 0
        ? await this.deps.prisma.process.findMany({ where: { ...open, ...(this.cursor ? { id: { gt: this.cursor } } : {}) }, orderBy: { id: 'asc' }, take: this.sweepBatch, select })
        : []
    // Round and round: past the last open process, the next pass begins again at the first.
    this.cursor = sweep.length < this.sweepBatch ? undefined : sweep.at(-1)?.id

    const candidates = new Map<string, Candidate>()
    for (const c of [...recent, ...sweep]) candidates.set(c.id, c)
    // Parents before their sub-processes (a sub-process without a workflow is ended only once its parent has).
    const ordered = [...candidates.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
    const verdicts = await mapLimit(ordered, DESCRIBE_CONCURRENCY, (c) => this.verdict(c.id))

    const ended: string[] = []
    const forgotten: string[] = []
    const unknown: Error[] = []
    // Most of what it looked at missing is not many lost workflows but a wrong namespace or a Temporal that lost its
    // data: nothing is ended for it, and it is said loudly.
    const missing = verdicts.filter((v) => v.kind === 'not_found').length
    const implausible = missing >= MASS_NOT_FOUND && missing * 2 > verdicts.length
    if (implausible) this.deps.logger.error({ missing, looked_at: verdicts.length, namespace: this.deps.namespace }, 'most open processes have no workflow in Temporal: not ending them (wrong namespace, or Temporal lost its data?)')
    const seenMissing = new Set<string>()
    for (const [i, candidate] of ordered.entries()) {
      const verdict = verdicts[i]
      try {
        if (verdict.kind === 'unknown') unknown.push(verdict.error)
        else if (verdict.kind === 'completed') this.reportCompleted(candidate)
        else if (verdict.kind === 'closed') {
          const failure = await this.closedFailure(candidate.id, verdict)
          // Still the latest run, still closed (a reset meanwhile starts a new run, which goes on with the process).
          const now = await this.verdict(candidate.id)
          if (now.kind === 'closed' && now.runId === verdict.runId && (await this.end(candidate, failure))) ended.push(candidate.id)
        } else if (verdict.kind === 'not_found') {
          seenMissing.add(candidate.id)
          if (!implausible && this.missingBefore.has(candidate.id) && (await this.goneForGood(candidate, passAt))) {
            // A start that never reached Temporal (the gateway could not forget it then): as if never asked.
            if (candidate.parentId === null && (await forgetUnstarted(this.deps.prisma, candidate.id)).forgotten) {
              this.deps.logger.warn({ process_id: candidate.id, workflow: candidate.workflow }, `process ${candidate.id} was recorded but its workflow never started: forgotten, its claims and locks released`)
              forgotten.push(candidate.id)
              continue
            }
            const message = `the workflow was not found in Temporal (namespace "${this.deps.namespace}"): it was deleted there, or its history is past retention`
            if (await this.end(candidate, { message, details: { temporal_status: 'NOT_FOUND' } })) ended.push(candidate.id)
          }
        }
      } catch (error) {
        unknown.push(error as Error)
      }
    }
    // Not found in two passes in a row (one is a race with a start that is still being recorded), then ended.
    this.missingBefore = seenMissing
    if (ordered.length) this.deps.logger.debug({ recently_closed: recent.length, swept: sweep.length, ended: ended.length }, 'reconciled processes with Temporal')
    // Said once while it lasts (Temporal away), not every pass.
    if (unknown.length && !this.describeFailing) {
      this.deps.logger.warn({ err: unknown[0], count: unknown.length }, 'could not reconcile some processes with Temporal; trying again every pass')
    }
    this.describeFailing = unknown.length > 0
    return { looked_at: ordered.length, ended, forgotten }
  }

  /** The ids of workflows on Loom's task queue that closed the ways Loom never closes them, since `since`. */
  private async recentlyClosed(since: Date): Promise<string[]> {
    const queue = this.deps.taskQueue.replace(/["\\]/g, '\\$&')
    const query = `TaskQueue = "${queue}" AND ExecutionStatus IN ("Terminated", "TimedOut", "Canceled", "Failed") AND CloseTime >= "${since.toISOString()}"`
    const ids: string[] = []
    for await (const w of this.deps.client.workflow.list({ query, pageSize: 100 })) {
      ids.push(w.workflowId)
      if (ids.length >= MAX_RECENTLY_CLOSED) break
    }
    return ids
  }

  /** What Temporal says of the process's workflow: its latest run (past any continue-as-new or reset). */
  private async verdict(id: string): Promise<Verdict> {
    let description: WorkflowExecutionDescription
    try {
      description = await this.deps.client.workflow.getHandle(id).describe()
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { kind: 'not_found' }
      return { kind: 'unknown', error: error as Error }
    }
    const status = description.status.name
    if (status === 'COMPLETED') return { kind: 'completed' }
    if (CLOSED_OUTSIDE.has(status)) return { kind: 'closed', status, runId: description.runId, closedAt: description.closeTime }
    return { kind: 'open' }
  }

  /** The failure of a process whose workflow Temporal closed: what its close event says (who terminated it, and why). */
  private async closedFailure(id: string, closed: { status: string; runId: string; closedAt?: Date }): Promise<{ message: string; details: Record<string, unknown> }> {
    const { history } = await this.deps.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.deps.namespace,
      execution: { workflowId: id, runId: closed.runId },
      historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    })
    const event = history?.events?.at(-1)
    const details: Record<string, unknown> = { temporal_status: closed.status, run_id: closed.runId, closed_at: closed.closedAt?.toISOString() ?? null }
    const terminated = event?.workflowExecutionTerminatedEventAttributes
    if (closed.status === 'TERMINATED') {
      const reason = terminated?.reason || 'no reason given'
      const identity = terminated?.identity || 'unknown identity'
      return { message: `the workflow was terminated in Temporal: ${reason} (by ${identity})`, details: { ...details, reason, identity } }
    }
    if (closed.status === 'TIMED_OUT') return { message: 'the workflow timed out in Temporal (its execution or run timeout passed)', details }
    if (closed.status === 'CANCELLED') return { message: 'the workflow was cancelled in Temporal', details }
    // The failure may be encoded (encrypted payloads): its decoded message is what the handle's result throws.
    const cause = await this.deps.client.workflow
      .getHandle(id, closed.runId, { followRuns: false })
      .result()
      .then(
        () => undefined,
        (error: unknown) => (error instanceof WorkflowFailedError ? error.cause?.message : undefined),
      )
    const message = cause || event?.workflowExecutionFailedEventAttributes?.failure?.message || 'no message'
    return { message: `the workflow failed in Temporal without Loom recording its end: ${message}`, details }
  }

  /** A process without a workflow is ended once it is old enough — a sub-process only once its parent has ended. */
  private async goneForGood(candidate: Candidate, passAt: Date): Promise<boolean> {
    if (passAt.getTime() - candidate.createdAt.getTime() < this.notFoundGraceMs) return false
    if (!candidate.parentId) return true
    const parent = await this.deps.prisma.process.findUnique({ where: { id: candidate.parentId }, select: { completedAt: true } })
    return !parent || parent.completedAt !== null
  }

  /**
   * Ends the process `failed` the engine's way, its open steps logged failed with the same message. True when
   * this worker's write ended it (another worker, or the workflow's own late end, may have come first).
   */
  private async end(candidate: Candidate, what: { message: string; details: Record<string, unknown> }): Promise<boolean> {
    const id = candidate.id
    const failure = { message: what.message, step: null, type: WORKFLOW_CLOSED_OUTSIDE_LOOM, details: { ...what.details, reconciled_by: this.identity } }
    const now = new Date()
    const open = await this.deps.prisma.processStep.findMany({ where: { processId: id, status: { in: ['running', 'waiting'] } }, select: { name: true, startedAt: true } })
    const records: StepRecord[] = open.map((s) => ({
      process_id: id,
      step: s.name,
      started_at: (s.startedAt ?? now).toISOString(),
      status: 'failed',
      error: { message: what.message, type: WORKFLOW_CLOSED_OUTSIDE_LOOM },
    }))
    await this.deps.processes.finishProcess({ process_id: id, status: 'failed', failure, records })
    const row = await this.deps.prisma.process.findUnique({ where: { id }, select: { status: true, failure: true } })
    const mine = (row?.failure as { details?: { reconciled_by?: string } } | null)?.details?.reconciled_by === this.identity
    if (mine) {
      this.deps.logger.warn(
        { process_id: id, workflow: candidate.workflow, temporal: what.details, steps_failed: open.map((s) => s.name) },
        `process ${id} ended failed: ${what.message}; its claims and locks are released`,
      )
    }
    return mine
  }

  private reportCompleted(candidate: Candidate): void {
    if (this.reported.has(candidate.id)) return
    if (this.reported.size > 10_000) this.reported.clear()
    this.reported.add(candidate.id)
    // The engine completes a workflow only after its end is recorded: left alone, for someone to look at.
    this.deps.logger.warn({ process_id: candidate.id, workflow: candidate.workflow }, `the workflow of process ${candidate.id} completed in Temporal but its process has not ended; left as it is`)
  }
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}
