// Workflow type names, importable by clients without pulling workflow code in.
export const SYSTEM_PING = 'system_ping'
