// Cisco IOS-XR (configuration mode text, as `load` and `commit` take it).
import { type DecommissionedConfig, effectiveMetric, type LinkConfig, netmask, type NodeConfig, splitPrefix } from '../contract.js'

const v4 = (prefix: string) => {
  const { address, length } = splitPrefix(prefix)
  return `${address} ${netmask(length)}`
}

function nodeLines(n: NodeConfig): string[] {
  const routerId = splitPrefix(n.loopback_ipv4).address
  const lines = [`hostname ${n.hostname}`, `!! site ${n.site}, role ${n.role}`, 'interface Loopback0', ' description loopback', ` ipv4 address ${v4(n.loopback_ipv4)}`, ` ipv6 address ${n.loopback_ipv6}`, '!']
  if (n.management) lines.push(`interface ${n.management.interface}`, ' description management', ` ipv4 address ${v4(n.management.address)}`, '!')
  for (const ospf of ['ospf', 'ospfv3'] as const) {
    lines.push(`router ${ospf} CORE`, ` router-id ${routerId}`)
    if (n.igp.fast_convergence) lines.push(' timers throttle spf 50 50 1000', ' timers throttle lsa all 0 50 1000')
    lines.push(` area ${n.igp.area}`, '  interface Loopback0', `   passive${ospf === 'ospf' ? ' enable' : ''}`, '  !', ' !', '!')
  }
  return lines
}

function linkLines(l: LinkConfig): string[] {
  const lines = [`interface ${l.interface}`, ` description ${l.description}`, ...(l.mtu ? [` mtu ${l.mtu}`] : []), ` ipv4 address ${v4(l.ipv4_address)}`, ` ipv6 address ${l.ipv6_address}`, '!']
  for (const ospf of ['ospf', 'ospfv3'] as const) {
    lines.push(`router ${ospf} CORE`, ` area ${l.igp.area}`, `  interface ${l.interface}`, '   network point-to-point', `   cost ${effectiveMetric(l.igp)}`)
    if (l.igp.hello_interval) lines.push(`   hello-interval ${l.igp.hello_interval}`)
    if (l.igp.dead_interval) lines.push(`   dead-interval ${l.igp.dead_interval}`)
    lines.push('  !', ' !', '!')
  }
  return lines
}

/** One `end` closes a configuration block, however many parts it has. */
const block = (lines: string[]) => [...lines, 'end', ''].join('\n')

export const iosxrNode = (n: NodeConfig) => block(nodeLines(n))
export const iosxrLink = (l: LinkConfig) => block(linkLines(l))
export const iosxrDevice = (n: NodeConfig, links: LinkConfig[]) => block([...nodeLines(n), ...links.flatMap(linkLines)])
/** For `commit replace`: the hostname stays, everything Loom rendered goes. */
export const iosxrDecommissioned = (d: DecommissionedConfig) => block([`hostname ${d.hostname}`, '!! decommissioned: not managed by Loom'])
