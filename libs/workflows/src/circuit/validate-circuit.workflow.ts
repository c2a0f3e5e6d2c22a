import { processWorkflow } from '../engine/executor.js'
import { validateCircuitDeclaration } from './validate-circuit.declaration.js'

export const validateCircuit = processWorkflow(validateCircuitDeclaration)
