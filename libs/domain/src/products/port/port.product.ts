import { type BlockDeclaration, defineProduct, type ProductDeclaration } from '../declaration.js'
import type { BlockModel } from '../typed-model.js'

export const PORT_SPEEDS = ['10G', '100G'] as const
export type PortSpeed = (typeof PORT_SPEEDS)[number]

/** The port product of a speed: port_10g, port_100g. */
export const portProductOf = (speed: PortSpeed) => `port_${speed.toLowerCase()}`

export const portBlock = {
  name: 'port',
  description: 'An interface of a node, used by one service at a time',
  tag: 'PORT',
  fields: {
    node: { type: 'block_ref', block: 'node', description: 'the node the interface is on (another subscription)', required_from: 'initial' },
    port_name: { type: 'string', description: 'interface name as DCIM knows it, e.g. eth1 or Ethernet0/0/1', required_from: 'initial' },
    port_description: { type: 'string', description: 'interface description pushed to the device', required_from: 'provisioning' },
    enabled: { type: 'boolean', description: 'administratively up', required_from: 'active' },
  },
} as const satisfies BlockDeclaration

/** One product per speed, told apart by the fixed input `speed` (as in the Workflow Orchestrator). */
export const portProducts: ProductDeclaration[] = PORT_SPEEDS.map((speed) =>
  defineProduct({
    name: portProductOf(speed),
    type: 'Port',
    description: `A ${speed} interface on a node`,
    tag: 'PORT',
    fixed_inputs: { speed },
    blocks: [portBlock],
    workflows: ['create_port', 'terminate_port', 'validate_port'],
  }),
)

export type PortInitial = BlockModel<typeof portBlock, 'initial'>
export type PortProvisioning = BlockModel<typeof portBlock, 'provisioning'>
export type PortActive = BlockModel<typeof portBlock, 'active'>
