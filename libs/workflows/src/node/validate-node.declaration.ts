import type { WorkflowDeclaration } from '../engine/declaration.js'

export const VALIDATE_NODE = 'validate_node'

export const validateNodeDeclaration = {
  name: VALIDATE_NODE,
  target: 'VALIDATE',
  product: 'node',
  description: 'Check a node subscription against its sources of truth: the DCIM device and the loopbacks IPAM holds for it; in sync when they agree',
  steps: [{ name: 'check_sources_of_truth', label: 'Compare the node with DCIM and IPAM', kind: 'step' }],
} as const satisfies WorkflowDeclaration
