/** Sent by workflow code with every step activity: the step's identity and when the workflow entered it. */
export interface StepContext {
  process_id: string
  /** with process_id, the activity's idempotency key */
  step: string
  /** ISO time the workflow entered the step (workflow time, so the same on replay) */
  started_at: string
}
