// Seed 002's create_node, declared: from a planned router in DCIM to an active node subscription. Steps with
// an inverse declare it, so that an aborted enrolment gives everything back.
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { DeviceActivities } from '#activities/devices/device.activities.js'
import type { IpamActivities } from '#activities/ipam/ipam.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import { renderNodeConfig } from '#domain/config/index.js'
import { NODE_LOOPBACK_POOLS, NODE_PRODUCT, type NodeInitial, nodeConfigData, nodeDescription, toProvisioning } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow, type StepEnv } from '../engine/declaration.js'
import { storeProcessSubscription } from '../shared/subscription-steps.js'
import { CREATE_NODE } from '../names.js'
import { confirmConfigApplied, type CreateNodeInput } from './create-node.forms.js'

type Activities = ActivityInterface<DcimActivities> & ActivityInterface<SubscriptionActivities> & ActivityInterface<IpamActivities> & ActivityInterface<DeviceActivities>

const loopback = (family: 'ipv4' | 'ipv6') =>
  ({
    label: `Release the ${family === 'ipv4' ? 'IPv4' : 'IPv6'} loopback to IPAM`,
    run: (s: { subscription_id: string }, { act, step }: StepEnv<Activities>) =>
      act.releaseAllocation({ ...step, subscription_id: s.subscription_id, purpose: `loopback_${family}` }),
  }) as const

// Every step but the device's reads or writes Loom's database or a source of truth, briefly: a local activity each.
const LOCAL = { local: true } as const

export const createNodeDeclaration = declareWorkflow(
  {
    name: CREATE_NODE,
    target: 'CREATE',
    product: NODE_PRODUCT,
    description:
      'Enrol a planned router: store its subscription, take its loopbacks from IPAM, configure it through the device driver (or show the configuration to a person and wait), and activate it',
    // Applying and verifying a configuration waits for the network to converge.
    activity: { startToCloseTimeout: '90 seconds' },
  },
  processFlow<CreateNodeInput, Activities>()
      .step('construct_node_model', 'Construct the node model from the DCIM device', async (s, { act, step }) => {
        const device = await act.readDevice({ ...step, device_name: s.input.router })
        // The base configuration puts the loopback in OSPF area 0: the model says so.
        const node: NodeInitial = { device_name: device.name, role: device.role, vendor: device.vendor, platform: device.platform, site: device.site, igp_protocol: 'ospf', igp_area: '0.0.0.0' }
        return { node }
      }, LOCAL)
      .pipe(
        storeProcessSubscription((s) => ({
          product: NODE_PRODUCT,
          description: nodeDescription(s.node),
          domain_model: { node: s.node },
          claims: [{ resource_type: 'dcim_device', resource_key: s.node.device_name }],
        })),
      )
      .step(
        'allocate_loopback_ipv4',
        'Allocate the IPv4 loopback from IPAM',
        async (s, { act, step }) => {
          const a = await act.allocateAddress({ ...step, subscription_id: s.subscription_id, pool: NODE_LOOPBACK_POOLS.ipv4, purpose: 'loopback_ipv4', description: `${s.node.device_name} lo` })
          return { loopback_ipv4: a.prefix }
        },
        { compensate: loopback('ipv4'), local: true },
      )
      .step(
        'allocate_loopback_ipv6',
        'Allocate the IPv6 loopback from IPAM',
        async (s, { act, step }) => {
          const a = await act.allocateAddress({ ...step, subscription_id: s.subscription_id, pool: NODE_LOOPBACK_POOLS.ipv6, purpose: 'loopback_ipv6', description: `${s.node.device_name} lo` })
          return { loopback_ipv6: a.prefix }
        },
        { compensate: loopback('ipv6'), local: true },
      )
      .step('fetch_ip_address_information', 'Fetch the management address from DCIM', async (s, { act, step }) => {
        const { management_address } = await act.readIpAddressInformation({ ...step, device_name: s.node.device_name })
        return { management_address }
      }, LOCAL)
      .step(
        'apply_base_config',
        'Apply and verify the base configuration through the device driver',
        async (s, { act, step }) => {
          const node = toProvisioning({ ...s.node, loopback_ipv4: s.loopback_ipv4, loopback_ipv6: s.loopback_ipv6, management_address: s.management_address })
          const config = renderNodeConfig(node.vendor, nodeConfigData(node))
          const applied = await act.applyConfig({ ...step, device: node.device_name, config, verify: { routes: [node.loopback_ipv4] } })
          return { node, config, needs_confirmation: applied.needs_confirmation, config_backup: applied.backup ?? null }
        },
        {
          compensate: {
            label: 'Put the previous configuration back on the router',
            run: async (s, { act, step }) => (s.config_backup ? act.revertConfig({ ...step, device: s.node.device_name, backup: s.config_backup }) : undefined),
          },
          // The device activities heartbeat while they work: a worker that died is noticed, and a cancellation reaches them.
          activity: { heartbeatTimeout: '20 seconds' },
        },
      )
      .when(
        'manual_configuration',
        'When the driver leaves the configuration to a person',
        (s) => s.needs_confirmation,
        (manual) =>
          manual.input('provide_config_to_user', 'Show the base configuration; wait until it is applied', confirmConfigApplied, { assignee: 'noc', data: (s) => ({ config: s.config }) }),
      )
      .step(
        'set_status_provisioning',
        'Set the subscription to provisioning',
        async (s, { act, step }) => {
          await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'provisioning', domain_model: { node: s.node } })
          return { lifecycle: 'provisioning' as const }
        },
        LOCAL,
      )
      .step(
        'update_node_status',
        'Set the DCIM device from planned to active',
        async (s, { act, step }) => {
          const { previous } = await act.setDeviceStatus({ ...step, device_name: s.node.device_name, status: 'active' })
          return { device_status: 'active' as const, previous_device_status: previous }
        },
        { compensate: { label: 'Put the DCIM device back to its previous status', run: (s, { act, step }) => act.setDeviceStatus({ ...step, device_name: s.node.device_name, status: s.previous_device_status }) }, local: true },
      )
      .step('set_status_active', 'Set the subscription to active', async (s, { act, step }) => {
        await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'active' })
        return { lifecycle: 'active' as const }
      }, LOCAL),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle }),
)
