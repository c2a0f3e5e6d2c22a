// Rendered configuration by vendor. A device's vendor in DCIM picks the templates.
import { DomainError } from '../errors.js'
import {
  checked,
  type DecommissionedConfig,
  type DecommissionedConfigData,
  decommissionedConfigData,
  type LinkConfig,
  type LinkConfigData,
  linkConfigData,
  type NodeConfig,
  type NodeConfigData,
  nodeConfigData,
} from './contract.js'
import { frrDecommissioned, frrDevice, frrLink, frrNode } from './vendors/frr.js'
import { iosxrDecommissioned, iosxrDevice, iosxrLink, iosxrNode } from './vendors/iosxr.js'
import { junosDecommissioned, junosDevice, junosLink, junosNode } from './vendors/junos.js'
import { srosDecommissioned, srosDevice, srosLink, srosNode } from './vendors/sros.js'

interface Templates {
  node(data: NodeConfig): string
  link(data: LinkConfig): string
  /** the whole configuration of a device: its node base and every link on it */
  device(node: NodeConfig, links: LinkConfig[]): string
  /** the whole configuration of a router Loom no longer manages (terminate_node) */
  decommissioned(data: DecommissionedConfig): string
}

const TEMPLATES = {
  frr: { node: frrNode, link: frrLink, device: frrDevice, decommissioned: frrDecommissioned },
  cisco_iosxr: { node: iosxrNode, link: iosxrLink, device: iosxrDevice, decommissioned: iosxrDecommissioned },
  juniper_junos: { node: junosNode, link: junosLink, device: junosDevice, decommissioned: junosDecommissioned },
  nokia_sros: { node: srosNode, link: srosLink, device: srosDevice, decommissioned: srosDecommissioned },
} satisfies Record<string, Templates>

export type Vendor = keyof typeof TEMPLATES
export const VENDORS = Object.keys(TEMPLATES) as Vendor[]

function templatesFor(vendor: string): Templates {
  if (!(vendor in TEMPLATES)) throw new DomainError(`no configuration templates for vendor ${vendor}: known are ${VENDORS.join(', ')}`)
  return TEMPLATES[vendor as Vendor]
}

/** A node's base configuration: hostname, loopbacks, IGP, management. */
export function renderNodeConfig(vendor: string, data: NodeConfigData): string {
  return templatesFor(vendor).node(checked(`the ${vendor} base configuration of ${data.hostname}`, nodeConfigData, data))
}

/** One side of a link: addresses, description, IGP point-to-point with its metric (or the maintenance metric). */
export function renderLinkConfig(vendor: string, data: LinkConfigData): string {
  return templatesFor(vendor).link(checked(`the ${vendor} configuration of ${data.interface}`, linkConfigData, data))
}

/**
 * A device's whole configuration — its node base and every link on it — as a driver that replaces the running
 * configuration needs it.
 */
export function renderDeviceConfig(vendor: string, node: NodeConfigData, links: LinkConfigData[]): string {
  const templates = templatesFor(vendor)
  const checkedNode = checked(`the ${vendor} base configuration of ${node.hostname}`, nodeConfigData, node)
  return templates.device(checkedNode, links.map((l) => checked(`the ${vendor} configuration of ${node.hostname} ${l.interface}`, linkConfigData, l)))
}

/**
 * The whole configuration of a router that Loom no longer manages: its hostname and nothing else Loom rendered (no
 * loopbacks, no IGP). A driver that replaces the running configuration (frr: frr-reload.py) removes the rest; the
 * management access the router was staged with is outside what Loom renders, so it stays reachable.
 */
export function renderDecommissionedConfig(vendor: string, data: DecommissionedConfigData): string {
  return templatesFor(vendor).decommissioned(checked(`the ${vendor} decommissioned configuration of ${data.hostname}`, decommissionedConfigData, data))
}
