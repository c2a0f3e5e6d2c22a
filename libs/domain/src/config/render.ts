// Rendered configuration by vendor. A device's vendor in DCIM picks the templates.
import { DomainError } from '../errors.js'
import { checked, type LinkConfig, type LinkConfigData, linkConfigData, type NodeConfig, type NodeConfigData, nodeConfigData } from './contract.js'
import { frrLink, frrNode } from './vendors/frr.js'
import { iosxrLink, iosxrNode } from './vendors/iosxr.js'
import { junosLink, junosNode } from './vendors/junos.js'
import { srosLink, srosNode } from './vendors/sros.js'

interface Templates {
  node(data: NodeConfig): string
  link(data: LinkConfig): string
}

const TEMPLATES = {
  frr: { node: frrNode, link: frrLink },
  cisco_iosxr: { node: iosxrNode, link: iosxrLink },
  juniper_junos: { node: junosNode, link: junosLink },
  nokia_sros: { node: srosNode, link: srosLink },
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
