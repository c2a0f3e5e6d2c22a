import { processWorkflow } from '../engine/executor.js'
import { createPortDeclaration } from './create-port.declaration.js'

export const createPort = processWorkflow(createPortDeclaration)
