// Changes what a node owns — its description, the IGP area of its loopback — as a new version of the
// subscription, then gives the router its whole configuration again (the driver applies only the difference)
// and, with a driver that can look, checks the loopback is still routed. An abort puts both back.
import type { NodeConfigActivities } from '#activities/node/node-config.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import { NODE_PRODUCT, type NodeActive } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { MODIFY_NODE } from '../names.js'
import { confirmConfigApplied, type ModifyNodeInput } from './create-node.forms.js'

type Act = ActivityInterface<SubscriptionActivities> & ActivityInterface<NodeConfigActivities>

export const modifyNodeDeclaration = declareWorkflow(
  {
    name: MODIFY_NODE,
    target: 'MODIFY',
    product: NODE_PRODUCT,
    description: 'Change a node’s description or the IGP area of its loopback; the router gets its configuration again, by difference',
    activity: { startToCloseTimeout: '3 minutes', heartbeatTimeout: '30 seconds' },
  },
  processFlow<ModifyNodeInput, Act>()
    .step('read_node', 'Read the node', async (s, { act, step }) => {
      const rows = await act.readSubscriptions({ ...step, subscription_ids: [s.subscription_id] })
      return { before: rows[s.subscription_id].domain_model.node as NodeActive }
    })
    .step(
      'update_node_model',
      'Store the changed node (a new version of the subscription)',
      async (s, { act, step }) => {
        const node: NodeActive = { ...s.before, ...(s.input.igp_area ? { igp_area: s.input.igp_area } : {}) }
        const { before } = await act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { node }, description: s.input.description })
        return { node, description_before: before.description }
      },
      {
        compensate: {
          label: 'Put the node back as it was',
          run: (s, { act, step }) => act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { node: s.before }, description: s.description_before }),
        },
      },
    )
    .step(
      'configure_node',
      'Give the router its whole configuration again',
      async (s, { act, step }) => ({ configured: await act.configureNode({ ...step, node_subscription_id: s.subscription_id }) }),
      {
        compensate: {
          label: 'Give the router its configuration as it was',
          run: (s, { act, step }) => act.configureNode({ ...step, node_subscription_id: s.subscription_id, node: s.before }),
        },
      },
    )
    .when('manual_configuration', 'When the driver leaves the configuration to a person', (s) => s.configured.needs_confirmation, (manual) =>
      manual.input('provide_config_to_user', 'Show the router’s configuration; wait until it is applied', confirmConfigApplied, { assignee: 'noc', data: (s) => ({ config: s.configured.config }) }),
    )
    .when('verify_on_router', 'When the driver can look at the router', (s) => !s.configured.needs_confirmation, (verify) =>
      verify.step('verify_node', 'Check the loopback is routed on the router', async (s, { act, step }) => {
        await act.verifyNode({ ...step, node_subscription_id: s.subscription_id, expect: { routes: [s.node.loopback_ipv4] } })
      }),
    ),
  (s) => ({ subscription_id: s.subscription_id, before: { igp_area: s.before.igp_area }, after: { igp_area: s.node.igp_area } }),
)
