// FRRouting (vtysh syntax, as frr-reload.py reads a whole desired configuration). A whole device's
// configuration lists every interface before the routing processes: frr-reload.py applies its delta in that
// order, and an `interface` line after `router ospf6` would be read as that process's own sub-command.
import { type DecommissionedConfig, effectiveMetric, type LinkConfig, type NodeConfig, splitPrefix } from '../contract.js'

type Block = string[]

const text = (blocks: Block[]) => blocks.map((b) => [...b, '!'].join('\n')).join('\n') + '\n'

function nodeBlocks(n: NodeConfig): { header: Block; interfaces: Block[]; routers: Block[] } {
  const routerId = splitPrefix(n.loopback_ipv4).address
  const interfaces: Block[] = []
  if (n.management) interfaces.push([`interface ${n.management.interface}`, ' description management', ` ip address ${n.management.address}`, 'exit'])
  interfaces.push([
    'interface lo',
    ` ip address ${n.loopback_ipv4}`,
    ` ipv6 address ${n.loopback_ipv6}`,
    // Passive per interface: FRR shows `passive-interface lo` this way in its running configuration, and a
    // desired configuration written as FRR shows it diffs to nothing once applied.
    ' ip ospf passive',
    ` ip ospf area ${n.igp.area}`,
    ' ipv6 ospf6 passive',
    ` ipv6 ospf6 area ${n.igp.area}`,
    'exit',
  ])
  const routers: Block[] = [
    [
      'router ospf',
      ` ospf router-id ${routerId}`,
      ...(n.igp.fast_convergence ? [' timers throttle lsa all 0', ' timers throttle spf 0 50 1000', ' timers lsa min-arrival 0'] : []),
      'exit',
    ],
    ['router ospf6', ` ospf6 router-id ${routerId}`, 'exit'],
  ]
  return { header: ['frr defaults traditional', `hostname ${n.hostname}`, 'service integrated-vtysh-config', `! site ${n.site}, role ${n.role}`], interfaces, routers }
}

function linkBlock(l: LinkConfig): Block {
  const timers = (family: 'ip ospf' | 'ipv6 ospf6') => [
    ...(l.igp.hello_interval ? [` ${family} hello-interval ${l.igp.hello_interval}`] : []),
    ...(l.igp.dead_interval ? [` ${family} dead-interval ${l.igp.dead_interval}`] : []),
  ]
  // Network type and timers before the area: the interface sends its first hello as it joins the area.
  return [
    `interface ${l.interface}`,
    ` description ${l.description}`,
    ` ip address ${l.ipv4_address}`,
    ` ipv6 address ${l.ipv6_address}`,
    ...(l.mtu ? [` mtu ${l.mtu}`] : []),
    ' ip ospf network point-to-point',
    ...timers('ip ospf'),
    ` ip ospf cost ${effectiveMetric(l.igp)}`,
    ` ip ospf area ${l.igp.area}`,
    ' ipv6 ospf6 network point-to-point',
    ...timers('ipv6 ospf6'),
    ` ipv6 ospf6 cost ${effectiveMetric(l.igp)}`,
    ` ipv6 ospf6 area ${l.igp.area}`,
    'exit',
  ]
}

export function frrNode(n: NodeConfig): string {
  const { header, interfaces, routers } = nodeBlocks(n)
  return text([header, ...interfaces, ...routers])
}

export function frrLink(l: LinkConfig): string {
  return text([linkBlock(l)])
}

export function frrDevice(n: NodeConfig, links: LinkConfig[]): string {
  const { header, interfaces, routers } = nodeBlocks(n)
  return text([header, ...interfaces, ...links.map(linkBlock), ...routers])
}

/** frr-reload.py makes this the whole configuration: interfaces' addresses and both OSPF processes go. */
export function frrDecommissioned(d: DecommissionedConfig): string {
  return text([['frr defaults traditional', `hostname ${d.hostname}`, 'service integrated-vtysh-config', '! decommissioned: not managed by Loom']])
}
