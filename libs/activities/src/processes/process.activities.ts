import { Injectable } from '@nestjs/common'
import type { ProcessStatus, StepStatus } from '../../../domain/src/index.js'
import { type Prisma, PrismaService } from '../../../persistence/src/index.js'
import type { StepContext } from './step-context.js'
import { StepLog } from './step-log.js'

/** Activities of the process log itself. */
@Injectable()
export class ProcessActivities {
  constructor(
    private readonly prisma: PrismaService,
    private readonly steps: StepLog,
  ) {}

  async recordStep(
    input: StepContext & { status: StepStatus; state_delta?: Record<string, unknown>; answered_by?: string; process_status?: ProcessStatus; assignee?: string | null },
  ): Promise<void> {
    await this.steps.record(input, { ...input, state_delta: input.state_delta as Prisma.InputJsonValue | undefined })
  }

  /** Ends the process and releases the locks it holds; only a completed process leaves its subscriptions in sync. */
  async finishProcess(input: { process_id: string; status: 'completed' | 'failed'; failure?: { message: string } }): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.process.updateMany({
        where: { id: input.process_id, status: { notIn: ['completed', 'aborted', 'failed'] } },
        data: { status: input.status, completedAt: new Date(), ...(input.failure ? { failure: input.failure, assignee: null } : { assignee: null }) },
      })
      await tx.subscription.updateMany({
        where: { lockedBy: input.process_id },
        data: { lockedBy: null, insync: input.status === 'completed', version: { increment: 1 } },
      })
    })
  }
}
