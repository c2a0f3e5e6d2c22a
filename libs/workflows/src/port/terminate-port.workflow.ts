import { processWorkflow } from '../engine/executor.js'
import { terminatePortDeclaration } from './terminate-port.declaration.js'

export const terminatePort = processWorkflow(terminatePortDeclaration)
