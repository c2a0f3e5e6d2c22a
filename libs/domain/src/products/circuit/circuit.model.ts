// What a circuit's model means for the two routers it joins: each side's address on the link subnets and the
// configuration of each side's interface. Pure: workflow code and activities both use it.
import ipaddr from 'ipaddr.js'
import type { LinkConfigData } from '../../config/index.js'
import { DomainError } from '../../errors.js'
import type { CircuitInitial } from './circuit.product.js'

/** The IPAM pools circuits take their link subnets from (npm start's demo data creates them). */
export const CIRCUIT_LINK_POOLS = { ipv4: { pool: 'core-links-v4', length: 31 }, ipv6: { pool: 'core-links-v6', length: 127 } } as const

/** What a circuit's link subnets are allocated for, in IPAM. */
export const CIRCUIT_LINK_PURPOSES = ['link_ipv4', 'link_ipv6'] as const

/** Every circuit starts drained (seed 002): a modify moves it to normal once it is checked. */
export const CIRCUIT_START_MODE = 'maintenance' as const
export const DEFAULT_IGP_METRIC = 10

export type Side = 'side_a' | 'side_b'
export const SIDES: readonly Side[] = ['side_a', 'side_b']

/** The circuit product of a speed: circuit_10g, circuit_100g. */
export const circuitProductOf = (speed: string) => `circuit_${speed.toLowerCase()}`

/** The two addresses of a point-to-point subnet (/31 or /127): A takes the first, B the second, with the subnet's length. */
export function sideAddresses(subnet: string): { side_a: string; side_b: string } {
  const [network, length] = ipaddr.parseCIDR(subnet)
  const max = network.kind() === 'ipv4' ? 32 : 128
  if (length !== max - 1) throw new DomainError(`${subnet} is not a point-to-point subnet (/${max - 1})`)
  const bytes = network.toByteArray()
  const second = [...bytes]
  second[second.length - 1] |= 1
  const first = [...bytes]
  first[first.length - 1] &= 0xfe
  return { side_a: `${ipaddr.fromByteArray(first).toString()}/${length}`, side_b: `${ipaddr.fromByteArray(second).toString()}/${length}` }
}

/** What one side's interface needs, as the configuration contract names it. */
export interface SideFacts {
  interface: string
  /** the router at the other end, for the description */
  far_end: string
  ipv4_address: string
  ipv6_address: string
}

/**
 * Core links run in the OSPF backbone. Both ends of a link must be in one area, and a node's own `igp_area` is the
 * area of its loopback: a node moved to another area (modify_node) keeps its links in the backbone with their far ends.
 */
export const CIRCUIT_IGP_AREA = '0.0.0.0'

export function circuitLinkConfig(circuit: Pick<CircuitInitial, 'igp_metric' | 'mode'>, side: SideFacts): LinkConfigData {
  return {
    interface: side.interface,
    description: `circuit to ${side.far_end}`,
    ipv4_address: side.ipv4_address,
    ipv6_address: side.ipv6_address,
    igp: { area: CIRCUIT_IGP_AREA, metric: circuit.igp_metric, mode: circuit.mode },
  }
}

export function circuitDescription(speed: string, ends: Record<Side, { device: string; interface: string }>): string {
  return `Circuit ${speed} ${ends.side_a.device} ${ends.side_a.interface} – ${ends.side_b.device} ${ends.side_b.interface}`
}
