// A custom workflow as data (POST /api/catalog/workflows): JSON, snake_case, no code. The gateway checks it
// (check.ts) and the interpreter compiles it (compile.ts) with this one schema, so what registers is what runs.
import { z } from 'zod'

/** A value read from the process when the step runs: `input.<field>`, `steps.<step>[.<field>]` or `process.process_id`. */
export interface Ref {
  $ref: string
}

/** Conditions are data, not code: nothing is evaluated but these operators. */
export type Condition =
  | { eq: [unknown, unknown] }
  | { ne: [unknown, unknown] }
  | { gt: [unknown, unknown] }
  | { lt: [unknown, unknown] }
  | { in: [unknown, unknown] }
  | { exists: unknown }
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }

interface Named {
  name: string
  label?: string
}

export interface ActionCall {
  action: string
  with?: Record<string, unknown>
}

export interface ActionStepDef extends Named, ActionCall {
  kind?: 'action'
  compensate?: ActionCall
}

export interface InputStepDef extends Named {
  kind: 'input'
  /** JSON Schema of the answer (an object) */
  form: Record<string, unknown>
  assignee: string
}

export interface ApprovalStepDef extends Named {
  kind: 'approval'
  role: string
  self_approval?: boolean
  expires_after?: string
  on_expiry?: 'abort' | 'suspend'
}

export interface WhenStepDef extends Named {
  kind: 'when'
  condition: Condition
  steps: StepDef[]
}

/** An action tried once every `every` for up to `for` (each failed try logged), then suspended. */
export interface RetryStepDef extends Named, ActionCall {
  kind: 'retry'
  every: string
  for: string
  compensate?: ActionCall
}

/** Branches run at once from the same state; what each adds is there for the steps after the group. */
export interface ParallelStepDef extends Named {
  kind: 'parallel'
  branches: Record<string, StepDef[]>
}

export interface FailStepDef extends Named {
  kind: 'fail'
  message: string
}

export interface EndStepDef extends Named {
  kind: 'end'
}

export type StepDef = ActionStepDef | InputStepDef | ApprovalStepDef | WhenStepDef | RetryStepDef | ParallelStepDef | FailStepDef | EndStepDef

export interface CustomDefinition {
  name: string
  description: string
  target?: 'SYSTEM'
  /** JSON Schema of the start form (an object); none: the process starts with `{}` */
  input?: Record<string, unknown>
  steps: StepDef[]
}

/** What the interpreter is started with besides the process arguments: the definition travels with the process. */
export interface CustomRun {
  definition: CustomDefinition
  version: number
}

export const MAX_STEPS = 100
export const SNAKE_CASE = /^[a-z][a-z0-9_]{0,62}$/

const snake = z.string().regex(SNAKE_CASE, 'must be snake_case: a lower-case letter, then letters, digits and _ (at most 63)')
const jsonSchema = z.record(z.string(), z.unknown())
const label = z.string().min(1).max(200).optional()
const duration = z.string().regex(/^\d+\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/, "a duration such as '30 minutes' or '2 days'")

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ eq: z.tuple([z.unknown(), z.unknown()]) }).strict(),
    z.object({ ne: z.tuple([z.unknown(), z.unknown()]) }).strict(),
    z.object({ gt: z.tuple([z.unknown(), z.unknown()]) }).strict(),
    z.object({ lt: z.tuple([z.unknown(), z.unknown()]) }).strict(),
    z.object({ in: z.tuple([z.unknown(), z.unknown()]) }).strict(),
    z.object({ exists: z.unknown() }).strict(),
    z.object({ and: z.array(condition).min(1) }).strict(),
    z.object({ or: z.array(condition).min(1) }).strict(),
    z.object({ not: condition }).strict(),
  ]),
)

const call = { action: z.string().min(1), with: z.record(z.string(), z.unknown()).optional() }

// An action step may leave out `kind`: it is the default.
const withKind = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) && !('kind' in v) ? { ...v, kind: 'action' } : v)

const step: z.ZodType<StepDef> = z.lazy(() =>
  z.preprocess(withKind, z.discriminatedUnion('kind', [
    z.object({ name: snake, label, kind: z.literal('action'), ...call, compensate: z.object(call).strict().optional() }).strict(),
    z.object({ name: snake, label, kind: z.literal('input'), form: jsonSchema, assignee: z.string().min(1).max(100) }).strict(),
    z
      .object({
        name: snake,
        label,
        kind: z.literal('approval'),
        role: z.string().min(1).max(100),
        self_approval: z.boolean().optional(),
        expires_after: duration.optional(),
        on_expiry: z.enum(['abort', 'suspend']).optional(),
      })
      .strict(),
    z.object({ name: snake, label, kind: z.literal('when'), condition, steps: z.array(step).min(1) }).strict(),
    z.object({ name: snake, label, kind: z.literal('retry'), ...call, every: duration, for: duration, compensate: z.object(call).strict().optional() }).strict(),
    z
      .object({
        name: snake,
        label,
        kind: z.literal('parallel'),
        branches: z.record(snake, z.array(step).min(1)).refine((b) => Object.keys(b).length >= 2, 'a parallel step has two branches or more'),
      })
      .strict(),
    z.object({ name: snake, label, kind: z.literal('fail'), message: z.string().min(1).max(500) }).strict(),
    z.object({ name: snake, label, kind: z.literal('end') }).strict(),
  ])),
)

export const customDefinitionSchema = z
  .object({
    name: snake,
    description: z.string().max(2000).default(''),
    target: z.literal('SYSTEM').optional(),
    input: jsonSchema.optional(),
    steps: z.array(step).min(1).max(MAX_STEPS),
  })
  .strict() as unknown as z.ZodType<CustomDefinition>

export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as Ref).$ref === 'string'
}

/** Whether a value holds a `$ref` anywhere (then only its shape, not its content, can be checked before it runs). */
export function holdsRef(value: unknown): boolean {
  if (isRef(value)) return true
  if (Array.isArray(value)) return value.some(holdsRef)
  if (value && typeof value === 'object') return Object.values(value).some(holdsRef)
  return false
}

export function kindOf(step: StepDef): NonNullable<StepDef['kind']> {
  return step.kind ?? 'action'
}
