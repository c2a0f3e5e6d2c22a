import { processWorkflow } from '../engine/executor.js'
import { modifyNodeDeclaration } from './modify-node.declaration.js'

export const modifyNode = processWorkflow(modifyNodeDeclaration)
