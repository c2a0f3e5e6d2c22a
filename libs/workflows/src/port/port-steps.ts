// What the workflows that act on a live port share: reading it and the interface it reserves, and comparing the
// model with that interface as DCIM has it.
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { SubscriptionActivities } from '#activities/subscriptions/subscription.activities.js'
import type { Lifecycle } from '#domain/index.js'
import type { NodeInitial } from '#domain/products/node/index.js'
import type { PortInitial } from '#domain/products/port/port.product.js'
import type { Interface, InterfaceRef } from '#integrations/dcim/dcim.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { processFlow } from '../engine/declaration.js'

export type PortActivities = ActivityInterface<SubscriptionActivities> & ActivityInterface<DcimActivities>

/** A port's model from provisioning on: its description is set, and from active on whether it is enabled. */
export type PortModel = PortInitial & { port_description?: string; enabled?: boolean }

/** Reads the port and the node it is on: the state every workflow on a live port starts from. */
export function livePortFlow<I>() {
  return processFlow<I, PortActivities>().step('read_port', 'Read the port and the interface it reserves', async (s, { act, step }) => {
    const rows = await act.readSubscriptions({ ...step, subscription_ids: [s.subscription_id] })
    const port = rows[s.subscription_id].domain_model.port as PortModel
    const nodes = await act.readSubscriptions({ ...step, subscription_ids: [port.node as string] })
    const ref: InterfaceRef = { device: (nodes[port.node as string].domain_model.node as NodeInitial).device_name, interface: port.port_name }
    return { port, ref, port_lifecycle: rows[s.subscription_id].lifecycle }
  })
}

/** Where a port's model and its DCIM interface disagree, each named; none when they agree. */
export function portInterfaceProblems(port: PortModel, lifecycle: Lifecycle, ref: InterfaceRef, found: Interface | null): string[] {
  const where = `${ref.device} ${ref.interface}`
  if (!found) return [`DCIM has no interface ${where}`]
  const problems: string[] = []
  if (port.enabled !== undefined && found.enabled !== port.enabled) problems.push(`${where} is ${found.enabled ? 'enabled' : 'disabled'} in DCIM, the model has it ${port.enabled ? 'enabled' : 'disabled'}`)
  if (port.port_description !== undefined && found.description !== port.port_description)
    problems.push(`description of ${where}: the model has ${JSON.stringify(port.port_description)}, DCIM has ${JSON.stringify(found.description)}`)
  if (lifecycle === 'active' && found.status !== 'active') problems.push(`DCIM has ${where} ${found.status}, the port is active`)
  return problems
}
