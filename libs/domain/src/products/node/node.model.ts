// The node product: a router enrolled in Loom. Fields become required as the lifecycle advances
// (the full lifecycle-typed model arrives with the service-model work; this is its first slice).
import { DomainError } from '../../errors.js'

export const NODE_PRODUCT = 'node'

export interface NodeInitial {
  /** the DCIM device this node is, by its unique name */
  device_name: string
  role: string
  vendor: string
  platform: string
  site: string
  management_address?: string | null
  /** with prefix length, as NetBox's primary_ip4, e.g. 198.51.100.1/32 */
  loopback_ipv4?: string | null
  loopback_ipv6?: string | null
  igp_protocol?: 'ospf' | 'isis'
  /** OSPF dotted area, or IS-IS area id */
  igp_area?: string
}

const PROVISIONING_FIELDS = ['management_address', 'loopback_ipv4', 'loopback_ipv6'] as const

export type NodeProvisioning = Omit<NodeInitial, (typeof PROVISIONING_FIELDS)[number]> & Record<(typeof PROVISIONING_FIELDS)[number], string>

export function nodeDescription(node: Pick<NodeInitial, 'device_name' | 'role' | 'site'>): string {
  return `Node ${node.device_name} (${node.role}, ${node.site})`
}

/** Narrows an initial node to a provisioning one, or names the fields it still lacks. */
export function toProvisioning(node: NodeInitial): NodeProvisioning {
  const missing = PROVISIONING_FIELDS.filter((f) => !node[f])
  if (missing.length) throw new DomainError(`node ${node.device_name} cannot be provisioned: missing ${missing.join(', ')}`)
  return node as NodeProvisioning
}
