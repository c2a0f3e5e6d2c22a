// Workflow type names, importable by clients without pulling workflow code in.
export const CREATE_NODE = 'create_node'
export const VALIDATE_NODE = 'validate_node'
/** the health probe behind POST /api/system/ping: a workflow, not a process */
export const SYSTEM_PING = 'system_ping'
