// A port: an interface of a node, reserved for one service. Its form has two pages (node, then a free interface).
import { portProductOf } from '#domain/products/port/port.product.js'
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { storeProcessSubscription } from '../shared/subscription-steps.js'
import { CREATE_PORT } from '../names.js'
import type { CreatePortInput } from './create-port.forms.js'

type Act = ActivityInterface<SubscriptionActivities> & ActivityInterface<DcimActivities>

export const createPortDeclaration = declareWorkflow(
  {
    name: CREATE_PORT,
    target: 'CREATE',
    // The product family: each process makes a port_10g or a port_100g, by its speed (the start form's product()
    // tags it so in LoomProduct).
    product: 'port',
    description: 'Reserve an interface of a node for a service: store the port subscription, describe and enable the interface in DCIM, and activate it',
  },
  processFlow<CreatePortInput, Act>()
    .step('construct_port_model', 'Construct the port model from the node subscription', async (s, { act, step }) => {
      const node = await act.readSubscription({ ...step, subscription_id: s.input.node })
      const device = (node.domain_model.node as { device_name?: string } | undefined)?.device_name
      if (node.product !== 'node' || !device) failProcess(`subscription ${s.input.node} is not a node with a device`)
      return { device, product: portProductOf(s.input.speed), port: { node: s.input.node, port_name: s.input.port_name } }
    })
    .pipe(
      storeProcessSubscription((s) => ({
        product: s.product,
        description: `Port ${s.device} ${s.input.port_name} (${s.input.speed})`,
        domain_model: { port: s.port },
        claims: [{ resource_type: 'dcim_interface', resource_key: `${s.device}:${s.input.port_name}` }],
      })),
    )
    .step(
      'set_status_provisioning',
      'Set the subscription to provisioning',
      async (s, { act, step }) => {
        const port = { ...s.port, port_description: s.input.port_description }
        await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'provisioning', domain_model: { port } })
        return { lifecycle: 'provisioning' as const, port }
      },
    )
    .step(
      'update_interface',
      'Describe and enable the interface in DCIM',
      async (s, { act, step }) => {
        const { previous } = await act.updateInterface({ ...step, ref: { device: s.device, interface: s.input.port_name }, patch: { description: s.input.port_description, enabled: true, status: 'active' } })
        return { previous_interface: previous }
      },
      {
        compensate: {
          label: 'Put the interface back as it was',
          run: (s, { act, step }) => act.updateInterface({ ...step, ref: { device: s.device, interface: s.input.port_name }, patch: s.previous_interface }),
        },
      },
    )
    .step('set_status_active', 'Set the subscription to active', async (s, { act, step }) => {
      const port = { ...s.port, enabled: true }
      await act.setLifecycle({ ...step, subscription_id: s.subscription_id, lifecycle: 'active', domain_model: { port } })
      return { lifecycle: 'active' as const, port }
    }),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle }),
)
