// What a node's model says its base configuration is, in the rendering contract's terms.
import type { NodeConfigData } from '../../config/index.js'
import type { NodeProvisioning } from './node.model.js'

export function nodeConfigData(node: NodeProvisioning): NodeConfigData {
  return {
    hostname: node.device_name,
    site: node.site,
    role: node.role,
    loopback_ipv4: node.loopback_ipv4,
    loopback_ipv6: node.loopback_ipv6,
    // The model knows the management address, not its subnet: the device is reached on it already, so the
    // base configuration leaves the management interface as the device was staged.
    igp: { protocol: 'ospf', area: node.igp_area ?? '0.0.0.0' },
  }
}
