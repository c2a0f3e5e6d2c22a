// DESIGN.md's vocabulary as closed unions: the same strings in the API, the database and workflow code.

export const LIFECYCLES = ['initial', 'provisioning', 'active', 'disabled', 'terminated', 'migrating'] as const
export type Lifecycle = (typeof LIFECYCLES)[number]

export const WORKFLOW_TARGETS = ['CREATE', 'MODIFY', 'TERMINATE', 'VALIDATE', 'SYSTEM', 'RECONCILE'] as const
export type WorkflowTarget = (typeof WORKFLOW_TARGETS)[number]

export const PROCESS_STATUSES = ['created', 'running', 'waiting', 'suspended', 'completed', 'aborted', 'failed'] as const
export type ProcessStatus = (typeof PROCESS_STATUSES)[number]

export const STEP_STATUSES = ['pending', 'running', 'success', 'skipped', 'waiting', 'failed'] as const
export type StepStatus = (typeof STEP_STATUSES)[number]

/** NetBox's device statuses. */
export const DEVICE_STATUSES = ['offline', 'active', 'planned', 'staged', 'failed', 'inventory', 'decommissioning'] as const
export type DeviceStatus = (typeof DEVICE_STATUSES)[number]

/** What an IPAM pool's addresses are for. */
export const IPAM_ROLES = ['loopback', 'link', 'management', 'customer'] as const
export type IpamRole = (typeof IPAM_ROLES)[number]

/** A device's place in the network: data-centre fabric roles, and router for a backbone node. */
export const DEVICE_ROLES = ['edge', 'spine', 'leaf', 'router'] as const
export type DeviceRole = (typeof DEVICE_ROLES)[number]

/** A DCIM interface's and cable's life: planned, then in service, then on the way out. */
export const INTERFACE_STATUSES = ['planned', 'active', 'decommissioning'] as const
export type InterfaceStatus = (typeof INTERFACE_STATUSES)[number]
export const CABLE_STATUSES = ['planned', 'connected', 'decommissioning'] as const
export type CableStatus = (typeof CABLE_STATUSES)[number]
