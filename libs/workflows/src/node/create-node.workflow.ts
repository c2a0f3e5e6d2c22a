import { patched } from '@temporalio/workflow'
import type { ProcessArgs } from '../engine/declaration.js'
import { processWorkflow } from '../engine/executor.js'
import { createNodeDeclaration } from './create-node.declaration.js'
import type { CreateNodeInput } from './create-node.forms.js'
import { createNodeBeforeEngine } from './legacy/create-node.before-engine.js'

const run = processWorkflow(createNodeDeclaration)

export async function createNode(args: ProcessArgs<CreateNodeInput>): Promise<unknown> {
  return patched('step-engine') ? run(args) : createNodeBeforeEngine(args)
}
