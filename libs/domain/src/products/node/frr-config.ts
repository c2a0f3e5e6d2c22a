// FRR base configuration of a node: hostname, loopbacks, OSPFv2/OSPFv3 with the loopback as router id.
// Pure and deterministic: workflow code renders it, and the text goes into history (it holds no secret).
import { DomainError } from '../../errors.js'
import type { NodeProvisioning } from './node.model.js'

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const IPV4_PREFIX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/
const IPV6_PREFIX = /^[0-9a-fA-F:]+\/\d{1,3}$/

function ipv4Address(prefix: string, field: string): string {
  const m = IPV4_PREFIX.exec(prefix)
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new DomainError(`${field}: ${prefix} is not an IPv4 prefix`)
  return m.slice(1, 5).join('.')
}

export function renderFrrBaseConfig(node: NodeProvisioning): string {
  if (!HOSTNAME.test(node.device_name)) throw new DomainError(`device_name: ${node.device_name} is not a valid hostname`)
  const routerId = ipv4Address(node.loopback_ipv4, 'loopback_ipv4')
  if (!IPV6_PREFIX.test(node.loopback_ipv6)) throw new DomainError(`loopback_ipv6: ${node.loopback_ipv6} is not an IPv6 prefix`)
  return [
    'frr defaults traditional',
    `hostname ${node.device_name}`,
    'service integrated-vtysh-config',
    `! site ${node.site}, role ${node.role}, management ${node.management_address}`,
    '!',
    'interface lo',
    ` ip address ${node.loopback_ipv4}`,
    ` ipv6 address ${node.loopback_ipv6}`,
    ' ip ospf area 0.0.0.0',
    ' ipv6 ospf6 area 0.0.0.0',
    '!',
    'router ospf',
    ` ospf router-id ${routerId}`,
    ' passive-interface lo',
    '!',
    'router ospf6',
    ` ospf6 router-id ${routerId}`,
    '!',
    'line vty',
    '!',
    '',
  ].join('\n')
}
