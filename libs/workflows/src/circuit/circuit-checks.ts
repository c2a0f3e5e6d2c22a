// What validate_circuit compares, as pure functions of what it read: the model against DCIM's cable, IPAM's link
// subnets and each router's running configuration. Each difference is one sentence naming both sides.
import type { NodeConfigDiff } from '#activities/node/node-config.activities.js'
import { CIRCUIT_LINK_PURPOSES, type Side } from '#domain/products/circuit/circuit.model.js'
import type { CircuitProvisioning } from '#domain/products/circuit/circuit.product.js'
import type { Lifecycle } from '#domain/index.js'
import type { Allocation } from '#integrations/ipam/ipam.js'
import type { Interface } from '#integrations/dcim/dcim.js'
import type { Ends } from './circuit-steps.js'

const at = (ends: Ends, side: Side) => `${ends[side].device} ${ends[side].interface}`

/** The cable: on both interfaces, the model's, joining the two, connected once the circuit is active. */
export function cableProblems(circuit: Pick<CircuitProvisioning, 'cable_id'>, lifecycle: Lifecycle, ends: Ends, found: Record<Side, Interface | null>): string[] {
  const missing = (['side_a', 'side_b'] as const).filter((side) => !found[side]).map((side) => `DCIM has no interface ${at(ends, side)}`)
  if (missing.length) return missing
  const a = found.side_a!
  const cable = a.cable
  if (!cable) return [`DCIM has no cable on ${at(ends, 'side_a')}; the model has cable ${circuit.cable_id} to ${at(ends, 'side_b')}`]
  const problems: string[] = []
  if (cable.id !== circuit.cable_id) problems.push(`DCIM has cable ${cable.id} on ${at(ends, 'side_a')}, the model has cable ${circuit.cable_id}`)
  if (cable.peer.device !== ends.side_b.device || cable.peer.interface !== ends.side_b.interface)
    problems.push(`cable ${cable.id} joins ${at(ends, 'side_a')} to ${cable.peer.device} ${cable.peer.interface}, not to ${at(ends, 'side_b')}`)
  if (lifecycle === 'active' && cable.status !== 'connected') problems.push(`cable ${cable.id} between ${at(ends, 'side_a')} and ${at(ends, 'side_b')} is ${cable.status} in DCIM, not connected`)
  return problems
}

/** The /31 and /127 IPAM holds for the circuit are the model's link subnets. */
export function linkSubnetProblems(circuit: Pick<CircuitProvisioning, 'link_subnet_ipv4' | 'link_subnet_ipv6'>, held: (Allocation | null)[]): string[] {
  const model = { link_ipv4: circuit.link_subnet_ipv4, link_ipv6: circuit.link_subnet_ipv6 }
  return CIRCUIT_LINK_PURPOSES.flatMap((purpose, i) => {
    const prefix = held[i]?.prefix
    if (prefix === model[purpose]) return []
    return [`${purpose}: the model has ${model[purpose]}, IPAM holds ${prefix ?? 'nothing'} for the circuit`]
  })
}

/** What a router runs on the circuit's interface against what the model renders there; nothing when it cannot be read. */
export function runningConfigProblems(ends: Ends, side: Side, diff: NodeConfigDiff): string[] {
  if (!diff.readable) return []
  const changes = diff.changes[`interface ${ends[side].interface}`] ?? []
  if (!changes.length) return []
  const runs = changes.filter((c) => c.startsWith('- ')).map((c) => c.slice(2))
  const lacks = changes.filter((c) => c.startsWith('+ ')).map((c) => c.slice(2))
  const parts = [...(runs.length ? [`runs ${runs.map((l) => JSON.stringify(l)).join(', ')}`] : []), ...(lacks.length ? [`lacks ${lacks.map((l) => JSON.stringify(l)).join(', ')}`] : [])]
  return [`the running configuration of ${at(ends, side)} differs from the model: it ${parts.join(' and ')}`]
}

/** What could not be compared (the manual driver reads no device), said rather than passed over. */
export const notRead = (diff: NodeConfigDiff) => (diff.readable ? [] : [`the running configuration of ${diff.device}: the ${diff.driver} driver cannot read the device`])
