import { processWorkflow } from '../engine/executor.js'
import { terminateNodeDeclaration } from './terminate-node.declaration.js'

export const terminateNode = processWorkflow(terminateNodeDeclaration)
