import { Injectable } from '@nestjs/common'
import { Context } from '@temporalio/activity'
import { v7 as uuidv7 } from 'uuid'
import type { ProcessStatus, StepStatus } from '#domain/index.js'
import { type Prisma, PrismaService } from '#persistence/index.js'
import type { StepContext } from './step-context.js'

export type Tx = Prisma.TransactionClient

/** What the log records of a step (and, with `process_status`, of its process). JSON values are written as given. */
export interface StepEntry {
  status: StepStatus
  state_delta?: Record<string, unknown>
  answered_by?: string
  error?: unknown
  attempts?: number
  process_status?: ProcessStatus
  assignee?: string | null
  /** a suspended process's failure: {step, message, type} */
  failure?: Record<string, unknown>
}

function attempt(): number {
  try {
    return Context.current().info.attempt
  } catch {
    return 1 // called outside an activity (tests)
  }
}

/** The permanent step log, written as a process runs; also what makes step activities idempotent. */
@Injectable()
export class StepLog {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `work` once per (process, step). The work and the step's success commit in one transaction, so a
   * retry after a crash either finds the step done — and gets its stored result back, changing nothing —
   * or finds nothing done and does it all.
   */
  async once<T>(ctx: StepContext, work: (tx: Tx) => Promise<{ result: T; state_delta: unknown }>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      // Creates the step's row, or locks the existing one (the no-op update takes the row lock), and reads it.
      // It also names the process and step for the rest of the transaction: the subscription versions it
      // writes say which step made them (set_config in RETURNING costs no round trip of its own).
      const [row] = await tx.$queryRaw<{ status: StepStatus; result: T | null }[]>`
        INSERT INTO process_steps (id, process_id, name, status, started_at)
        VALUES (${uuidv7()}::uuid, ${ctx.process_id}::uuid, ${ctx.step}, 'running', ${ctx.started_at}::timestamptz)
        ON CONFLICT (process_id, name) DO UPDATE SET name = EXCLUDED.name
        RETURNING status::text AS status, result, set_config('loom.process_id', process_id::text, true) AS p, set_config('loom.step', name, true) AS s`
      if (row.status === 'success') return row.result as T
      const { result, state_delta } = await work(tx)
      await tx.$executeRaw`
        WITH step AS (
          UPDATE process_steps
          SET status = 'success', completed_at = now(), state_delta = ${JSON.stringify(state_delta)}::jsonb,
              result = ${JSON.stringify(result)}::jsonb, attempts = ${attempt()}, error = NULL
          WHERE process_id = ${ctx.process_id}::uuid AND name = ${ctx.step})
        UPDATE processes SET status = 'running', updated_at = now()
        WHERE id = ${ctx.process_id}::uuid AND status NOT IN ('completed', 'aborted', 'failed')`
      return result
    })
  }

  /**
   * For work that is idempotent by a key of its own and talks to another system or connection (an IPAM, a
   * DCIM, a device): a step already done returns its stored result; otherwise the work runs outside any
   * transaction of the log — it must not hold a database connection while it waits for another — and its
   * success is recorded after. A crash in between repeats the work, which its own key makes harmless.
   */
  async onceOutside<T>(ctx: StepContext, work: () => Promise<{ result: T; state_delta: unknown }>): Promise<T> {
    const done = await this.prisma.processStep.findUnique({ where: { processId_name: { processId: ctx.process_id, name: ctx.step } }, select: { status: true, result: true } })
    if (done?.status === 'success') return done.result as T
    const { result, state_delta } = await work()
    return this.once(ctx, () => Promise.resolve({ result, state_delta }))
  }

  /**
   * Records a step's status and state change (the engine's view of it, also for steps whose activity recorded
   * them done), or an error. Never undoes a success, except with a success: a late retry of an earlier record
   * must not reopen an answered step.
   */
  async record(ctx: StepContext, entry: StepEntry): Promise<void> {
    const done = entry.status === 'success' || entry.status === 'skipped'
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v))
    // One statement, one round trip, prepared once per connection: this runs for every step of every process.
    await this.prisma.pool.query({
      name: 'loom_record_step',
      text: `WITH step AS (
         INSERT INTO process_steps (id, process_id, name, status, started_at, completed_at, state_delta, answered_by, error, attempts)
         VALUES ($1::uuid, $2::uuid, $3::text, $4::step_status, $5::timestamptz, CASE WHEN $6::boolean THEN now() END, $7::jsonb, $8::text, $9::jsonb, $10::int)
         ON CONFLICT (process_id, name) DO UPDATE
           SET status = EXCLUDED.status,
               completed_at = COALESCE(process_steps.completed_at, EXCLUDED.completed_at),
               state_delta = COALESCE(EXCLUDED.state_delta, process_steps.state_delta),
               answered_by = COALESCE(EXCLUDED.answered_by, process_steps.answered_by),
               error = CASE WHEN EXCLUDED.status IN ('success', 'skipped') THEN NULL ELSE COALESCE(EXCLUDED.error, process_steps.error) END,
               attempts = GREATEST(process_steps.attempts, EXCLUDED.attempts)
           WHERE process_steps.status NOT IN ('success', 'skipped') OR EXCLUDED.status IN ('success', 'skipped')
       )
       UPDATE processes
       SET status = $11::process_status,
           assignee = CASE WHEN $12::boolean THEN $13::text ELSE assignee END,
           failure = CASE WHEN $14::jsonb IS NOT NULL THEN $14::jsonb WHEN $11::process_status = 'running' THEN NULL ELSE failure END,
           updated_at = now()
       WHERE id = $2::uuid AND $11::process_status IS NOT NULL AND status NOT IN ('completed', 'aborted', 'failed')`,
      values: [
        uuidv7(), ctx.process_id, ctx.step, entry.status, ctx.started_at, done,
        json(entry.state_delta), entry.answered_by ?? null, json(entry.error), entry.attempts ?? attempt(),
        entry.process_status ?? null, entry.assignee !== undefined, entry.assignee ?? null, json(entry.failure),
      ],
    })
  }
}
