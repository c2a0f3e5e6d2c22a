import { processWorkflow } from '../engine/executor.js'
import { modifyCircuitMetricDeclaration, modifyCircuitModeDeclaration } from './modify-circuit.declaration.js'

export const modifyCircuitMode = processWorkflow(modifyCircuitModeDeclaration)
export const modifyCircuitMetric = processWorkflow(modifyCircuitMetricDeclaration)
