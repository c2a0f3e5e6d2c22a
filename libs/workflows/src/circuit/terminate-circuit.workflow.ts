import { processWorkflow } from '../engine/executor.js'
import { terminateCircuitDeclaration } from './terminate-circuit.declaration.js'

export const terminateCircuit = processWorkflow(terminateCircuitDeclaration)
