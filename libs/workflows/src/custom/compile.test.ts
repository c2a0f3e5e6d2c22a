import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ConditionalStep, InputStep } from '../engine/declaration.js'
import { checkDefinition } from './check.js'
import { compileDefinition } from './compile.js'
import { holds, resolve } from './values.js'

/** Every step kind, each reading what the steps before it gave. */
const EVERY_KIND = {
  name: 'lab_address',
  description: 'Give a lab host an address',
  input: { type: 'object', properties: { host: { type: 'string', minLength: 1 }, notify: { type: 'boolean' } }, required: ['host'], additionalProperties: false },
  steps: [
    { name: 'choose_pool', kind: 'input', assignee: 'noc', form: { type: 'object', properties: { pool: { type: 'string', minLength: 1 } }, required: ['pool'], additionalProperties: false } },
    {
      name: 'allocate',
      action: 'ipam.allocate_address',
      with: { pool: { $ref: 'steps.choose_pool.pool' }, purpose: 'lab_host', description: { $ref: 'input.host' } },
      compensate: { action: 'ipam.release_allocation', with: { purpose: { $ref: 'steps.allocate.purpose' } } },
    },
    { name: 'sign_off', kind: 'approval', role: 'change-board', self_approval: true },
    {
      name: 'if_asked',
      kind: 'when',
      condition: { and: [{ eq: [{ $ref: 'input.notify' }, true] }, { exists: { $ref: 'steps.allocate.prefix' } }] },
      steps: [{ name: 'tell', action: 'notify.send', with: { to: ['lab@example.net'], data: { prefix: { $ref: 'steps.allocate.prefix' }, by: { $ref: 'process.created_by' } } } }],
    },
    { name: 'refuse_small', kind: 'when', condition: { not: { exists: { $ref: 'steps.allocate.prefix' } } }, steps: [{ name: 'no_address', kind: 'fail', message: 'IPAM gave no address' }] },
    { name: 'done', kind: 'end' },
  ],
}

/** Two branches, then a retry step that reads what both gave. */
const PARALLEL = {
  name: 'two_at_once',
  input: { type: 'object', properties: { device: { type: 'string' } } },
  steps: [
    {
      name: 'both',
      kind: 'parallel',
      branches: {
        left: [{ name: 'db_left', action: 'system.check_database' }],
        right: [
          { name: 'db_right', action: 'system.check_database' },
          { name: 'read', action: 'dcim.read_device', with: { device_name: { $ref: 'input.device' } } },
        ],
      },
    },
    {
      name: 'mark',
      kind: 'retry',
      every: '1 second',
      for: '1 minute',
      action: 'dcim.set_device_status',
      with: { device_name: { $ref: 'steps.read.name' }, status: 'active' },
      compensate: { action: 'dcim.set_device_status', with: { device_name: { $ref: 'steps.read.name' }, status: { $ref: 'steps.mark.previous' } } },
    },
  ],
}

const clone = () => structuredClone(EVERY_KIND) as unknown as { steps: Record<string, unknown>[] } & Record<string, unknown>
const errorsOf = (body: unknown, code: string[] = []) => {
  const checked = checkDefinition(body, new Set(code))
  assert.equal(checked.ok, false, 'the definition should be refused')
  return checked.ok ? [] : checked.errors
}
const hasError = (body: unknown, path: string, message: RegExp, code?: string[]) => {
  const errors = errorsOf(body, code)
  assert.ok(
    errors.some((e) => e.path === path && message.test(e.message)),
    `expected ${path}: ${String(message)} among ${JSON.stringify(errors)}`,
  )
}

describe('custom workflow definitions: compiling', () => {
  test('a definition with every step kind passes and compiles to the engine\'s own steps', () => {
    const checked = checkDefinition(EVERY_KIND)
    assert.ok(checked.ok, JSON.stringify(checked))
    const declaration = compileDefinition(checked.definition, 3)
    assert.equal(declaration.name, 'lab_address')
    assert.equal(declaration.target, 'SYSTEM')
    assert.match(declaration.description, /version 3/)
    assert.deepEqual(
      declaration.steps.map((s) => [s.name, s.kind]),
      [
        ['choose_pool', 'input'],
        ['allocate', 'step'],
        ['sign_off', 'approval'],
        ['if_asked', 'conditional'],
        ['refuse_small', 'conditional'],
      ],
    )
    const allocate = declaration.steps[1]
    assert.ok(allocate.kind === 'step' && allocate.compensate, 'the allocation is undone on abort')
    const sign = declaration.steps[2]
    assert.ok(sign.kind === 'approval' && sign.role === 'change-board' && sign.self_approval && sign.on_expiry === 'abort')
    assert.deepEqual((declaration.steps[4] as ConditionalStep).steps.map((s) => s.name), ['no_address'])
  })

  test('an input step answers with the schema its form declares', () => {
    const checked = checkDefinition(EVERY_KIND)
    assert.ok(checked.ok)
    const input = compileDefinition(checked.definition).steps[0] as InputStep
    assert.equal(input.assignee, 'noc')
    assert.ok(input.answer.safeParse({ pool: 'lab' }).success)
    const refused = input.answer.safeParse({ pool: '', extra: 1 })
    assert.ok(!refused.success)
    assert.deepEqual(refused.error.issues.map((i) => i.path.join('.') || i.code).sort(), ['pool', 'unrecognized_keys'])
  })

  test('a when step holds by its data condition against the state', () => {
    const checked = checkDefinition(EVERY_KIND)
    assert.ok(checked.ok)
    const when = compileDefinition(checked.definition).steps[3] as ConditionalStep
    const state = { input: { host: 'h', notify: true }, allocate: { prefix: '10.0.0.1/32' } }
    assert.equal(when.when(state as never), true)
    assert.equal(when.when({ ...state, input: { host: 'h', notify: false } } as never), false)
    assert.equal(when.when({ ...state, allocate: { prefix: null } } as never), false)
  })

  test('an action step without kind is an action step; key order does not matter', () => {
    const checked = checkDefinition({ name: 'ping_db', steps: [{ with: {}, action: 'system.check_database', name: 'ping' }] })
    assert.ok(checked.ok, JSON.stringify(checked))
    assert.equal(checked.definition.steps[0].kind, 'action')
    assert.equal(checked.definition.description, '')
  })

  test('a retry step and a parallel group compile to the engine\'s retry and parallel steps', () => {
    const checked = checkDefinition(PARALLEL)
    assert.ok(checked.ok, JSON.stringify(checked))
    const [group, retry] = compileDefinition(checked.definition).steps
    assert.ok(group.kind === 'parallel')
    assert.deepEqual(Object.fromEntries(Object.entries(group.branches).map(([b, steps]) => [b, steps.map((s) => s.name)])), { left: ['db_left'], right: ['db_right', 'read'] })
    assert.ok(retry.kind === 'retry' && retry.every === '1 second' && retry.for === '1 minute' && retry.compensate)
  })

  test('values and conditions read refs, nested in objects and arrays', () => {
    const state = { process_id: 'p1', input: { n: 3, tags: ['a'] }, s: { x: { y: 'deep' } } }
    assert.deepEqual(resolve({ a: { $ref: 'input.n' }, b: [{ $ref: 'process.process_id' }], c: { $ref: 'steps.s.x.y' }, d: { $ref: 'input.missing' } }, state), { a: 3, b: ['p1'], c: 'deep' })
    assert.equal(holds({ gt: [{ $ref: 'input.n' }, 2] }, state), true)
    assert.equal(holds({ lt: [{ $ref: 'input.n' }, 2] }, state), false)
    assert.equal(holds({ gt: [{ $ref: 'input.n' }, '2'] }, state), false, 'no comparison across types')
    assert.equal(holds({ in: ['a', { $ref: 'input.tags' }] }, state), true)
    assert.equal(holds({ ne: [{ $ref: 'steps.s.x' }, { y: 'deep' }] }, state), false)
    assert.equal(holds({ or: [{ exists: { $ref: 'input.missing' } }, { eq: [1, 1] }] }, state), true)
  })
})

describe('custom workflow definitions: what registration refuses', () => {
  test('a body that is not a definition names each field', () => {
    hasError({ steps: [] }, 'name', /expected string/i)
    hasError({ name: 'Not Snake', steps: [{ name: 'x', kind: 'end' }] }, 'name', /snake_case/)
    hasError({ name: 'x', steps: [{ name: 'a', kind: 'teleport' }] }, 'steps.0.kind', /./)
    hasError({ name: 'x', steps: [{ name: 'a', kind: 'end', extra: 1 }] }, 'steps.0', /extra/)
  })

  test('an unknown action, in a step or its compensation', () => {
    const def = clone()
    def.steps[1].action = 'dcim.reboot'
    hasError(def, 'steps.1.action', /no action dcim\.reboot \(known: .*ipam\.allocate_address/)
    const undo = clone()
    ;(undo.steps[1].compensate as Record<string, unknown>).action = 'ipam.forget'
    hasError(undo, 'steps.1.compensate.action', /no action ipam\.forget/)
  })

  test('a field an action does not take, one it needs, and a literal of the wrong type', () => {
    const wrong = clone()
    wrong.steps[1].with = { poool: 'lab', purpose: 'lab_host' }
    hasError(wrong, 'steps.1.with.poool', /ipam\.allocate_address takes pool, purpose, description/)
    hasError(wrong, 'steps.1.with.pool', /ipam\.allocate_address needs pool/)
    const typed = clone()
    typed.steps[1].with = { pool: 'lab', purpose: 'Not Snake' }
    hasError(typed, 'steps.1.with.purpose', /snake_case/)
    hasError({ name: 'x', steps: [{ name: 'p', action: 'ipam.allocate_prefix', with: { pool: 'lab', purpose: 'p', length: 'long' } }] }, 'steps.0.with.length', /expected number/)
  })

  test('a $ref to a later step, a step under a when, an unknown step or field, or an input the workflow lacks', () => {
    const later = clone()
    later.steps[1].with = { pool: { $ref: 'steps.sign_off.approved' }, purpose: 'lab_host' }
    later.steps[2] = { ...later.steps[2] }
    hasError(later, 'steps.1.with.pool.$ref', /step sign_off has not run at this point/)
    const underWhen = clone()
    underWhen.steps.splice(5, 0, { name: 'after', action: 'dcim.read_device', with: { device_name: { $ref: 'steps.tell.status' } } })
    hasError(underWhen, 'steps.5.with.device_name.$ref', /step tell has not run at this point .*under a when/)
    const unknownStep = clone()
    unknownStep.steps[1].with = { pool: { $ref: 'steps.nowhere.pool' }, purpose: 'lab_host' }
    hasError(unknownStep, 'steps.1.with.pool.$ref', /there is no step nowhere/)
    const unknownField = clone()
    unknownField.steps[1].with = { pool: { $ref: 'steps.choose_pool.pooool' }, purpose: 'lab_host' }
    hasError(unknownField, 'steps.1.with.pool.$ref', /step choose_pool gives pool, not pooool/)
    const outputField = clone()
    ;(outputField.steps[3].steps as Record<string, unknown>[])[0].with = { to: [{ $ref: 'steps.allocate.address' }] }
    hasError(outputField, 'steps.3.steps.0.with.to.0.$ref', /step allocate gives id, pool, prefix/)
    const noInput = clone()
    delete noInput.input
    hasError(noInput, 'steps.1.with.description.$ref', /the workflow declares no input/)
    const inputField = clone()
    inputField.steps[1].with = { pool: 'lab', purpose: 'lab_host', description: { $ref: 'input.hostname' } }
    hasError(inputField, 'steps.1.with.description.$ref', /the input has no field hostname \(it has host, notify\)/)
    const root = clone()
    root.steps[1].with = { pool: { $ref: 'env.POOL' }, purpose: 'lab_host' }
    hasError(root, 'steps.1.with.pool.$ref', /starts with input\., steps\. or process\./)
    const processField = clone()
    processField.steps[1].with = { pool: { $ref: 'process.secret' }, purpose: 'lab_host' }
    hasError(processField, 'steps.1.with.pool.$ref', /process\.process_id, process\.created_by/)
  })

  test('a step after end or fail can never run; end belongs at the top level', () => {
    const afterEnd = clone()
    afterEnd.steps.push({ name: 'too_late', action: 'system.check_database' })
    hasError(afterEnd, 'steps.6', /too_late can never run: it follows the end step done/)
    const afterFail = clone()
    ;(afterFail.steps[4].steps as Record<string, unknown>[]).push({ name: 'never', action: 'system.check_database' })
    hasError(afterFail, 'steps.4.steps.1', /never can never run: it follows the fail step no_address/)
    const nestedEnd = clone()
    ;(nestedEnd.steps[3].steps as Record<string, unknown>[]).push({ name: 'stop', kind: 'end' })
    hasError(nestedEnd, 'steps.3.steps.1', /top-level/)
  })

  test('a branch does not read its sibling branch; a parallel step has two branches; a retry step is checked like an action', () => {
    const sibling = structuredClone(PARALLEL) as unknown as { steps: { branches: Record<string, Record<string, unknown>[]> }[] }
    sibling.steps[0].branches.left.push({ name: 'peek', action: 'dcim.read_device', with: { device_name: { $ref: 'steps.read.name' } } })
    hasError(sibling, 'steps.0.branches.left.1.with.device_name.$ref', /step read has not run at this point/)
    const lonely = structuredClone(PARALLEL) as unknown as { steps: { branches: Record<string, unknown> }[] }
    delete lonely.steps[0].branches.right
    hasError(lonely, 'steps.0.branches', /two branches or more/)
    const retry = structuredClone(PARALLEL) as unknown as { steps: Record<string, unknown>[] }
    retry.steps[1].with = { device_name: 'r1', state: 'active' }
    hasError(retry, 'steps.1.with.state', /dcim\.set_device_status takes device_name, status/)
    retry.steps[1].every = 'often'
    hasError(retry, 'steps.1.every', /a duration/)
  })

  test('a condition that reads no $ref is the same every time', () => {
    const constant = clone()
    constant.steps[3].condition = { eq: [1, 2] }
    hasError(constant, 'steps.3.condition', /is the same every time/)
  })

  test('duplicate step names, reserved names and compensation names', () => {
    const twice = clone()
    ;(twice.steps[3].steps as Record<string, unknown>[])[0].name = 'allocate'
    hasError(twice, 'steps.3.steps.0.name', /allocate names two steps/)
    const reserved = clone()
    reserved.steps[0].name = 'input'
    hasError(reserved, 'steps.0.name', /reserved/)
    const undo = clone()
    undo.steps[0].name = 'undo_allocate'
    hasError(undo, 'steps.0.name', /undo_ starts the names of compensations/)
  })

  test('a JSON Schema zod cannot apply, in the input or a form', () => {
    const input = clone()
    input.input = { type: 'object', properties: { host: { type: 'hostname' } } }
    hasError(input, 'input', /is not a JSON Schema Loom can apply: Unsupported type: hostname/)
    const form = clone()
    form.steps[0].form = { type: 'string' }
    hasError(form, 'steps.0.form', /type object/)
    const ref = clone()
    ref.steps[0].form = { type: 'object', properties: { pool: { $ref: '#/$defs/nowhere' } } }
    hasError(ref, 'steps.0.form', /Reference not found/)
  })

  test('a name a code workflow has', () => {
    hasError({ ...clone(), name: 'create_node' }, 'name', /create_node is a workflow of Loom's code/, ['create_node'])
  })

  test('every problem at once, each with its path', () => {
    const bad = clone()
    bad.steps[1].action = 'dcim.reboot'
    bad.steps[0].form = { type: 'string' }
    bad.steps.push({ name: 'late', kind: 'end' })
    const paths = errorsOf(bad).map((e) => e.path)
    assert.ok(paths.includes('steps.1.action') && paths.includes('steps.0.form') && paths.includes('steps.6'), JSON.stringify(paths))
  })
})

// A definition checked once runs as compiled: compileDefinition refuses nothing checkDefinition let through.
test('every checked definition compiles', () => {
  const checked = checkDefinition(EVERY_KIND)
  assert.ok(checked.ok)
  assert.doesNotThrow(() => compileDefinition(checked.definition))
})
