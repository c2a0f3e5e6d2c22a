import type { ProcessArgs } from '../engine/declaration.js'
import { processWorkflow } from '../engine/executor.js'
import { compileDefinition } from './compile.js'
import type { CustomRun } from './definition.js'

/**
 * Runs a custom workflow: its definition (and version) came with the process's start, so a replay compiles the same
 * steps, and a process keeps the version it started with whatever is registered later.
 */
export async function runCustomWorkflow(args: ProcessArgs & CustomRun): Promise<unknown> {
  const { definition, version, ...process } = args
  return processWorkflow(compileDefinition(definition, version))(process)
}
