// A workflow is declared as an ordered list of named steps (seed 002's `begin >> step >> … >> done`), built
// with `Flow`. The declaration is plain data plus step functions: the gateway reads the list without running
// anything, the generic executor (executor.ts) runs it in workflow code. Each step receives the process state
// and returns what it adds; the builder's types grow with every step, so later steps see a typed state.
import type { ActivityOptions } from '@temporalio/common'
import type { z } from 'zod'
import type { StepContext } from '#activities/processes/step-context.js'
import type { WorkflowTarget } from '#domain/index.js'

/** A time span as Temporal reads it: '30 seconds', '2 days', '500 ms', or milliseconds. */
export type Duration = string | number

export const STEP_KINDS = ['step', 'input', 'approval', 'conditional', 'retry', 'callback', 'parallel', 'sub_workflow', 'fan_out'] as const
export type StepKind = (typeof STEP_KINDS)[number]
export type Delta = Record<string, unknown>

/** What every process workflow is started with (by the gateway, or by a parent process). */
export interface ProcessArgs<I = unknown> {
  /** = the workflow id */
  process_id: string
  /** a create workflow's new subscription (chosen by the gateway), else the first subscription it changes */
  subscription_id: string
  created_by: string
  input: I
}

/** What a step function gets besides the state: the activities (with the step's retry policy) and its identity. */
export interface StepEnv<A> {
  act: A
  /** send with every activity call: (process id, step name) is the activity's idempotency key */
  step: StepContext
}

export type StepRun<S, A, D> = (state: S, env: StepEnv<A>) => Promise<D>

/** The key under which a step's result says it was skipped (see `skipped`); never part of the state. */
export const SKIPPED = 'loom_step_skipped'

/**
 * What a step returns when it had nothing to do (a hook that is not configured): the step is logged `skipped`
 * with the reason instead of `success`, `delta` still joins the state, and an abort has nothing of it to undo.
 */
export function skipped<D extends Delta>(reason: string, delta: D): D {
  return { ...delta, [SKIPPED]: reason }
}

/** Undoes a completed step when the process is aborted (or fails): runs as its own logged step, `undo_<name>`. */
export interface Compensation<S, A> {
  label: string
  run: StepRun<S, A, unknown>
}

/** Per-step overrides of the workflow's activity options (timeouts and retry policy). */
export type StepActivityOptions = Pick<ActivityOptions, 'startToCloseTimeout' | 'heartbeatTimeout' | 'retry'>

interface Declared {
  /** snake_case, unique within the workflow; with the process id, the idempotency key of its activities */
  name: string
  /** a sentence for people */
  label: string
}

export interface ActivityStep extends Declared {
  kind: 'step'
  run: StepRun<never, never, Delta | void>
  compensate?: Compensation<never, never>
  activity?: StepActivityOptions
  /**
   * The process's point of no return (a subscription terminated, addresses released): once this step has
   * completed, an abort undoes nothing before it — the steps after it (a notification, closing a ticket) may
   * still suspend and be retried or aborted, and an abort then only ends the process.
   */
  irreversible?: boolean
  /**
   * Runs as a Temporal local activity, in the worker that runs the workflow: no task queue round trip, no events of
   * its own but a marker (~10 ms instead of ~55 ms a step on the dev server). For short steps only — Loom's own
   * database, a source of truth (IPAM, DCIM) — never a device: no heartbeat, and a worker that dies in the middle
   * runs it again (steps are idempotent by process and step). Same timeouts, retries and log as any step.
   */
  local?: boolean
}

/** Waits for a person to answer a form; the answer is added to the state under the step's name. */
export interface InputStep extends Declared {
  kind: 'input'
  /** applied by the gateway and again by the workflow's Update validator */
  answer: z.ZodType
  /** the team or role expected to answer */
  assignee: string
  /** what the person needs to see to answer */
  data?: (state: never) => Delta
}

export interface ApprovalStep extends Declared {
  kind: 'approval'
  answer: z.ZodType
  /** only someone with this role may answer */
  role: string
  /** whether the person who started the process may approve it */
  self_approval: boolean
  /** unanswered for this long, the approval expires with `on_expiry` */
  expires_after?: Duration
  on_expiry: 'abort' | 'suspend'
  data?: (state: never) => Delta
}

/** Runs its steps when the predicate holds for the state at that point; otherwise they are recorded skipped. */
export interface ConditionalStep extends Declared {
  kind: 'conditional'
  when: (state: never) => boolean
  steps: readonly EngineStep[]
}

/** A step tried every `every` for up to `for` (each try one attempt, recorded), then suspended. */
export interface RetryStep extends Declared {
  kind: 'retry'
  run: StepRun<never, never, Delta | void>
  every: Duration
  for: Duration
  compensate?: Compensation<never, never>
}

/**
 * Waits for an external system to call POST /api/processes/{id}/callback/{token}. The token is made and sent by
 * an activity (to `notify(state).url`, with the callback URL) and never enters workflow history.
 */
export interface CallbackStep extends Declared {
  kind: 'callback'
  answer: z.ZodType
  notify?: (state: never) => { url: string; body?: Delta }
  timeout: Duration
  on_timeout: 'abort' | 'suspend'
}

/** Branches run concurrently from the same state; their additions are merged when all have finished. */
export interface ParallelStep extends Declared {
  kind: 'parallel'
  branches: Readonly<Record<string, readonly EngineStep[]>>
}

/** Runs another Loom workflow as a child process (its own process row and log); its result is added under the step's name. */
export interface SubWorkflowStep extends Declared {
  kind: 'sub_workflow'
  workflow: Pick<WorkflowDeclaration, 'name' | 'target'>
  input: (state: never) => unknown
  /** the subscription the child works on (a create child: none, one is made for it) */
  subscription?: (state: never) => string | undefined
}

/** One sub-process of a fan-out step: the subscription it changes and the child workflow's input. */
export interface FanOutItem {
  subscription_id: string
  input: unknown
}

/** What became of one sub-process of a fan-out step. */
export interface FanOutOutcome {
  subscription_id: string
  /** null when it was refused (another process holds its subscription) or never started (the parent was aborted first) */
  process_id: string | null
  status: 'completed' | 'aborted' | 'failed' | 'refused' | 'not_started'
  result?: unknown
  reason?: string
}

/**
 * Runs one Loom workflow as a sub-process per item, known only when the step runs (every circuit of a node), up to
 * `concurrency` at once. Each child has its own process and log and borrows the parent's locks; a child that fails
 * or is aborted is reported, not fatal: the step's result, under its name, is every child's outcome. An abort of
 * the parent aborts the running children. `compensate` gives each completed child's inverse input (run the same way, as `undo_<name>`).
 */
export interface FanOutStep extends Declared {
  kind: 'fan_out'
  workflow: Pick<WorkflowDeclaration, 'name' | 'target'>
  items: (state: never) => FanOutItem[]
  concurrency: number
  compensate?: { label: string; input: (completed: FanOutOutcome) => unknown }
}

export type EngineStep = ActivityStep | InputStep | ApprovalStep | ConditionalStep | RetryStep | CallbackStep | ParallelStep | SubWorkflowStep | FanOutStep

/** What the API tells about a workflow without running it, and what the executor runs. */
export interface WorkflowDeclaration {
  name: string
  target: WorkflowTarget
  product: string | null
  description: string
  steps: readonly EngineStep[]
  /** activity options of every step, unless a step overrides them */
  activity?: StepActivityOptions
  /** the workflow's result, from the final state */
  result?: (state: never) => unknown
}

export interface Approval {
  approved: boolean
  comment?: string
}

/** Every step of a declaration, depth first, groups before their members. */
export function allSteps(steps: readonly EngineStep[]): EngineStep[] {
  return steps.flatMap((s) => [s, ...children(s).flatMap((c) => allSteps(c))])
}

export function children(step: EngineStep): (readonly EngineStep[])[] {
  if (step.kind === 'conditional') return [step.steps]
  if (step.kind === 'parallel') return Object.values(step.branches)
  return []
}

type Added<S, T> = Omit<T, keyof S> extends infer N ? N : never
/** A step's additions replace what the state had under the same keys (a lifecycle moves on). */
export type Merge<S, D> = D extends Delta ? Omit<S, keyof D> & D : S

/**
 * Builds a step list. `S` is the state so far (the process arguments, then what each step added); `A` the
 * activities step functions may call. Immutable: each method returns a new flow.
 */
export class Flow<S, A> {
  constructor(readonly steps: readonly EngineStep[] = []) {}

  /** Applies a function that adds steps: steps several workflows share, declared once (a product's `confirmOrVerify`). */
  pipe<T>(add: (flow: this) => Flow<T, A>): Flow<T, A> {
    return add(this)
  }

  private then<T>(step: EngineStep): Flow<T, A> {
    return new Flow<T, A>([...this.steps, step])
  }

  /** An activity step: `run` calls activities through `env.act` and returns what it adds to the state. */
  step<D extends Delta | void>(
    name: string,
    label: string,
    run: StepRun<S, A, D>,
    options: { compensate?: Compensation<Merge<S, D>, A>; activity?: StepActivityOptions; irreversible?: boolean; local?: boolean } = {},
  ): Flow<Merge<S, D>, A> {
    return this.then({
      kind: 'step',
      name,
      label,
      run: run,
      compensate: options.compensate as ActivityStep['compensate'],
      activity: options.activity,
      ...(options.irreversible ? { irreversible: true } : {}),
      ...(options.local ? { local: true } : {}),
    })
  }

  input<K extends string, T>(
    name: K,
    label: string,
    answer: z.ZodType<T>,
    options: { assignee: string; data?: (state: S) => Delta },
  ): Flow<S & Record<K, T>, A> {
    return this.then({ kind: 'input', name, label, answer, assignee: options.assignee, data: options.data as InputStep['data'] })
  }

  approval<K extends string>(
    name: K,
    label: string,
    answer: z.ZodType<Approval>,
    options: { role: string; self_approval?: boolean; expires_after?: Duration; on_expiry?: 'abort' | 'suspend'; data?: (state: S) => Delta },
  ): Flow<S & Record<K, Approval>, A> {
    return this.then({
      kind: 'approval',
      name,
      label,
      answer,
      role: options.role,
      self_approval: options.self_approval ?? false,
      expires_after: options.expires_after,
      on_expiry: options.on_expiry ?? 'abort',
      data: options.data as ApprovalStep['data'],
    })
  }

  when<T>(name: string, label: string, predicate: (state: S) => boolean, build: (flow: Flow<S, A>) => Flow<T, A>): Flow<S & Partial<Added<S, T>>, A> {
    return this.then({ kind: 'conditional', name, label, when: predicate, steps: build(new Flow<S, A>()).steps })
  }

  retry<D extends Delta | void>(
    name: string,
    label: string,
    run: StepRun<S, A, D>,
    options: { every: Duration; for: Duration; compensate?: Compensation<Merge<S, D>, A> },
  ): Flow<Merge<S, D>, A> {
    return this.then({ kind: 'retry', name, label, run: run, every: options.every, for: options.for, compensate: options.compensate as RetryStep['compensate'] })
  }

  callback<K extends string, T>(
    name: K,
    label: string,
    answer: z.ZodType<T>,
    options: { notify?: (state: S) => { url: string; body?: Delta }; timeout: Duration; on_timeout?: 'abort' | 'suspend' },
  ): Flow<S & Record<K, T>, A> {
    return this.then({ kind: 'callback', name, label, answer, notify: options.notify as CallbackStep['notify'], timeout: options.timeout, on_timeout: options.on_timeout ?? 'suspend' })
  }

  parallel<B extends Record<string, (flow: Flow<S, A>) => Flow<unknown, A>>>(
    name: string,
    label: string,
    branches: B,
  ): Flow<S & UnionToIntersection<{ [K in keyof B]: B[K] extends (flow: Flow<S, A>) => Flow<infer T, A> ? Added<S, T> : never }[keyof B]>, A> {
    const built = Object.fromEntries(Object.entries(branches).map(([branch, build]) => [branch, build(new Flow<S, A>()).steps]))
    return this.then({ kind: 'parallel', name, label, branches: built })
  }

  subWorkflow<K extends string, R = unknown>(
    name: K,
    label: string,
    workflow: Pick<WorkflowDeclaration, 'name' | 'target'>,
    options: { input: (state: S) => unknown; subscription?: (state: S) => string | undefined },
  ): Flow<S & Record<K, R>, A> {
    return this.then({ kind: 'sub_workflow', name, label, workflow, input: options.input, subscription: options.subscription as SubWorkflowStep['subscription'] })
  }

  fanOut<K extends string>(
    name: K,
    label: string,
    workflow: Pick<WorkflowDeclaration, 'name' | 'target'>,
    options: { items: (state: S) => FanOutItem[]; concurrency?: number; compensate?: FanOutStep['compensate'] },
  ): Flow<S & Record<K, FanOutOutcome[]>, A> {
    return this.then({ kind: 'fan_out', name, label, workflow, items: options.items, concurrency: options.concurrency ?? 10, compensate: options.compensate })
  }
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never

/** An empty step list for a process started with input `I`, whose steps call the activities `A`. */
export function processFlow<I, A>(): Flow<ProcessArgs<I>, A> {
  return new Flow<ProcessArgs<I>, A>()
}

/**
 * Declares a workflow: its step list (a flow from `processFlow`) and, optionally, its result from the final
 * state. Step names must be unique (they key the log and the activities' idempotency).
 */
export function declareWorkflow<S, A>(meta: Omit<WorkflowDeclaration, 'steps' | 'result'>, flow: Flow<S, A>, result?: (state: S) => unknown): WorkflowDeclaration {
  const names = allSteps(flow.steps).map((s) => s.name)
  const repeated = names.filter((n, i) => names.indexOf(n) !== i)
  if (repeated.length) throw new Error(`workflow ${meta.name} declares step names twice: ${[...new Set(repeated)].join(', ')}`)
  const undo = allSteps(flow.steps).flatMap((s) => ('compensate' in s && s.compensate ? [compensationName(s.name)] : []))
  const clash = undo.filter((n) => names.includes(n))
  if (clash.length) throw new Error(`workflow ${meta.name} declares steps named like compensations: ${clash.join(', ')}`)
  // A local activity cannot heartbeat: a step that needs one (a device's) is not short enough to run locally. (The
  // workflow's own heartbeat timeout is for its steps that heartbeat: a local step does without.)
  const heartbeating = allSteps(flow.steps).filter((s) => s.kind === 'step' && s.local && s.activity?.heartbeatTimeout !== undefined)
  if (heartbeating.length) throw new Error(`workflow ${meta.name} declares local steps with a heartbeat timeout: ${heartbeating.map((s) => s.name).join(', ')}`)
  return { ...meta, steps: flow.steps, result: result }
}

/** The log name of the step that undoes `step`. */
export function compensationName(step: string): string {
  return `undo_${step}`
}
