// Turns a checked definition into the engine's own declaration, with the same Flow methods code workflows use: a
// custom process runs, logs, waits, suspends and compensates exactly like them. Pure and deterministic (the
// interpreter compiles the definition again on every replay), so a change here that alters the commands of an
// existing definition needs patched(), as any engine change does.
import { z } from 'zod'
import type { StepContext } from '#activities/processes/step-context.js'
import { type Delta, declareWorkflow, Flow, type ProcessArgs, type WorkflowDeclaration } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { actionOf, type CustomActivities } from './actions.js'
import { type ActionCall, type CustomDefinition, kindOf, type StepDef } from './definition.js'
import { holds, resolve } from './values.js'

/** The process arguments and what each step added under its name: typed by the checks, not by the compiler. */
type State = Delta
type CustomFlow = Flow<State, CustomActivities>

/** The answer every approval step takes, as code workflows' change-board approvals. */
export const approvalAnswer = z
  .object({ approved: z.boolean({ error: 'approve (true) or reject (false)' }).meta({ title: 'Approved' }), comment: z.string().max(500).optional().meta({ title: 'Comment' }) })
  .strict()
  .meta({ title: 'Approval' })

/** A start form or an input step's answer: an object schema, from the definition's JSON Schema. */
export function formOf(schema: Record<string, unknown> | undefined): z.ZodObject {
  if (schema === undefined) return z.object({}).strict()
  const form = z.fromJSONSchema(schema)
  if (!(form instanceof z.ZodObject)) throw new Error('must be a JSON Schema of type object')
  return form
}

export function compileDefinition(def: CustomDefinition, version?: number): WorkflowDeclaration {
  const flow = def.steps.reduce(addStep, new Flow<State, CustomActivities>())
  return declareWorkflow({ name: def.name, target: 'SYSTEM', product: null, description: version === undefined ? def.description : `${def.description} (version ${version})` }, flow)
}

function addStep(flow: CustomFlow, step: StepDef): CustomFlow {
  const label = step.label ?? step.name.replaceAll('_', ' ')
  switch (step.kind ?? 'action') {
    case 'action': {
      const s = step as Extract<StepDef, { action: string }>
      return flow.step(step.name, label, (state, env) => call(s, state, env.act, env.step), {
        ...(s.compensate ? { compensate: { label: `Undo: ${label}`, run: (state: State, env: { act: CustomActivities; step: StepContext }) => call(s.compensate!, state, env.act, env.step) } } : {}),
      })
    }
    case 'input': {
      const s = step as Extract<StepDef, { kind: 'input' }>
      return flow.input(step.name, label, formOf(s.form), { assignee: s.assignee })
    }
    case 'approval': {
      const s = step as Extract<StepDef, { kind: 'approval' }>
      return flow.approval(step.name, label, approvalAnswer, {
        role: s.role,
        self_approval: s.self_approval ?? false,
        ...(s.expires_after ? { expires_after: s.expires_after } : {}),
        on_expiry: s.on_expiry ?? 'abort',
      })
    }
    case 'when': {
      const s = step as Extract<StepDef, { kind: 'when' }>
      return flow.when(step.name, label, (state) => holds(s.condition, state), (inner) => s.steps.reduce(addStep, inner))
    }
    case 'retry': {
      const s = step as Extract<StepDef, { kind: 'retry' }>
      return flow.retry(step.name, label, (state, env) => call(s, state, env.act, env.step), {
        every: s.every,
        for: s.for,
        ...(s.compensate ? { compensate: { label: `Undo: ${label}`, run: (state: State, env: { act: CustomActivities; step: StepContext }) => call(s.compensate!, state, env.act, env.step) } } : {}),
      })
    }
    case 'parallel': {
      const s = step as Extract<StepDef, { kind: 'parallel' }>
      const branches = Object.fromEntries(Object.entries(s.branches).map(([branch, steps]) => [branch, (inner: CustomFlow) => steps.reduce(addStep, inner)]))
      return flow.parallel(step.name, label, branches)
    }
    case 'fail': {
      const s = step as Extract<StepDef, { kind: 'fail' }>
      return flow.step(step.name, label, () => Promise.resolve().then(() => failProcess(s.message)))
    }
    case 'end':
      // A marker for the checks (nothing may follow it): the list ends here anyway.
      return flow
  }
  throw new Error(`unknown step kind ${kindOf(step)}`)
}

async function call(def: ActionCall, state: State, act: CustomActivities, step: StepContext): Promise<Delta> {
  const entry = actionOf(def.action)
  if (!entry) failProcess(`no action ${def.action}`)
  // The checks at registration know the fields' names, not what a $ref reads at run time: a value that does not fit
  // fails the process (a retry would read the same), naming the field.
  const parsed = entry.input.safeParse(resolve(def.with ?? {}, state))
  if (!parsed.success) failProcess(`${def.action} ${parsed.error.issues.map((i) => `${i.path.join('.') || 'with'}: ${i.message}`).join('; ')}`)
  const args = { ...parsed.data, ...entry.implicit?.(state as unknown as ProcessArgs), ...step }
  const run = act[entry.activity] as (input: unknown) => Promise<unknown>
  return { [step.step]: await run(args) }
}
