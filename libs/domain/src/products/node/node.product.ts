import { type BlockDeclaration, defineProduct } from '../declaration.js'

export const nodeBlock = {
  name: 'node',
  description: 'A router: its DCIM identity, its addresses and its IGP settings',
  tag: 'NODE',
  fields: {
    device_name: { type: 'string', description: 'the DCIM device, by its unique name', required_from: 'initial' },
    role: { type: 'string', description: 'DCIM role (router, edge, spine, leaf)', required_from: 'initial' },
    vendor: { type: 'string', description: 'DCIM manufacturer', required_from: 'initial' },
    platform: { type: 'string', description: 'DCIM platform (the configuration dialect)', required_from: 'initial' },
    site: { type: 'string', description: 'DCIM site', required_from: 'initial' },
    management_address: { type: 'ipv4_address', description: 'out-of-band management address', required_from: 'provisioning' },
    loopback_ipv4: { type: 'ipv4_prefix', description: 'IPv4 loopback, also the IGP router id', required_from: 'provisioning' },
    loopback_ipv6: { type: 'ipv6_prefix', description: 'IPv6 loopback', required_from: 'provisioning' },
    igp_protocol: { type: 'enum', values: ['ospf', 'isis'], description: 'the interior gateway protocol', required_from: 'active' },
    igp_area: { type: 'string', description: 'IGP area of the loopback (OSPF dotted area, or IS-IS area id)', required_from: 'active' },
  },
} as const satisfies BlockDeclaration

export const nodeProduct = defineProduct({
  name: 'node',
  type: 'Node',
  description: 'A router enrolled in Loom from a planned DCIM device',
  tag: 'NODE',
  fixed_inputs: {},
  blocks: [nodeBlock],
  workflows: ['create_node', 'modify_node', 'drain_node', 'restore_node', 'terminate_node', 'validate_node'],
})
