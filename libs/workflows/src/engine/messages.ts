// Messages every Loom process workflow answers. Defined once; the gateway imports them to call the workflow.
import { defineQuery, defineUpdate } from '@temporalio/workflow'

export interface PendingInput {
  step: string
  label: string
  /** who is expected to answer (a team or role) */
  assignee: string | null
  /** JSON Schema of the answer */
  form: Record<string, unknown>
  /** what the person needs to see to answer, e.g. the configuration to apply */
  data: Record<string, unknown>
}

export interface LiveProcessState {
  current_step: string | null
  pending_input: PendingInput | null
}

export interface ResumeRequest {
  answer: unknown
  /** who answers (X-Loom-User) */
  user: string
}

export interface ResumeAccepted {
  step: string
}

export interface FieldError {
  path: string
  message: string
}

/** Rejections of `resume` carry this type and the field errors as their only detail. */
export const INVALID_ANSWER = 'InvalidAnswer'
export const NOT_WAITING = 'NotWaiting'

export const liveStateQuery = defineQuery<LiveProcessState>('live_state')
export const resumeUpdate = defineUpdate<ResumeAccepted, [ResumeRequest]>('resume')
