import { processWorkflow } from '../engine/executor.js'
import { validatePortDeclaration } from './validate-port.declaration.js'

export const validatePort = processWorkflow(validatePortDeclaration)
