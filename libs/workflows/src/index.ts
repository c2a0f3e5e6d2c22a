// The workflow bundle's entry point: every workflow type the worker serves, under its snake_case name.
export { createNode as create_node } from './node/create-node.workflow.js'
export { validateNode as validate_node } from './node/validate-node.workflow.js'
export { systemPing as system_ping } from './system/system-ping.workflow.js'
