// Before the step engine: the state a hand-written process workflow kept about itself. Only the workflows that
// replay processes started before the engine (legacy/*.before-engine.ts) use it; delete with them.
import { ApplicationFailure, condition, setCurrentDetails, setHandler } from '@temporalio/workflow'
import { z } from 'zod'
import type { StepContext } from '#activities/processes/step-context.js'
import { INVALID_ANSWER, liveStateQuery, NOT_WAITING, type PendingInput, resumeUpdate } from '../messages.js'
import { fieldErrors } from '../zod-errors.js'

interface Waiting {
  step: string
  schema: z.ZodType
  assignee: string | null
  data: Record<string, unknown>
}

export interface Answer<T> {
  value: T
  user: string
}

export class ProcessRun {
  private currentStep: string | null = null
  private waiting: Waiting | null = null
  private answer: Answer<unknown> | null = null

  constructor(
    readonly processId: string,
    private readonly declaration: { name: string; steps: readonly { name: string; label: string }[] },
  ) {
    setHandler(liveStateQuery, () => ({
      current_step: this.currentStep,
      current_steps: this.currentStep ? [this.currentStep] : [],
      pending_input: this.pendingInput(),
      awaiting_callback: [],
      suspended: [],
      paused: false,
      aborting: false,
      state: {},
    }))
    setHandler(
      resumeUpdate,
      ({ answer, user }) => {
        const waiting = this.waiting!
        this.answer = { value: waiting.schema.parse(answer), user }
        return { step: waiting.step }
      },
      {
        // Synchronous, so that a bad answer is refused before it enters history.
        validator: ({ answer }) => {
          if (!this.waiting || this.answer) throw ApplicationFailure.create({ type: NOT_WAITING, message: `the process is not waiting for input (current step: ${this.currentStep ?? 'none'})` })
          const parsed = this.waiting.schema.safeParse(answer)
          if (!parsed.success) {
            throw ApplicationFailure.create({ type: INVALID_ANSWER, message: `invalid answer to ${this.waiting.step}`, details: [fieldErrors(parsed.error)] })
          }
        },
      },
    )
  }

  /** Enters a step: the context its activity needs, and a readable line for the Temporal Web UI. */
  enter(step: string): StepContext {
    const index = this.declaration.steps.findIndex((s) => s.name === step)
    if (index < 0) throw new Error(`step ${step} is not declared by ${this.declaration.name}`)
    this.currentStep = step
    setCurrentDetails(`Step ${index + 1}/${this.declaration.steps.length}: **${step}** — ${this.declaration.steps[index].label}`)
    return { process_id: this.processId, step, started_at: new Date().toISOString() }
  }

  /** The context of a step that undoes another (a compensation): not part of the declared list, never shown as current. */
  compensation(step: string): StepContext {
    return { process_id: this.processId, step, started_at: new Date().toISOString() }
  }

  /**
   * Waits until someone answers the current input step with an answer `schema` accepts. The workflow accepts
   * answers from before `announce` (which records the wait in the process log) runs, so that nobody who sees
   * the process waiting is refused.
   */
  async waitForAnswer<T>(
    step: string,
    input: { schema: z.ZodType<T>; assignee: string | null; data: Record<string, unknown> },
    announce: () => Promise<void>,
  ): Promise<Answer<T>> {
    this.waiting = { step, ...input }
    this.answer = null
    setCurrentDetails(`Waiting for ${input.assignee ?? 'anyone'} to answer **${step}** (PUT /api/processes/${this.processId}/resume)`)
    await announce()
    await condition(() => this.answer !== null)
    const answer = this.answer as unknown as Answer<T>
    this.waiting = null
    return answer
  }

  private pendingInput(): PendingInput | null {
    if (!this.waiting || this.answer) return null
    const label = this.declaration.steps.find((s) => s.name === this.waiting!.step)?.label ?? this.waiting.step
    return { step: this.waiting.step, label, kind: 'input', assignee: this.waiting.assignee, form: z.toJSONSchema(this.waiting.schema, { io: 'input' }), data: this.waiting.data }
  }
}
