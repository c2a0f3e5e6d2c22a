import { Inject, Injectable } from '@nestjs/common'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApplicationFailure, Context } from '@temporalio/activity'
import type { DeviceAccessConfig } from '#config/index.js'
import { type LinkConfigData, renderDeviceConfig } from '#domain/config/index.js'
import { circuitLinkConfig, SIDES } from '#domain/products/circuit/circuit.model.js'
import type { CircuitInitial } from '#domain/products/circuit/circuit.product.js'
import { nodeConfigData, type NodeProvisioning, toProvisioning } from '#domain/products/node/index.js'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { DEVICE_ACCESS } from '#integrations/devices/device-access.js'
import { changesByContext, type ContextChanges } from '#integrations/devices/config-diff.js'
import { DEVICE_DRIVER, type DeviceDriver, DeviceError, type VerifyExpectation } from '#integrations/devices/driver.js'
import { PrismaService } from '#persistence/index.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'
import { deviceTarget, heartbeating } from '../devices/device-target.js'
import { reported } from '../reported.js'

/** A circuit's model to render instead of the stored one; null leaves the circuit out (it is being removed). */
export type CircuitOverrides = Record<string, CircuitInitial | null>

export interface NodeConfigured {
  device: string
  /** the whole configuration the device was given */
  config: string
  /** what changed on the device (the manual driver: all of it, for a person to apply) */
  diff: string
  changed: boolean
  needs_confirmation: boolean
}

/** A node's device against its model: what differs, per configuration context. */
export interface NodeConfigDiff {
  device: string
  /** false when the driver cannot read the device (manual): then nothing was compared */
  readable: boolean
  driver: string
  /** per context (`interface eth1`, `router ospf`): `- line` runs on the device but should not, `+ line` should but does not */
  changes: ContextChanges
}

/** How long one step may hold a device before another may take it (a crashed worker's lease runs out). */
const LEASE_MS = 120_000
/** How often a step waiting for a device asks again (with as much jitter): the lease is held only while one router is configured. */
const LEASE_POLL_MS = 50

/**
 * A node's configuration is one whole: its base and every live circuit on its ports. A step that changes any of
 * it renders the whole from the subscriptions and gives it to the driver, which applies only the difference.
 * Steps of different processes on one device take turns (a lease per device), so that each renders what the
 * others have stored: two circuits created at once on one router both end up configured.
 */
@Injectable()
export class NodeConfigActivities {
  constructor(
    private readonly steps: StepLog,
    private readonly prisma: PrismaService,
    @Inject(DEVICE_DRIVER) private readonly driver: DeviceDriver,
    @Inject(DCIM) private readonly dcim: Dcim,
    @Inject(DEVICE_ACCESS) private readonly access: DeviceAccessConfig,
  ) {}

  /**
   * Renders the node's whole configuration — with `overrides` for circuits a process is changing, and `node` for
   * the node's own model when a process puts it back — and applies it.
   */
  async configureNode(input: StepContext & { node_subscription_id: string; overrides?: CircuitOverrides; node?: NodeProvisioning }): Promise<NodeConfigured> {
    return this.steps.onceOutside(input, async () => {
      const result = await this.configure(input, input.node_subscription_id, input.overrides ?? {}, input.node)
      return { result, state_delta: configDelta(result) }
    })
  }

  /**
   * Several nodes' whole configurations from their stored models, one after the other (each under its device's
   * lease), as one step: what a compensation runs last, once every model is back as it was, so that a router
   * another process configured meanwhile (from the changed model) ends as its models say.
   */
  async configureNodes(input: StepContext & { node_subscription_ids: string[] }): Promise<NodeConfigured[]> {
    return this.steps.onceOutside(input, async () => {
      const results: NodeConfigured[] = []
      for (const id of new Set(input.node_subscription_ids)) results.push(await this.configure(input, id, {}))
      return { result: results, state_delta: Object.assign({}, ...results.map(configDelta)) as Record<string, string> }
    })
  }

  private configure(ctx: StepContext, nodeId: string, overrides: CircuitOverrides, given?: NodeProvisioning): Promise<NodeConfigured> {
    return this.withDevice({ ...ctx, node_subscription_id: nodeId }, async (stored) => {
      const node = given ?? stored
      const config = await this.desiredConfig(node, nodeId, overrides)
      const target = await deviceTarget(this.dcim, this.access, node.device_name)
      const applied = await heartbeating(`configuring ${node.device_name}`, () =>
        reported(this.driver.apply(target, config, `${ctx.process_id}.${ctx.step}`.replace(/[^A-Za-z0-9_.-]/g, '_'))),
      )
      return { device: node.device_name, config, diff: applied.diff, changed: applied.changed, needs_confirmation: applied.needs_confirmation }
    })
  }

  /**
   * What differs between the device's running configuration and the whole configuration its model renders (as
   * configureNode renders it), grouped by context (`interface eth1`: its lines removed and added). A driver that
   * cannot read the device (manual) reads nothing: `readable` false, no changes.
   */
  async readConfigDiff(input: StepContext & { node_subscription_id: string }): Promise<NodeConfigDiff> {
    return this.steps.onceOutside(input, async () => {
      const node = await this.node(input.node_subscription_id)
      if (!this.driver.readsRunningConfig) {
        const result: NodeConfigDiff = { device: node.device_name, readable: false, driver: this.driver.name, changes: {} }
        return { result, state_delta: { [`diff_${node.device_name}`]: `not read: the ${this.driver.name} driver cannot read the device` } }
      }
      const config = await this.desiredConfig(node, input.node_subscription_id, {})
      const target = await deviceTarget(this.dcim, this.access, node.device_name)
      const changes = changesByContext(await heartbeating(`reading ${node.device_name}`, () => reported(this.driver.diff(target, config))))
      const result: NodeConfigDiff = { device: node.device_name, readable: true, driver: this.driver.name, changes }
      return { result, state_delta: { [`diff_${node.device_name}`]: Object.keys(changes).length ? Object.keys(changes) : 'none' } }
    })
  }

  /**
   * A fleet task's step on one router (task_deploy_config): its whole configuration from the stored models, applied
   * and verified — OSPF Full on every link it has — under the device's lease; a router that does not verify is put
   * back as it was and the step fails (DeviceError verification_failed) naming what did not hold. Idempotent: the
   * same configuration again changes nothing. Not step-logged: the fleet task records each router's outcome.
   */
  async deployNode(input: StepContext & { node_subscription_id: string }): Promise<{ device: string; changed: boolean; diff: string }> {
    return this.withDevice(input, async (node) => {
      const links = await this.linksOf(input.node_subscription_id, {})
      const config = renderDeviceConfig(node.vendor, nodeConfigData(node), links)
      const target = await deviceTarget(this.dcim, this.access, node.device_name)
      const backup = `${input.process_id}.${input.step}`.replace(/[^A-Za-z0-9_.-]/g, '_')
      const applied = await heartbeating(`configuring ${node.device_name}`, () => this.driver.apply(target, config, backup))
      if (this.driver.readsRunningConfig && links.length) {
        const check = await heartbeating(`verifying ${node.device_name}`, () => this.driver.verify(target, { ospf_full_on: links.map((l) => l.interface), timeout_ms: 30_000 }))
        if (!check.ok) {
          if (applied.changed) await heartbeating(`rolling back ${node.device_name}`, () => this.driver.rollback(target, backup))
          throw new DeviceError('verification_failed', `${node.device_name}: ${check.failures.join('; ')}${applied.changed ? ' (rolled back)' : ''}`)
        }
      }
      return { device: node.device_name, changed: applied.changed, diff: applied.diff }
    })
  }

  /** What must hold on a node's device after a change (OSPF neighbours, interface costs); fails naming what does not. */
  async verifyNode(input: StepContext & { node_subscription_id: string; expect: VerifyExpectation }): Promise<{ device: string; verified: boolean }> {
    return this.steps.onceOutside(input, async () => {
      const node = await this.node(input.node_subscription_id)
      const target = await deviceTarget(this.dcim, this.access, node.device_name)
      const check = await heartbeating(`verifying ${node.device_name}`, () => reported(this.driver.verify(target, input.expect)))
      if (!check.ok) throw ApplicationFailure.create({ message: `${node.device_name}: ${check.failures.join('; ')}`, type: 'VerificationFailed' })
      return { result: { device: node.device_name, verified: true }, state_delta: { [`verified_${node.device_name}`]: true } }
    })
  }

  /** The node's whole configuration: its base and every live circuit on its ports (as stored, or as overridden). */
  private async desiredConfig(node: NodeProvisioning, nodeId: string, overrides: CircuitOverrides): Promise<string> {
    return renderDeviceConfig(node.vendor, nodeConfigData(node), await this.linksOf(nodeId, overrides))
  }

  private async node(id: string): Promise<NodeProvisioning> {
    const s = await this.prisma.subscription.findUnique({ where: { id }, select: { domainModel: true } })
    if (!s) throw ApplicationFailure.nonRetryable(`no node subscription ${id}`, 'NotFound')
    return toProvisioning((s.domainModel as { node: NodeProvisioning }).node)
  }

  /** Runs `work` while this step holds the node's device; waits its turn (heartbeating) while another step holds it. */
  private async withDevice<T>(ctx: StepContext & { node_subscription_id: string }, work: (node: NodeProvisioning) => Promise<T>): Promise<T> {
    const node = await this.node(ctx.node_subscription_id)
    const holder = `${ctx.process_id}:${ctx.step}`
    for (;;) {
      const taken = await this.prisma.$executeRaw`
        INSERT INTO device_leases (device, holder, expires_at) VALUES (${node.device_name}, ${holder}, now() + ${`${LEASE_MS} milliseconds`}::interval)
        ON CONFLICT (device) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE device_leases.holder = EXCLUDED.holder OR device_leases.expires_at < now()`
      if (taken) break
      // Cancelled while waiting its turn: nothing was done yet.
      const signal = cancellationSignal()
      if (signal?.aborted) throw signal.reason
      heartbeat(`waiting for ${node.device_name}`)
      await sleep(LEASE_POLL_MS + Math.random() * LEASE_POLL_MS)
    }
    try {
      // Read again under the lease: another process may have changed the node while this one waited.
      return await work(await this.node(ctx.node_subscription_id))
    } finally {
      await this.prisma.$executeRaw`DELETE FROM device_leases WHERE device = ${node.device_name} AND holder = ${holder}`
    }
  }

  /** The interface configuration of every live circuit on the node's ports, as stored or as overridden. */
  private async linksOf(nodeId: string, overrides: CircuitOverrides): Promise<LinkConfigData[]> {
    const live = { lifecycle: { not: 'terminated' as const } }
    const ports = await this.prisma.subscriptionRelation.findMany({ where: { dependsOnId: nodeId, inUseBy: live }, select: { inUseById: true } })
    const users = await this.prisma.subscriptionRelation.findMany({
      where: { dependsOnId: { in: ports.map((p) => p.inUseById) }, inUseBy: live },
      select: { inUseBy: { select: { id: true, domainModel: true } } },
    })
    const circuits = new Map<string, CircuitInitial>()
    for (const { inUseBy } of users) {
      const circuit = (inUseBy.domainModel as { circuit?: CircuitInitial }).circuit
      if (circuit) circuits.set(inUseBy.id, circuit)
    }
    for (const [id, model] of Object.entries(overrides)) {
      if (model) circuits.set(id, model)
      else circuits.delete(id)
    }
    // Both ends of every circuit, and the nodes they are on: for interface names and far-end descriptions.
    const portIds = [...circuits.values()].flatMap((c) => SIDES.map((side) => c[side].port as string))
    const portRows = await this.prisma.subscription.findMany({ where: { id: { in: portIds } }, select: { id: true, domainModel: true } })
    const portOf = new Map(portRows.map((p) => [p.id, (p.domainModel as { port: { node: string; port_name: string } }).port]))
    const nodeRows = await this.prisma.subscription.findMany({ where: { id: { in: [...new Set([...portOf.values()].map((p) => p.node))] } }, select: { id: true, domainModel: true } })
    const nodeOf = new Map(nodeRows.map((n) => [n.id, (n.domainModel as { node: NodeProvisioning }).node]))
    const links: LinkConfigData[] = []
    for (const [, circuit] of [...circuits].sort(([a], [b]) => a.localeCompare(b))) {
      for (const [here, there] of [SIDES, [...SIDES].reverse()] as const) {
        const side = circuit[here] as CircuitInitial['side_a'] & { ipv4_address?: string; ipv6_address?: string }
        const port = portOf.get(side.port as string)
        // A side without addresses is not configured yet (its subnets are not reserved).
        if (port?.node !== nodeId || !side.ipv4_address || !side.ipv6_address) continue
        const far = nodeOf.get(portOf.get(circuit[there].port as string)?.node ?? '')?.device_name ?? 'unknown'
        links.push(circuitLinkConfig(circuit, { interface: port.port_name, far_end: far, ipv4_address: side.ipv4_address, ipv6_address: side.ipv6_address }))
      }
    }
    return links
  }
}

function configDelta(c: NodeConfigured): Record<string, string> {
  return { [`config_${c.device}`]: c.changed ? 'changed' : c.needs_confirmation ? 'awaiting confirmation' : 'unchanged' }
}

function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal
  } catch {
    return undefined // called outside an activity (tests)
  }
}

function heartbeat(details: string): void {
  try {
    Context.current().heartbeat(details)
  } catch {
    // called outside an activity (tests)
  }
}
