// How create_node ran before the step engine, kept so that processes started then replay (its recorded histories
// do). Reached only through patched() in the workflow; delete once no such process can still be running.
import { ApplicationFailure, patched, proxyActivities, TemporalFailure, workflowInfo } from '@temporalio/workflow'
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { DeviceActivities } from '#activities/devices/device.activities.js'
import type { IpamActivities } from '#activities/ipam/ipam.activities.js'
import type { ProcessActivities } from '#activities/processes/process.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import { renderNodeConfig } from '#domain/config/index.js'
import { NODE_LOOPBACK_POOLS, NODE_PRODUCT, type NodeInitial, nodeConfigData, nodeDescription, toProvisioning } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../../engine/activity-interface.js'
import { ProcessRun } from '../../engine/legacy/process-run.js'
import type { ProcessArgs } from '../../engine/declaration.js'
import { confirmConfigApplied, type CreateNodeInput } from '../create-node.forms.js'

type Activities = ActivityInterface<DcimActivities> &
  ActivityInterface<SubscriptionActivities> &
  ActivityInterface<ProcessActivities> &
  ActivityInterface<IpamActivities> &
  ActivityInterface<DeviceActivities>

/** Processes started before create_node took its loopbacks from IPAM and configured through a driver replay the old way. */
const SOURCES_OF_TRUTH = 'create-node-ipam-and-driver'

/** The step list as it was: frozen here, so that a later change to the declaration cannot break these replays. */
const STEPS = [
  { name: 'construct_node_model', label: 'Construct the node model from the DCIM device' },
  { name: 'store_process_subscription', label: 'Store the subscription (lifecycle initial)' },
  { name: 'allocate_loopback_ipv4', label: 'Allocate the IPv4 loopback from IPAM' },
  { name: 'allocate_loopback_ipv6', label: 'Allocate the IPv6 loopback from IPAM' },
  { name: 'fetch_ip_address_information', label: 'Fetch the management address from DCIM' },
  { name: 'apply_base_config', label: 'Apply and verify the base configuration through the device driver' },
  { name: 'provide_config_to_user', label: 'Show the base configuration; wait until it is applied (when a person applies it)' },
  { name: 'set_status_provisioning', label: 'Set the subscription to provisioning' },
  { name: 'update_node_status', label: 'Set the DCIM device from planned to active' },
  { name: 'set_status_active', label: 'Set the subscription to active' },
]

const act = proxyActivities<Activities>({
  // Applying and verifying a configuration waits for the network to converge.
  startToCloseTimeout: '90 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['DomainError', 'NotFound'] },
})


export interface CreateNodeResult {
  subscription_id: string
  lifecycle: 'active'
}

/** Seed 002's create_node: from a planned router in DCIM to an active node subscription. */
export async function createNodeBeforeEngine(args: ProcessArgs<CreateNodeInput>): Promise<CreateNodeResult> {
  const run = new ProcessRun(workflowInfo().workflowId, { name: 'create_node', steps: STEPS })
  const { subscription_id: subscriptionId } = args
  let allocated = false
  try {
    const device = await act.readDevice({ ...run.enter('construct_node_model'), device_name: args.input.router })
    // The base configuration puts the loopback in OSPF area 0: the model says so.
    let node: NodeInitial = {
      device_name: device.name,
      role: device.role,
      vendor: device.vendor,
      platform: device.platform,
      site: device.site,
      igp_protocol: 'ospf',
      igp_area: '0.0.0.0',
    }

    await act.storeProcessSubscription({
      ...run.enter('store_process_subscription'),
      subscription: { id: subscriptionId, product: NODE_PRODUCT, customer_id: args.input.customer_id, description: nodeDescription(node), domain_model: { node } },
      claims: [{ resource_type: 'dcim_device', resource_key: device.name }],
    })

    const v2 = patched(SOURCES_OF_TRUTH)
    if (v2) {
      allocated = true // before asking: a failure between the two allocations must release the first
      const owner = { subscription_id: subscriptionId }
      const v4 = await act.allocateAddress({ ...run.enter('allocate_loopback_ipv4'), ...owner, pool: NODE_LOOPBACK_POOLS.ipv4, purpose: 'loopback_ipv4', description: `${device.name} lo` })
      const v6 = await act.allocateAddress({ ...run.enter('allocate_loopback_ipv6'), ...owner, pool: NODE_LOOPBACK_POOLS.ipv6, purpose: 'loopback_ipv6', description: `${device.name} lo` })
      node = { ...node, loopback_ipv4: v4.prefix, loopback_ipv6: v6.prefix }
    }
    const addresses = await act.readIpAddressInformation({ ...run.enter('fetch_ip_address_information'), device_name: device.name })
    node = v2 ? { ...node, management_address: addresses.management_address } : { ...node, ...addresses }
    const provisioning = toProvisioning(node)

    const config = renderNodeConfig(provisioning.vendor, nodeConfigData(provisioning))
    // The driver applies and verifies it; the manual driver leaves that to a person, who confirms below.
    const applied = v2
      ? await act.applyConfig({ ...run.enter('apply_base_config'), device: device.name, config, verify: { routes: [provisioning.loopback_ipv4] } })
      : { needs_confirmation: true }
    const inputStep = run.enter('provide_config_to_user')
    if (applied.needs_confirmation) {
      const answer = await run.waitForAnswer(inputStep.step, { schema: confirmConfigApplied, assignee: 'noc', data: { config } }, () =>
        act.recordStep({ ...inputStep, status: 'waiting', state_delta: { config }, process_status: 'waiting', assignee: 'noc' }),
      )
      await act.recordStep({ ...inputStep, status: 'success', state_delta: { config, answer: answer.value }, answered_by: answer.user, process_status: 'running' })
    } else {
      await act.recordStep({ ...inputStep, status: 'skipped', state_delta: { config, applied_by: 'driver' } })
    }

    await act.setLifecycle({ ...run.enter('set_status_provisioning'), subscription_id: subscriptionId, lifecycle: 'provisioning', domain_model: { node: provisioning } })
    await act.setDeviceStatus({ ...run.enter('update_node_status'), device_name: device.name, status: 'active' })
    await act.setLifecycle({ ...run.enter('set_status_active'), subscription_id: subscriptionId, lifecycle: 'active' })

    await act.finishProcess({ process_id: run.processId, status: 'completed' })
    return { subscription_id: subscriptionId, lifecycle: 'active' }
  } catch (error) {
    // A plain Error thrown here (a DomainError from the model) would only fail the workflow task, and Temporal
    // would retry it forever: fail the workflow instead, after recording why.
    const failure = error instanceof TemporalFailure ? error : ApplicationFailure.nonRetryable((error as Error).message, (error as Error).name)
    // Nothing leaks from a failed enrolment: its loopbacks go back to IPAM.
    if (allocated) {
      for (const purpose of ['loopback_ipv4', 'loopback_ipv6']) await act.releaseAllocation({ ...run.compensation(`release_${purpose}`), subscription_id: subscriptionId, purpose })
    }
    await act.finishProcess({ process_id: run.processId, status: 'failed', failure: { message: failure.message } })
    throw failure
  }
}
