// Every process workflow Loom runs, as data: the API lists them and their steps without running anything.
import type { WorkflowDeclaration } from './engine/declaration.js'
import { createNodeDeclaration } from './node/create-node.declaration.js'
import { modifyNodeDeclaration } from './node/modify-node.declaration.js'
import { validateNodeDeclaration } from './node/validate-node.declaration.js'
import { terminateNodeDeclaration } from './node/terminate-node.declaration.js'
import { drainNodeDeclaration, restoreNodeDeclaration } from './node/drain-node.declaration.js'
import { createPortDeclaration } from './port/create-port.declaration.js'
import { terminatePortDeclaration } from './port/terminate-port.declaration.js'
import { validatePortDeclaration } from './port/validate-port.declaration.js'
import { createCircuitDeclaration } from './circuit/create-circuit.declaration.js'
import { modifyCircuitMetricDeclaration, modifyCircuitModeDeclaration } from './circuit/modify-circuit.declaration.js'
import { terminateCircuitDeclaration } from './circuit/terminate-circuit.declaration.js'
import { validateCircuitDeclaration } from './circuit/validate-circuit.declaration.js'
import { resumeAllDeclaration, validateSubscriptionsDeclaration } from './tasks/tasks.declaration.js'
import { deployConfigDeclaration, upgradeOsDeclaration } from './tasks/fleet-tasks.declaration.js'

export const WORKFLOW_DECLARATIONS: readonly WorkflowDeclaration[] = [
  createNodeDeclaration,
  modifyNodeDeclaration,
  validateNodeDeclaration,
  terminateNodeDeclaration,
  drainNodeDeclaration,
  restoreNodeDeclaration,
  createPortDeclaration,
  terminatePortDeclaration,
  validatePortDeclaration,
  createCircuitDeclaration,
  modifyCircuitModeDeclaration,
  modifyCircuitMetricDeclaration,
  terminateCircuitDeclaration,
  validateCircuitDeclaration,
  resumeAllDeclaration,
  validateSubscriptionsDeclaration,
  upgradeOsDeclaration,
  deployConfigDeclaration,
]
