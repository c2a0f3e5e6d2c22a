import { type BlockDeclaration, defineProduct, type ProductDeclaration } from '../declaration.js'
import { PORT_SPEEDS } from '../port/port.product.js'
import type { BlockModel, TypedLifecycle } from '../typed-model.js'

export const circuitSideBlock = {
  name: 'circuit_side',
  description: 'One end of a core link: a port and its address on the link subnet',
  tag: 'CIRCUIT_SIDE',
  fields: {
    port: { type: 'block_ref', block: 'port', description: 'the port (another subscription)', required_from: 'initial' },
    ipv4_address: { type: 'ipv4_prefix', description: 'this side’s address in the IPv4 link subnet', required_from: 'provisioning' },
    ipv6_address: { type: 'ipv6_prefix', description: 'this side’s address in the IPv6 link subnet', required_from: 'provisioning' },
  },
} as const satisfies BlockDeclaration

export const circuitBlock = {
  name: 'circuit',
  description: 'A core link between two ports on different nodes',
  tag: 'CIRCUIT',
  fields: {
    side_a: { type: 'block_ref', block: 'circuit_side', description: 'the A side', required_from: 'initial' },
    side_b: { type: 'block_ref', block: 'circuit_side', description: 'the B side', required_from: 'initial' },
    igp_metric: { type: 'integer', description: 'IGP cost of the link', required_from: 'initial' },
    mode: {
      type: 'enum',
      values: ['maintenance', 'normal'],
      description: 'maintenance drains traffic with a high metric; normal uses igp_metric',
      required_from: 'initial',
    },
    cable_id: { type: 'string', description: 'the cable between the two ports in DCIM', required_from: 'initial' },
    link_subnet_ipv4: { type: 'ipv4_prefix', description: 'IPv4 link subnet (/31)', required_from: 'provisioning' },
    link_subnet_ipv6: { type: 'ipv6_prefix', description: 'IPv6 link subnet (/127)', required_from: 'provisioning' },
  },
} as const satisfies BlockDeclaration

export const circuitProducts: ProductDeclaration[] = PORT_SPEEDS.map((speed) =>
  defineProduct({
    name: `circuit_${speed.toLowerCase()}`,
    type: 'Circuit',
    description: `A ${speed} core link between two nodes`,
    tag: 'CIRCUIT',
    fixed_inputs: { speed },
    blocks: [circuitBlock, circuitSideBlock],
    workflows: ['create_circuit', 'modify_circuit_mode', 'modify_circuit_metric', 'terminate_circuit', 'validate_circuit'],
  }),
)

export type CircuitSide<L extends TypedLifecycle> = BlockModel<typeof circuitSideBlock, L>
/** A circuit in lifecycle L, its two sides typed for the same lifecycle. */
export type Circuit<L extends TypedLifecycle> = Omit<BlockModel<typeof circuitBlock, L>, 'side_a' | 'side_b'> & { side_a: CircuitSide<L>; side_b: CircuitSide<L> }
export type CircuitInitial = Circuit<'initial'>
export type CircuitProvisioning = Circuit<'provisioning'>
export type CircuitActive = Circuit<'active'>
