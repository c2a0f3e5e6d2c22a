import type { WorkflowDeclaration } from '../engine/declaration.js'
import { confirmConfigApplied } from './create-node.forms.js'

export const CREATE_NODE = 'create_node'

export const createNodeDeclaration = {
  name: CREATE_NODE,
  target: 'CREATE',
  product: 'node',
  description:
    'Enrol a planned router: store its subscription, take its loopbacks from IPAM, configure it through the device driver (or show the configuration to a person and wait), and activate it',
  steps: [
    { name: 'construct_node_model', label: 'Construct the node model from the DCIM device', kind: 'step' },
    { name: 'store_process_subscription', label: 'Store the subscription (lifecycle initial)', kind: 'step' },
    { name: 'allocate_loopback_ipv4', label: 'Allocate the IPv4 loopback from IPAM', kind: 'step' },
    { name: 'allocate_loopback_ipv6', label: 'Allocate the IPv6 loopback from IPAM', kind: 'step' },
    { name: 'fetch_ip_address_information', label: 'Fetch the management address from DCIM', kind: 'step' },
    { name: 'apply_base_config', label: 'Apply and verify the base configuration through the device driver', kind: 'step' },
    { name: 'provide_config_to_user', label: 'Show the base configuration; wait until it is applied (when a person applies it)', kind: 'input', answer: confirmConfigApplied },
    { name: 'set_status_provisioning', label: 'Set the subscription to provisioning', kind: 'step' },
    { name: 'update_node_status', label: 'Set the DCIM device from planned to active', kind: 'step' },
    { name: 'set_status_active', label: 'Set the subscription to active', kind: 'step' },
  ],
} as const satisfies WorkflowDeclaration
