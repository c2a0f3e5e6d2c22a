// The workflow bundle's entry point: every workflow type the worker serves, under its snake_case name.
export { systemPing as system_ping } from './system/system-ping.workflow.js'
