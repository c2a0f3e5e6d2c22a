import { processWorkflow } from '../engine/executor.js'
import { createCircuitDeclaration } from './create-circuit.declaration.js'

export const createCircuit = processWorkflow(createCircuitDeclaration)
