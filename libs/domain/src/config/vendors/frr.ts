// FRRouting (vtysh syntax, as frr-reload.py reads a whole desired configuration).
import { effectiveMetric, type LinkConfig, type NodeConfig, splitPrefix } from '../contract.js'

export function frrNode(n: NodeConfig): string {
  const routerId = splitPrefix(n.loopback_ipv4).address
  const lines = ['frr defaults traditional', `hostname ${n.hostname}`, 'service integrated-vtysh-config', `! site ${n.site}, role ${n.role}`, '!']
  if (n.management) lines.push(`interface ${n.management.interface}`, ' description management', ` ip address ${n.management.address}`, 'exit', '!')
  lines.push(
    `interface lo`,
    ` ip address ${n.loopback_ipv4}`,
    ` ipv6 address ${n.loopback_ipv6}`,
    ` ip ospf area ${n.igp.area}`,
    ` ipv6 ospf6 area ${n.igp.area}`,
    'exit',
    '!',
    'router ospf',
    ` ospf router-id ${routerId}`,
    ' passive-interface lo',
    ...(n.igp.fast_convergence ? [' timers throttle lsa all 0', ' timers throttle spf 0 50 1000', ' timers lsa min-arrival 0'] : []),
    'exit',
    '!',
    'router ospf6',
    ` ospf6 router-id ${routerId}`,
    'exit',
    '!',
  )
  return lines.join('\n') + '\n'
}

export function frrLink(l: LinkConfig): string {
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
    '!',
    '',
  ].join('\n')
}
