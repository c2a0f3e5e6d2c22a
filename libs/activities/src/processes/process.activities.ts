import { createHash, randomBytes } from 'node:crypto'
import { Inject, Injectable } from '@nestjs/common'
import { ApplicationFailure, Context } from '@temporalio/activity'
import { v7 as uuidv7 } from 'uuid'
import type { WorkflowTarget } from '#domain/index.js'
import { type LastProcess, lastCompletedProcesses, lockSubscriptions, MessageSigner, type Prisma, PrismaService, SubscriptionLocked } from '#persistence/index.js'
import type { StepContext } from './step-context.js'
import { type StepEntry, StepLog } from './step-log.js'
import { RUN_CUSTOM_WORKFLOW } from '#workflows/names.js'

/** The gateway's base URL as other systems reach it (LOOM_PUBLIC_URL): callback URLs start with it. */
export const PUBLIC_URL = Symbol('PUBLIC_URL')
/** Where callback steps may send their notice (LOOM_CALLBACK_URL_PREFIXES): a start form's URL is no licence to reach anywhere. */
export const CALLBACK_URL_PREFIXES = Symbol('CALLBACK_URL_PREFIXES')

export type StepRecord = StepContext &
  StepEntry & {
    /** a callback step that stopped waiting: its token no longer works */
    close_callback?: boolean
  }

export function callbackTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Activities of the engine itself: the process log, callbacks and child processes. */
@Injectable()
export class ProcessActivities {
  private readonly signer: MessageSigner

  constructor(
    private readonly prisma: PrismaService,
    private readonly steps: StepLog,
    @Inject(PUBLIC_URL) private readonly publicUrl: string,
    @Inject(CALLBACK_URL_PREFIXES) private readonly callbackPrefixes: string[],
  ) {
    this.signer = new MessageSigner(prisma)
  }

  /**
   * Why a process workflow may not run, or null: its process must be recorded (by the gateway, or by its parent),
   * for this workflow, and not have run yet. The first run to ask takes the process up (`run_id`, under the row's
   * lock): from then on the gateway no longer forgets it (a start whose answer never came back) and no other run
   * may take it; the subscriptions it locked go out of sync now if the gateway has not said so yet. The row is
   * committed before the workflow is started (by the gateway, or by its parent's startChildProcess(es)).
   */
  async startRefusal(input: { process_id: string; workflow: string }): Promise<string | null> {
    const id = input.process_id
    // Always set for an activity of a workflow (Temporal's standalone activities have none; Loom runs none).
    const runId = Context.current().info.workflowExecution?.runId ?? ''
    // One statement, one round trip (every process runs this once): the row is read under its lock as it was, and
    // taken up — with its locked subscriptions marked out of sync, as markLockedOutOfSync does for the gateway — only
    // where that read allows it.
    // A custom workflow's process is recorded under its own name and runs as the interpreter (run_custom_workflow).
    const { rows } = await this.prisma.pool.query<{ workflow: string; runs_as: string; status: string; completed: boolean; run_id: string | null }>(
      `WITH row AS (
         SELECT workflow, CASE WHEN workflow_version_id IS NULL THEN workflow ELSE '${RUN_CUSTOM_WORKFLOW}' END AS runs_as,
           status::text AS status, completed_at IS NOT NULL AS completed, run_id FROM processes WHERE id = $1::uuid FOR UPDATE
       ), taken AS (
         UPDATE processes SET run_id = $3, updated_at = now() FROM row
         WHERE processes.id = $1::uuid AND row.run_id IS NULL AND row.runs_as = $2 AND row.status = 'created' AND NOT row.completed
         RETURNING processes.id
       ), out_of_sync AS (
         UPDATE subscriptions SET insync = false, version = version + 1, updated_at = now()
         WHERE locked_by = (SELECT id FROM taken) AND insync
       )
       SELECT * FROM row`,
      [id, input.workflow, runId],
    )
    const [row] = rows
    if (!row) return `no process ${id} was recorded`
    if (row.runs_as !== input.workflow) return `process ${id} is a ${row.workflow}, not a ${input.workflow}`
    if (row.status !== 'created' || row.completed || (row.run_id !== null && row.run_id !== runId)) return `process ${id} has run already (${row.status})`
    return null
  }

  /** Signs a message one workflow sends another (a parent's abort to its children), as the gateway signs its own. */
  async signMessage(input: { process_id: string; kind: string; payload: unknown }): Promise<string> {
    return this.signer.sign(input.process_id, input.kind, input.payload)
  }

  /** Whether a message to a workflow was signed by the gateway (MessageSigner): the workflow refuses it otherwise. */
  async verifyMessage(input: { process_id: string; kind: string; payload: unknown; signature: string }): Promise<boolean> {
    return this.signer.verify(input.process_id, input.kind, input.payload, input.signature)
  }

  /** Log entries in the order the engine made them. */
  async recordSteps(records: StepRecord[]): Promise<void> {
    for (const record of records) await this.recordStep(record)
  }

  async recordStep(input: StepRecord): Promise<void> {
    if (input.close_callback) await this.prisma.processCallback.deleteMany({ where: { processId: input.process_id, step: input.step } })
    await this.steps.record(input, input)
  }

  /**
   * Ends the process: releases its subscription locks (only a completed process leaves them in sync, and only those
   * its sub-processes did not leave aborted or failed), its open
   * callbacks, and — unless it completed — the resources it claimed for subscriptions that never went live.
   */
  async finishProcess(input: { process_id: string; status: 'completed' | 'failed' | 'aborted'; failure?: Record<string, unknown>; records?: StepRecord[] }): Promise<void> {
    await this.recordSteps(input.records ?? [])
    // One statement, one round trip (every process ends through it). A completed process leaves its subscriptions in
    // sync — except those a sub-process changed under a borrowed lock and did not complete: not known to be in sync.
    await this.prisma.pool.query(
      `WITH ended AS (
         UPDATE processes SET status = $2::process_status, completed_at = now(), assignee = NULL, failure = COALESCE($3::jsonb, failure), updated_at = now()
         WHERE id = $1::uuid AND status NOT IN ('completed', 'aborted', 'failed')
       ), unsettled AS (
         SELECT ps.subscription_id FROM process_subscriptions ps JOIN processes child ON child.id = ps.process_id
         WHERE child.parent_id = $1::uuid AND child.status IN ('aborted', 'failed')
       ), released AS (
         UPDATE subscriptions
         SET locked_by = NULL, insync = ($2 = 'completed' AND id NOT IN (SELECT subscription_id FROM unsettled)), version = version + 1, updated_at = now()
         WHERE locked_by = $1::uuid
       ), callbacks AS (
         DELETE FROM process_callbacks WHERE process_id = $1::uuid
       )
       DELETE FROM resource_claims claim
       WHERE $2 <> 'completed' AND claim.process_id = $1::uuid
         AND (claim.subscription_id IS NULL OR claim.subscription_id IN (SELECT id FROM subscriptions WHERE lifecycle IN ('initial', 'terminated')))`,
      [input.process_id, input.status, input.failure ? JSON.stringify(input.failure) : null],
    )
  }

  /**
   * Opens a callback step: a fresh token (only its hash is stored), the step recorded waiting, and — when the
   * step names one — the other system told where to call back. A retry makes a new token; the old one stops working.
   */
  async openCallback(input: StepContext & { notify: { url: string; body?: Record<string, unknown> } | null }): Promise<{ opened: true }> {
    const token = randomBytes(24).toString('base64url')
    const callbackUrl = `${this.publicUrl}/api/processes/${input.process_id}/callback/${token}`
    const tokenHash = callbackTokenHash(token)
    await this.prisma.processCallback.upsert({
      where: { processId_step: { processId: input.process_id, step: input.step } },
      create: { processId: input.process_id, step: input.step, tokenHash },
      update: { tokenHash, createdAt: new Date() },
    })
    await this.steps.record(input, { status: 'waiting', state_delta: { callback: input.notify ? `sent to ${input.notify.url}` : 'awaiting' } })
    if (input.notify) {
      const url = input.notify.url
      if (!this.callbackPrefixes.some((prefix) => url.startsWith(prefix))) {
        throw ApplicationFailure.nonRetryable(
          `the callback notice may not go to ${url}: it is not under LOOM_CALLBACK_URL_PREFIXES (${this.callbackPrefixes.join(', ') || 'unset: nowhere'})`,
          'NotAllowed',
        )
      }
      // No redirect is followed: the notice (with its one-time callback URL) goes where it was allowed to, or nowhere.
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...input.notify.body, process_id: input.process_id, step: input.step, callback_url: callbackUrl }),
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      }).catch((error: Error) => {
        throw ApplicationFailure.retryable(`could not notify ${url}: ${error.message}`, 'Unavailable')
      })
      // What the remote says is not repeated: only its status.
      if (!response.ok) throw ApplicationFailure.retryable(`${url} answered ${response.status} to the callback notice${response.status >= 300 && response.status < 400 ? ' (a redirect, not followed)' : ''}`, 'Unavailable')
    }
    return { opened: true }
  }

  /** The process row of a sub-workflow, locking the subscriptions it changes (or borrowing its parent's locks); once per (parent, step). */
  async startChildProcess(input: StepContext & ChildProcesses & { subscription_ids: string[] }): Promise<{ process_id: string }> {
    return this.steps.once(input, async (tx) => {
      const [child] = await this.createChildren(tx, input, [{ process_id: uuidv7(), subscription_ids: input.subscription_ids }])
      if ('refused' in child) throw ApplicationFailure.nonRetryable(child.refused, 'Conflict')
      return { result: { process_id: child.process_id }, state_delta: { child_process_id: child.process_id } }
    })
  }

  /**
   * The process rows of a fan-out step's sub-processes, one per entry of `children` (its id chosen by the parent),
   * in one transaction; a child whose subscriptions another process holds is refused, naming the holder, and the
   * others start. Idempotent by the children's ids: a retry finds the rows it made. No log entry of its own: the
   * step stays running until its children have ended.
   */
  async startChildProcesses(input: StepContext & ChildProcesses & { children: { process_id: string; subscription_ids: string[] }[] }): Promise<StartedChild[]> {
    return this.prisma.$transaction((tx) => this.createChildren(tx, input, input.children))
  }

  /** For each subscription, the last completed process of one of `workflows` that changed it, and its parent's workflow (read only). */
  async lastCompletedProcesses(input: { subscription_ids: string[]; workflows: string[] }): Promise<Record<string, LastProcess | null>> {
    return lastCompletedProcesses(this.prisma, input.subscription_ids, input.workflows)
  }

  private async createChildren(tx: Prisma.TransactionClient, parent: StepContext & ChildProcesses, children: { process_id: string; subscription_ids: string[] }[]): Promise<StartedChild[]> {
    const products = new Map(
      (await tx.subscription.findMany({ where: { id: { in: children.flatMap((c) => c.subscription_ids) } }, select: { id: true, product: true } })).map((s) => [s.id, s.product]),
    )
    const made = new Set((await tx.process.findMany({ where: { id: { in: children.map((c) => c.process_id) } }, select: { id: true } })).map((p) => p.id))
    // A child acts for whom its parent acts (a schedule's creator): they may not approve its steps either. It
    // belongs to its parent's tenant: a drain never leaks into another.
    const { actingFor, tenantId } = await tx.process.findUniqueOrThrow({ where: { id: parent.process_id }, select: { actingFor: true, tenantId: true } })
    const started: StartedChild[] = []
    for (const { process_id: id, subscription_ids: ids } of children) {
      const product = products.get(ids[0]) ?? null
      if (made.has(id)) {
        started.push({ process_id: id, product })
        continue
      }
      await tx.process.create({ data: { id, workflow: parent.workflow, target: parent.target, status: 'created', createdBy: parent.created_by, actingFor, tenantId, parentId: parent.process_id } })
      try {
        await lockSubscriptions(tx, id, ids, { borrowFrom: parent.process_id })
      } catch (error) {
        if (!(error instanceof SubscriptionLocked)) throw error
        await tx.process.delete({ where: { id } })
        started.push({ refused: error.message })
        continue
      }
      await tx.processSubscription.createMany({ data: ids.map((subscriptionId) => ({ processId: id, subscriptionId })) })
      started.push({ process_id: id, product })
    }
    return started
  }
}

interface ChildProcesses {
  workflow: string
  target: WorkflowTarget
  created_by: string
}

/** A sub-process of a fan-out step: started (its process row made, its locks taken), or refused with the reason. */
export type StartedChild = { process_id: string; product: string | null } | { refused: string }

