import { processWorkflow } from '../engine/executor.js'
import { drainNodeDeclaration, restoreNodeDeclaration } from './drain-node.declaration.js'

export const drainNode = processWorkflow(drainNodeDeclaration)
export const restoreNode = processWorkflow(restoreNodeDeclaration)
