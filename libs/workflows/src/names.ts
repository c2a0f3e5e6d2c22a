// Workflow type names, importable by clients without pulling workflow code in.
export { CREATE_NODE } from './node/create-node.declaration.js'
export { VALIDATE_NODE } from './node/validate-node.declaration.js'
export { SYSTEM_PING } from './system/system-ping.declaration.js'
