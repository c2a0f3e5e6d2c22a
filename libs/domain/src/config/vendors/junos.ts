// Juniper Junos (the curly-brace format that `load merge` takes).
import { type DecommissionedConfig, effectiveMetric, type LinkConfig, type NodeConfig, splitPrefix } from '../contract.js'

/** Indents nested blocks: each line given as [depth, text]. */
const layout = (lines: [number, string][]) => lines.map(([depth, text]) => `${'    '.repeat(depth)}${text}`).join('\n') + '\n'

export function junosNode(n: NodeConfig): string {
  const routerId = splitPrefix(n.loopback_ipv4).address
  const lines: [number, string][] = [
    [0, `/* site ${n.site}, role ${n.role} */`],
    [0, 'system {'],
    [1, `host-name ${n.hostname};`],
    [0, '}'],
    [0, 'interfaces {'],
    [1, 'lo0 {'],
    [2, 'unit 0 {'],
    [3, `family inet { address ${n.loopback_ipv4}; }`],
    [3, `family inet6 { address ${n.loopback_ipv6}; }`],
    [2, '}'],
    [1, '}'],
  ]
  if (n.management) lines.push([1, `${n.management.interface} {`], [2, 'description management;'], [2, `unit 0 { family inet { address ${n.management.address}; } }`], [1, '}'])
  lines.push([0, '}'], [0, 'routing-options {'], [1, `router-id ${routerId};`], [0, '}'], [0, 'protocols {'])
  for (const ospf of ['ospf', 'ospf3']) {
    lines.push([1, `${ospf} {`])
    if (n.igp.fast_convergence) lines.push([2, 'spf-options { delay 50; holddown 1000; rapid-runs 3; }'])
    lines.push([2, `area ${n.igp.area} {`], [3, 'interface lo0.0 { passive; }'], [2, '}'], [1, '}'])
  }
  lines.push([0, '}'])
  return layout(lines)
}

export function junosLink(l: LinkConfig): string {
  const ospfInterface: string[] = ['interface-type p2p;', `metric ${effectiveMetric(l.igp)};`]
  if (l.igp.hello_interval) ospfInterface.push(`hello-interval ${l.igp.hello_interval};`)
  if (l.igp.dead_interval) ospfInterface.push(`dead-interval ${l.igp.dead_interval};`)
  const lines: [number, string][] = [
    [0, 'interfaces {'],
    [1, `${l.interface} {`],
    [2, `description "${l.description}";`],
    ...(l.mtu ? ([[2, `mtu ${l.mtu};`]] as [number, string][]) : []),
    [2, 'unit 0 {'],
    [3, `family inet { address ${l.ipv4_address}; }`],
    [3, `family inet6 { address ${l.ipv6_address}; }`],
    [2, '}'],
    [1, '}'],
    [0, '}'],
    [0, 'protocols {'],
  ]
  for (const ospf of ['ospf', 'ospf3']) {
    lines.push([1, `${ospf} {`], [2, `area ${l.igp.area} {`], [3, `interface ${l.interface}.0 {`], ...ospfInterface.map((s): [number, string] => [4, s]), [3, '}'], [2, '}'], [1, '}'])
  }
  lines.push([0, '}'])
  return layout(lines)
}

/** Merge semantics: the node's blocks, then each link's. */
export const junosDevice = (n: NodeConfig, links: LinkConfig[]) => [junosNode(n), ...links.map(junosLink)].join('')

/** For `load override` (not merge): the host name stays, everything Loom rendered goes. */
export const junosDecommissioned = (d: DecommissionedConfig) => layout([[0, '/* decommissioned: not managed by Loom */'], [0, 'system {'], [1, `host-name ${d.hostname};`], [0, '}']])
