// Nokia SR OS (model-driven CLI, the format `load merge` or a pasted `configure` block takes).
import { type DecommissionedConfig, effectiveMetric, type LinkConfig, type NodeConfig, splitPrefix } from '../contract.js'

const layout = (lines: [number, string][]) => lines.map(([depth, text]) => `${'    '.repeat(depth)}${text}`).join('\n') + '\n'

export function srosNode(n: NodeConfig): string {
  const lo4 = splitPrefix(n.loopback_ipv4)
  const lo6 = splitPrefix(n.loopback_ipv6)
  const lines: [number, string][] = [
    [0, `# site ${n.site}, role ${n.role}`],
    ...(n.management ? ([[0, `# management ${n.management.address} on ${n.management.interface} is set in the BOF`]] as [number, string][]) : []),
    [0, 'configure {'],
    [1, 'system {'],
    [2, `name "${n.hostname}"`],
    [1, '}'],
    [1, 'router "Base" {'],
    [2, `router-id ${lo4.address}`],
    [2, 'interface "system" {'],
    [3, `ipv4 { primary { address ${lo4.address} prefix-length ${lo4.length} } }`],
    [3, `ipv6 { address ${lo6.address} { prefix-length ${lo6.length} } }`],
    [2, '}'],
  ]
  for (const ospf of ['ospf', 'ospf3']) {
    lines.push([2, `${ospf} 0 {`], [3, 'admin-state enable'])
    if (n.igp.fast_convergence) lines.push([3, 'timers { spf-wait { spf-max-wait 1000 spf-initial-wait 50 spf-second-wait 50 } lsa-generate { lsa-initial-wait 0 } }'])
    lines.push([3, `area ${n.igp.area} {`], [4, 'interface "system" { passive true }'], [3, '}'], [2, '}'])
  }
  lines.push([1, '}'], [0, '}'])
  return layout(lines)
}

export function srosLink(l: LinkConfig): string {
  const v4 = splitPrefix(l.ipv4_address)
  const v6 = splitPrefix(l.ipv6_address)
  // SR OS names the layer-3 interface apart from the port it sits on; Loom names it after the port.
  const name = `to-${l.interface.replaceAll('/', '-')}`
  const ospfInterface = [`interface-type point-to-point`, `metric ${effectiveMetric(l.igp)}`]
  if (l.igp.hello_interval) ospfInterface.push(`hello-interval ${l.igp.hello_interval}`)
  if (l.igp.dead_interval) ospfInterface.push(`dead-interval ${l.igp.dead_interval}`)
  const lines: [number, string][] = [
    [0, 'configure {'],
    [1, `port ${l.interface} {`],
    [2, 'admin-state enable'],
    [2, `description "${l.description}"`],
    ...(l.mtu ? ([[2, `ethernet { mtu ${l.mtu} }`]] as [number, string][]) : []),
    [1, '}'],
    [1, 'router "Base" {'],
    [2, `interface "${name}" {`],
    [3, `port ${l.interface}`],
    [3, `description "${l.description}"`],
    [3, `ipv4 { primary { address ${v4.address} prefix-length ${v4.length} } }`],
    [3, `ipv6 { address ${v6.address} { prefix-length ${v6.length} } }`],
    [2, '}'],
  ]
  for (const ospf of ['ospf', 'ospf3']) {
    lines.push([2, `${ospf} 0 {`], [3, `area ${l.igp.area} {`], [4, `interface "${name}" {`], ...ospfInterface.map((s): [number, string] => [5, s]), [4, '}'], [3, '}'], [2, '}'])
  }
  lines.push([1, '}'], [0, '}'])
  return layout(lines)
}

/** Merge semantics: the node's blocks, then each link's. */
export const srosDevice = (n: NodeConfig, links: LinkConfig[]) => [srosNode(n), ...links.map(srosLink)].join('')

/** For a replacing load (`load full-replace`): the system name stays, everything Loom rendered goes. */
export const srosDecommissioned = (d: DecommissionedConfig) => layout([[0, '# decommissioned: not managed by Loom'], [0, 'configure {'], [1, 'system {'], [2, `name "${d.hostname}"`], [1, '}'], [0, '}']])
