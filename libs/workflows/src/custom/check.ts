// What registration refuses (422, each reason with its path), before a definition is stored: a definition that
// passes compiles in the worker, calls only known actions with the fields they take, and reads only what has run.
import { type z } from 'zod'
import type { FieldError } from '../engine/messages.js'
import { fieldErrors } from '../engine/zod-errors.js'
import { ACTIONS, actionOf } from './actions.js'
import { approvalAnswer, compileDefinition, formOf } from './compile.js'
import { type ActionCall, type Condition, type CustomDefinition, customDefinitionSchema, holdsRef, isRef, kindOf, type StepDef } from './definition.js'

/** The state's own keys (the process arguments): a step of that name would hide them. */
const RESERVED_STEPS = ['process_id', 'subscription_id', 'created_by', 'input']
const PROCESS_FIELDS = ['process_id', 'created_by']

/** The fields a step adds that later steps may read; null: any (a form that does not list its properties). */
type Visible = Map<string, readonly string[] | null>

export type Checked = { ok: true; definition: CustomDefinition } | { ok: false; errors: FieldError[] }

/**
 * Parses and checks a definition. `codeWorkflows`: the names the worker serves as code, which a custom workflow
 * may not take.
 */
export function checkDefinition(body: unknown, codeWorkflows: ReadonlySet<string> = new Set()): Checked {
  const parsed = customDefinitionSchema.safeParse(body)
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) }
  const def = parsed.data
  const errors: FieldError[] = []
  const err = (path: string, message: string) => errors.push({ path, message })
  if (codeWorkflows.has(def.name)) err('name', `${def.name} is a workflow of Loom's code (GET /api/workflows); choose another name`)
  const inputFields = schemaFields('input', def.input, err)
  const all = allNamed(def.steps, 'steps')
  const seen = new Set<string>()
  for (const { step, path } of all) {
    if (seen.has(step.name)) err(`${path}.name`, `${step.name} names two steps; step names are unique within a workflow`)
    seen.add(step.name)
    if (RESERVED_STEPS.includes(step.name)) err(`${path}.name`, `${step.name} is reserved for the process's own fields (${RESERVED_STEPS.join(', ')})`)
    if (step.name.startsWith('undo_')) err(`${path}.name`, 'undo_ starts the names of compensations')
  }
  const names = new Set(all.map((s) => s.step.name))
  const ctx: Context = { inputFields, names, err }
  checkList(def.steps, 'steps', new Map(), ctx, true)
  if (errors.length) return { ok: false, errors }
  try {
    compileDefinition(def)
  } catch (error) {
    return { ok: false, errors: [{ path: 'steps', message: (error as Error).message }] }
  }
  return { ok: true, definition: def }
}

interface Context {
  inputFields: readonly string[] | null | undefined
  names: ReadonlySet<string>
  err: (path: string, message: string) => void
}

function allNamed(steps: readonly StepDef[], path: string): { step: StepDef; path: string }[] {
  return steps.flatMap((step, i) => [
    { step, path: `${path}.${i}` },
    ...(step.kind === 'when' ? allNamed(step.steps, `${path}.${i}.steps`) : []),
    ...(step.kind === 'parallel' ? Object.entries(step.branches).flatMap(([branch, inner]) => allNamed(inner, `${path}.${i}.branches.${branch}`)) : []),
  ])
}

/** Checks a step list; answers what is visible after it (what it added to `outer`). */
function checkList(steps: readonly StepDef[], path: string, outer: Visible, ctx: Context, top: boolean): Visible {
  const visible: Visible = new Map(outer)
  steps.forEach((step, i) => {
    const at = `${path}.${i}`
    const before = steps[i - 1]
    if (before && (before.kind === 'end' || before.kind === 'fail')) ctx.err(at, `${step.name} can never run: it follows the ${before.kind} step ${before.name}`)
    switch (kindOf(step)) {
      case 'action':
      case 'retry': {
        const s = step as Extract<StepDef, { action: string }>
        const fields = checkCall(s, at, visible, ctx)
        if (s.compensate) checkCall(s.compensate, `${at}.compensate`, new Map([...visible, [s.name, fields]]), ctx)
        visible.set(s.name, fields)
        break
      }
      case 'input': {
        const s = step as Extract<StepDef, { kind: 'input' }>
        visible.set(s.name, schemaFields(`${at}.form`, s.form, ctx.err) ?? null)
        break
      }
      case 'approval':
        visible.set(step.name, Object.keys(approvalAnswer.shape))
        break
      case 'when': {
        const s = step as Extract<StepDef, { kind: 'when' }>
        checkCondition(s.condition, `${at}.condition`, visible, ctx)
        if (!holdsRef(s.condition)) ctx.err(`${at}.condition`, 'is the same every time (it reads no $ref): drop the when, or compare a $ref')
        // What runs under a condition may not have run: only the steps inside the same when may read it.
        checkList(s.steps, `${at}.steps`, visible, ctx, false)
        break
      }
      case 'parallel': {
        const s = step as Extract<StepDef, { kind: 'parallel' }>
        // A branch sees what ran before the group, not its sibling branches; the steps after it see every branch.
        const added = Object.entries(s.branches).map(([branch, inner]) => checkList(inner, `${at}.branches.${branch}`, visible, ctx, false))
        for (const after of added) for (const [name, fields] of after) visible.set(name, fields)
        break
      }
      case 'end':
        if (!top) ctx.err(at, 'end ends the process: it belongs in the top-level steps (a when ends with its last step)')
        break
      case 'fail':
        break
    }
  })
  return visible
}

/** Checks an action call; answers the fields its step adds. */
function checkCall(call: ActionCall, at: string, visible: Visible, ctx: Context): readonly string[] {
  const entry = actionOf(call.action)
  if (!entry) {
    ctx.err(`${at}.action`, `no action ${call.action} (known: ${Object.keys(ACTIONS).join(', ')})`)
    return []
  }
  const shape = entry.input.shape as Record<string, z.ZodType>
  const given = call.with ?? {}
  const takes = Object.keys(shape)
  for (const [field, value] of Object.entries(given)) {
    const path = `${at}.with.${field}`
    if (!Object.hasOwn(shape, field)) {
      ctx.err(path, `${call.action} takes ${takes.length ? takes.join(', ') : 'no fields'}`)
      continue
    }
    checkRefs(value, path, visible, ctx)
    if (!holdsRef(value)) {
      const ok = shape[field].safeParse(value)
      if (!ok.success) ctx.err(path, ok.error.issues.map((i) => i.message).join('; '))
    }
  }
  for (const field of takes) {
    if (!Object.hasOwn(given, field) && !shape[field].safeParse(undefined).success) ctx.err(`${at}.with.${field}`, `${call.action} needs ${field}`)
  }
  return Object.keys(entry.output.shape)
}

function checkCondition(condition: Condition, at: string, visible: Visible, ctx: Context): void {
  for (const [op, operand] of Object.entries(condition)) {
    if (op === 'and' || op === 'or') (operand as Condition[]).forEach((c, i) => checkCondition(c, `${at}.${op}.${i}`, visible, ctx))
    else if (op === 'not') checkCondition(operand as Condition, `${at}.not`, visible, ctx)
    else checkRefs(operand, `${at}.${op}`, visible, ctx)
  }
}

function checkRefs(value: unknown, at: string, visible: Visible, ctx: Context): void {
  if (isRef(value)) return checkRef(value.$ref, `${at}.$ref`, visible, ctx)
  if (Array.isArray(value)) return value.forEach((v, i) => checkRefs(v, `${at}.${i}`, visible, ctx))
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkRefs(v, `${at}.${k}`, visible, ctx)
}

function checkRef(ref: string, at: string, visible: Visible, ctx: Context): void {
  const [root, name, field] = ref.split('.')
  if (root === 'process') {
    if (!PROCESS_FIELDS.includes(name)) ctx.err(at, `${ref}: the process offers ${PROCESS_FIELDS.map((f) => `process.${f}`).join(', ')}`)
  } else if (root === 'input') {
    if (ctx.inputFields === undefined) ctx.err(at, `${ref}: the workflow declares no input`)
    else if (!name) ctx.err(at, `${ref}: name a field of the input (input.<field>)`)
    else if (ctx.inputFields && !ctx.inputFields.includes(name)) ctx.err(at, `${ref}: the input has no field ${name} (it has ${ctx.inputFields.join(', ') || 'none'})`)
  } else if (root === 'steps') {
    if (!name) ctx.err(at, `${ref}: name a step (steps.<step>.<field>)`)
    else if (!ctx.names.has(name)) ctx.err(at, `${ref}: there is no step ${name}`)
    else if (!visible.has(name)) ctx.err(at, `${ref}: step ${name} has not run at this point (it comes later, or runs only under a when this step is not in)`)
    else {
      const fields = visible.get(name)
      if (field && fields && !fields.includes(field)) ctx.err(at, `${ref}: step ${name} gives ${fields.join(', ') || 'nothing'}, not ${field}`)
    }
  } else {
    ctx.err(at, `${ref}: a $ref starts with input., steps. or process.`)
  }
}

/** The properties a form declares; null when it declares none (any); undefined when there is no form. Refuses a schema zod cannot read. */
function schemaFields(path: string, schema: Record<string, unknown> | undefined, err: Context['err']): readonly string[] | null | undefined {
  if (schema === undefined) return undefined
  try {
    formOf(schema)
  } catch (error) {
    err(path, `is not a JSON Schema Loom can apply: ${(error as Error).message}`)
    return null
  }
  const properties = schema.properties
  return properties && typeof properties === 'object' ? Object.keys(properties) : null
}
