// Messages every Loom process workflow answers. Defined once; the gateway imports them to call the workflow.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow'
import { z } from 'zod'
import type { ApprovalStep, InputStep, StepKind } from './declaration.js'

export interface PendingInput {
  step: string
  label: string
  kind: Extract<StepKind, 'input' | 'approval'>
  /** who is expected to answer (a team or role) */
  assignee: string | null
  /** JSON Schema of the answer */
  form: Record<string, unknown>
  /** what the person needs to see to answer, e.g. the configuration to apply */
  data: Record<string, unknown>
  /** approvals that expire: when (ISO) */
  expires_at?: string | null
}

/** What a person sees of the input or approval step waiting for them (the workflow's view, or the log's). */
export function pendingInputOf(step: InputStep | ApprovalStep, data: Record<string, unknown>, expiresAt: string | null): PendingInput {
  return {
    step: step.name,
    label: step.label,
    kind: step.kind,
    assignee: step.kind === 'approval' ? step.role : step.assignee,
    form: z.toJSONSchema(step.answer, { io: 'input' }),
    data,
    expires_at: expiresAt,
  }
}

export interface SuspendedStep {
  step: string
  error: StepError
}

export interface StepError {
  message: string
  type: string | null
  /** a bug in workflow code rather than a failed activity: fix the code, then retry */
  workflow_code_error?: boolean
}

export interface LiveProcessState {
  current_step: string | null
  /** every step running or waiting now (more than one inside a parallel group) */
  current_steps: string[]
  pending_input: PendingInput | null
  /** steps waiting for an external system's callback */
  awaiting_callback: string[]
  suspended: SuspendedStep[]
  /** the engine is paused (PUT /api/settings/engine): the process waits at its next step boundary */
  paused: boolean
  aborting: boolean
  /** the typed process state as the steps built it */
  state: Record<string, unknown>
}

export interface Identity {
  /** who acts: a canonical id (`key:<owner>`, `<issuer>#<subject>`), verified by the gateway */
  user: string
  /** the roles they hold */
  roles: string[]
  /** the gateway's signature of the message (MessageSigner): a message without a valid one is refused */
  signature?: string
  /** the id of the Update that carries it, signed with it: the same message in another Update is refused */
  nonce?: string
}

export interface ResumeRequest extends Identity {
  answer: unknown
  /** the step answered; absent: the one waiting (the first, if several are) */
  step?: string
}

export interface ResumeAccepted {
  step: string
}

export interface AbortRequest extends Identity {
  reason?: string
}

export interface CallbackRequest {
  step: string
  body: unknown
  signature?: string
  nonce?: string
}

export interface FieldError {
  path: string
  message: string
}

/** Rejections carry these types; an invalid answer's field errors are its only detail. */
export const INVALID_ANSWER = 'InvalidAnswer'
export const NOT_WAITING = 'NotWaiting'
export const NOT_ALLOWED = 'NotAllowed'
export const NOT_SUSPENDED = 'NotSuspended'
export const ENDING = 'Ending'
export const PAST_NO_RETURN = 'PastNoReturn'

export const liveStateQuery = defineQuery<LiveProcessState>('live_state')
/** answers an input or approval step */
export const resumeUpdate = defineUpdate<ResumeAccepted, [ResumeRequest]>('resume')
/** answers by Signal: refused since answers are signed (runs that began before still take it) */
export const answerSignal = defineSignal<[ResumeRequest]>('answer')
/** retries every suspended step */
export const retryUpdate = defineUpdate<{ steps: string[] }, [Identity]>('retry')
/** aborts: compensations of completed steps run in reverse order, then the process is aborted */
export const abortUpdate = defineUpdate<{ aborting: true }, [AbortRequest]>('abort')
/** delivers an external system's callback (the gateway has checked its token) */
export const callbackUpdate = defineUpdate<{ step: string }, [CallbackRequest]>('callback')
/** sent by a parent process that is aborted to its running sub-processes: each aborts (and compensates) */
export const parentAbortSignal = defineSignal<[{ reason: string; signature?: string }]>('parent_abort')
/** the engine setting: paused processes wait at their next step boundary */
export const engineSignal = defineSignal<[{ running: boolean; at?: string; signature?: string }]>('engine')

/**
 * The field under which an activity call carries the process-log entries the engine has not written yet; the
 * worker's step-log interceptor writes them before the activity runs and removes the field.
 */
export const PENDING_LOG = 'loom_pending_log'
