import { createHash, randomBytes } from 'node:crypto'
import { Inject, Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import { v7 as uuidv7 } from 'uuid'
import type { WorkflowTarget } from '#domain/index.js'
import { lockSubscriptions, type Prisma, PrismaService, SubscriptionLocked } from '#persistence/index.js'
import type { StepContext } from './step-context.js'
import { type StepEntry, StepLog } from './step-log.js'

/** The gateway's base URL as other systems reach it (LOOM_PUBLIC_URL): callback URLs start with it. */
export const PUBLIC_URL = Symbol('PUBLIC_URL')

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
  constructor(
    private readonly prisma: PrismaService,
    private readonly steps: StepLog,
    @Inject(PUBLIC_URL) private readonly publicUrl: string,
  ) {}

  /** Log entries in the order the engine made them. */
  async recordSteps(records: StepRecord[]): Promise<void> {
    for (const record of records) await this.recordStep(record)
  }

  async recordStep(input: StepRecord): Promise<void> {
    if (input.close_callback) await this.prisma.processCallback.deleteMany({ where: { processId: input.process_id, step: input.step } })
    await this.steps.record(input, input)
  }

  /**
   * Ends the process: releases its subscription locks (only a completed process leaves them in sync), its open
   * callbacks, and — unless it completed — the resources it claimed for subscriptions that never went live.
   */
  async finishProcess(input: { process_id: string; status: 'completed' | 'failed' | 'aborted'; failure?: Record<string, unknown>; records?: StepRecord[] }): Promise<void> {
    await this.recordSteps(input.records ?? [])
    const id = input.process_id
    await this.prisma.$transaction(async (tx) => {
      await tx.process.updateMany({
        where: { id, status: { notIn: ['completed', 'aborted', 'failed'] } },
        data: { status: input.status, completedAt: new Date(), assignee: null, ...(input.failure ? { failure: input.failure as Prisma.InputJsonObject } : {}) },
      })
      await tx.subscription.updateMany({ where: { lockedBy: id }, data: { lockedBy: null, insync: input.status === 'completed', version: { increment: 1 } } })
      await tx.processCallback.deleteMany({ where: { processId: id } })
      if (input.status !== 'completed') {
        await tx.resourceClaim.deleteMany({ where: { processId: id, OR: [{ subscriptionId: null }, { subscription: { lifecycle: { in: ['initial', 'terminated'] } } }] } })
      }
    })
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
      const response = await fetch(input.notify.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...input.notify.body, process_id: input.process_id, step: input.step, callback_url: callbackUrl }),
        signal: AbortSignal.timeout(10_000),
      }).catch((error: Error) => {
        throw ApplicationFailure.retryable(`could not notify ${input.notify!.url}: ${error.message}`, 'Unavailable')
      })
      if (!response.ok) throw ApplicationFailure.retryable(`${input.notify.url} answered ${response.status} to the callback notice`, 'Unavailable')
    }
    return { opened: true }
  }

  /** The process row of a sub-workflow, locking the subscriptions it changes; once per (parent, step). */
  async startChildProcess(
    input: StepContext & { workflow: string; target: WorkflowTarget; created_by: string; subscription_ids: string[] },
  ): Promise<{ process_id: string }> {
    return this.steps.once(input, async (tx) => {
      const id = uuidv7()
      await tx.process.create({ data: { id, workflow: input.workflow, target: input.target, status: 'created', createdBy: input.created_by, parentId: input.process_id } })
      try {
        await lockSubscriptions(tx, id, input.subscription_ids)
      } catch (error) {
        if (error instanceof SubscriptionLocked) throw ApplicationFailure.nonRetryable(error.message, 'Conflict')
        throw error
      }
      for (const subscriptionId of input.subscription_ids) await tx.processSubscription.create({ data: { processId: id, subscriptionId } })
      return { result: { process_id: id }, state_delta: { child_process_id: id } }
    })
  }
}

