// The workflow bundle's entry point: every workflow type the worker serves, under its snake_case name.
export { createNode as create_node } from './node/create-node.workflow.js'
export { validateNode as validate_node } from './node/validate-node.workflow.js'
export { createPort as create_port } from './port/create-port.workflow.js'
export { createCircuit as create_circuit } from './circuit/create-circuit.workflow.js'
export { systemPing as system_ping } from './system/system-ping.workflow.js'
export { resumeAll as task_resume_all, validateSubscriptions as task_validate_subscriptions } from './tasks/tasks.workflow.js'
export { runScheduledTask as run_scheduled_task } from './tasks/scheduled-task.workflow.js'
