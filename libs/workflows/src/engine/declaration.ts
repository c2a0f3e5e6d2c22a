import type { z } from 'zod'
import type { WorkflowTarget } from '../../../domain/src/index.js'

export interface StepDeclaration {
  /** snake_case, unique within the workflow; with the process id, the idempotency key of its activity */
  name: string
  /** a sentence for people */
  label: string
  kind: 'step' | 'input'
  /** input steps: the answer's schema, applied by the gateway and again by the workflow's Update validator */
  answer?: z.ZodType
}

/** What the API tells about a workflow without running it. */
export interface WorkflowDeclaration {
  name: string
  target: WorkflowTarget
  product: string | null
  description: string
  steps: readonly StepDeclaration[]
}
