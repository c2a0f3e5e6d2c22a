import type { WorkflowDeclaration } from '../engine/declaration.js'

export const SYSTEM_PING = 'system_ping'

export const systemPingDeclaration = {
  name: SYSTEM_PING,
  target: 'SYSTEM',
  product: null,
  description: 'Check that a worker polls the task queue and reaches the database (POST /api/system/ping)',
  steps: [{ name: 'check_database', label: 'Query the database from a worker', kind: 'step' }],
} as const satisfies WorkflowDeclaration
