import { patched } from '@temporalio/workflow'
import type { ProcessArgs } from '../engine/declaration.js'
import { processWorkflow } from '../engine/executor.js'
import { validateNodeBeforeEngine } from './legacy/validate-node.before-engine.js'
import { validateNodeDeclaration } from './validate-node.declaration.js'
import type { ValidateNodeInput } from './validate-node.forms.js'

const run = processWorkflow(validateNodeDeclaration)

export async function validateNode(args: ProcessArgs<ValidateNodeInput>): Promise<unknown> {
  return patched('step-engine') ? run(args) : validateNodeBeforeEngine(args)
}
