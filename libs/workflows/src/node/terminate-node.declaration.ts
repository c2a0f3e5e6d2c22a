// Ends a node: approved by the change board (never by whoever asked), refused while live ports are on it (at the
// start by the API, and again when the subscription is terminated). DCIM marks the router decommissioning while
// Loom's configuration leaves it: the driver gets the decommissioned configuration (its hostname, nothing else Loom
// rendered — no loopbacks, no IGP; management stays as the router was staged), or with the manual driver a person
// is shown what to remove and confirms. Then the device is planned again in DCIM, the subscription terminated (its
// claim on the device released: create_node offers the router again) and the loopbacks released to IPAM — last,
// since a released address cannot be taken back.
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { DeviceActivities } from '#activities/devices/device.activities.js'
import type { IpamActivities } from '#activities/ipam/ipam.activities.js'
import type { NodeConfigActivities } from '#activities/node/node-config.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import { renderDecommissionedConfig, renderNodeConfig } from '#domain/config/index.js'
import { NODE_PRODUCT, type NodeActive, nodeConfigData, toProvisioning } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { setStatusTerminated } from '../shared/subscription-steps.js'
import { TERMINATE_NODE } from '../names.js'
import { CHANGE_BOARD, CHANGE_BOARD_EXPIRY, changeBoardApproval } from '../shared/change-board.js'
import { confirmNodeConfigRemoved, type TerminateNodeInput } from './terminate-node.forms.js'

type Activities = ActivityInterface<SubscriptionActivities> &
  ActivityInterface<DcimActivities> &
  ActivityInterface<IpamActivities> &
  ActivityInterface<DeviceActivities> &
  ActivityInterface<NodeConfigActivities>

const LOOPBACKS = ['loopback_ipv4', 'loopback_ipv6'] as const

export const terminateNodeDeclaration = declareWorkflow(
  {
    name: TERMINATE_NODE,
    target: 'TERMINATE',
    product: NODE_PRODUCT,
    description:
      'End a node without live ports, after the change board approves: remove Loom’s configuration from the router (or show a person what to remove), put the DCIM device back to planned, terminate the subscription (the router is offered again) and release its loopbacks',
    // Configuring a router may wait for another process that is configuring it.
    activity: { startToCloseTimeout: '3 minutes', heartbeatTimeout: '30 seconds' },
  },
  processFlow<TerminateNodeInput, Activities>()
    .step('read_node', 'Read the node', async (s, { act, step }) => {
      const rows = await act.readSubscriptions({ ...step, subscription_ids: [s.subscription_id] })
      return { node: rows[s.subscription_id].domain_model.node as NodeActive }
    })
    .approval('approve_termination', 'The change board approves the termination', changeBoardApproval, {
      role: CHANGE_BOARD,
      self_approval: false,
      expires_after: CHANGE_BOARD_EXPIRY,
      on_expiry: 'abort',
      data: (s) => ({ node: s.subscription_id, device: s.node.device_name, site: s.node.site, loopbacks: [s.node.loopback_ipv4, s.node.loopback_ipv6] }),
    })
    .step(
      'decommission_device',
      'Set the DCIM device to decommissioning',
      async (s, { act, step }) => {
        const { previous } = await act.setDeviceStatus({ ...step, device_name: s.node.device_name, status: 'decommissioning' })
        return { device_status: 'decommissioning' as const, status_before_decommissioning: previous }
      },
      {
        compensate: {
          label: 'Put the DCIM device back to its status before',
          run: (s, { act, step }) => act.setDeviceStatus({ ...step, device_name: s.node.device_name, status: s.status_before_decommissioning }),
        },
      },
    )
    .step(
      'remove_configuration',
      'Give the router the decommissioned configuration through the device driver',
      async (s, { act, step }) => {
        const config = renderDecommissionedConfig(s.node.vendor, { hostname: s.node.device_name })
        const applied = await act.applyConfig({ ...step, device: s.node.device_name, config })
        return { decommissioned_config: config, needs_confirmation: applied.needs_confirmation, config_changed: applied.changed }
      },
      // The whole configuration rendered again from the model (the node and every live circuit on it: none), as every
      // configuration step renders it; with the manual driver a person applies it, as they removed it.
      { compensate: { label: 'Configure the router again from its model', run: (s, { act, step }) => act.configureNode({ ...step, node_subscription_id: s.subscription_id }) } },
    )
    .when(
      'manual_configuration',
      'When the driver leaves the configuration to a person',
      (s) => s.needs_confirmation,
      (manual) =>
        manual.input('provide_config_to_user', 'Show what to remove from the router; wait until it is done', confirmNodeConfigRemoved, {
          assignee: 'noc',
          data: (s) => ({ device: s.node.device_name, remove: renderNodeConfig(s.node.vendor, nodeConfigData(toProvisioning(s.node))), leave: s.decommissioned_config }),
        }),
    )
    .step(
      'update_node_status',
      'Set the DCIM device to planned (create_node offers it again once the node is terminated)',
      async (s, { act, step }) => {
        const { previous } = await act.setDeviceStatus({ ...step, device_name: s.node.device_name, status: 'planned' })
        return { device_status: 'planned' as const, status_before_planned: previous }
      },
      {
        compensate: {
          label: 'Put the DCIM device back to its status before',
          run: (s, { act, step }) => act.setDeviceStatus({ ...step, device_name: s.node.device_name, status: s.status_before_planned }),
        },
      },
    )
    .pipe(setStatusTerminated('Terminate the subscription (its router is free again)'))
    .step('release_loopbacks', 'Release the loopbacks to IPAM', async (s, { act, step }) => {
      const { released } = await act.releaseAllocations({ ...step, owners: LOOPBACKS.map((purpose) => ({ subscription_id: s.subscription_id, purpose })) })
      return { released }
    }),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle, device: s.node.device_name, device_status: s.device_status, released: s.released }),
)
