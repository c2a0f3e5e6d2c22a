// Workflow type names, importable by clients without pulling workflow code in.
export const CREATE_NODE = 'create_node'
export const VALIDATE_NODE = 'validate_node'
export const MODIFY_NODE = 'modify_node'
export const TERMINATE_NODE = 'terminate_node'
export const CREATE_PORT = 'create_port'
export const TERMINATE_PORT = 'terminate_port'
export const VALIDATE_PORT = 'validate_port'
export const CREATE_CIRCUIT = 'create_circuit'
export const MODIFY_CIRCUIT_MODE = 'modify_circuit_mode'
export const MODIFY_CIRCUIT_METRIC = 'modify_circuit_metric'
export const TERMINATE_CIRCUIT = 'terminate_circuit'
export const VALIDATE_CIRCUIT = 'validate_circuit'
/** the health probe behind POST /api/system/ping: a workflow, not a process */
export const SYSTEM_PING = 'system_ping'
export const TASK_RESUME_ALL = 'task_resume_all'
export const TASK_VALIDATE_SUBSCRIPTIONS = 'task_validate_subscriptions'
/** what a Temporal Schedule starts: it starts the scheduled process through the API */
export const RUN_SCHEDULED_TASK = 'run_scheduled_task'
