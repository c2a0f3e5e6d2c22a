// The node product's model, typed per lifecycle from its declaration (node.product.ts).
import { DomainError } from '../../errors.js'
import type { BlockModel } from '../typed-model.js'
import type { nodeBlock } from './node.product.js'

export const NODE_PRODUCT = 'node'

/** The IPAM pools create_node takes a node's loopbacks from (npm start's demo data creates them). */
export const NODE_LOOPBACK_POOLS = { ipv4: 'loopbacks-v4', ipv6: 'loopbacks-v6' } as const

export type NodeInitial = BlockModel<typeof nodeBlock, 'initial'>
export type NodeProvisioning = BlockModel<typeof nodeBlock, 'provisioning'>
export type NodeActive = BlockModel<typeof nodeBlock, 'active'>

export function nodeDescription(node: Pick<NodeInitial, 'device_name' | 'role' | 'site'>): string {
  return `Node ${node.device_name} (${node.role}, ${node.site})`
}

const PROVISIONING_FIELDS = ['management_address', 'loopback_ipv4', 'loopback_ipv6'] as const

/** Narrows an initial node to a provisioning one, or names the fields it still lacks. */
export function toProvisioning(node: NodeInitial): NodeProvisioning {
  const missing = PROVISIONING_FIELDS.filter((f) => !node[f])
  if (missing.length) throw new DomainError(`node ${node.device_name} cannot be provisioned: missing ${missing.join(', ')}`)
  return node as NodeProvisioning
}
