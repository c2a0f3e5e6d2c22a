// A device simulator, for fleet-scale tests and demos only: devices that keep their configuration in this
// process's memory, answer after a seeded random latency and fail at a seeded rate. It passes the same driver
// contract suite as the FRR driver against real routers (driver.contract.ts), so what works here works there.
import { setTimeout as sleep } from 'node:timers/promises'
import { type ApplyResult, type CheckResult, type DeviceDriver, DeviceError, type DeviceTarget, type VerifyExpectation, type VerifyResult } from './driver.js'

export interface SimulatorProfile {
  /** each call waits between these many milliseconds (default 0, 0) */
  latency_ms?: [number, number]
  /** the share of apply calls that fail as an unreachable device would (default 0) */
  failure_rate?: number
  /** the same seed gives the same latencies and failures (default 1) */
  seed?: number
}

/** The first words an FRR configuration line may start with (what vtysh -C accepts, in the subset Loom renders). */
const FRR_WORDS = new Set(['frr', 'hostname', 'service', 'interface', 'router', 'exit', 'ip', 'ipv6', 'ospf', 'ospf6', 'description', 'mtu', 'timers', 'passive-interface', 'line', 'end', 'no'])

/** Configuration lines as a device compares them: no comments, no blank lines, no trailing blanks. */
const meaningful = (config: string) =>
  config
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !l.startsWith('!'))

interface SimulatedDevice {
  running: string
  backups: Map<string, string>
}

export class SimulatorDriver implements DeviceDriver {
  readonly name = 'simulator'
  readonly readsRunningConfig = true
  private readonly devices = new Map<string, SimulatedDevice>()
  /** devices whose commits wait until released (see hold) */
  private readonly held = new Map<string, Promise<void>>()
  private state: number

  constructor(private readonly profile: SimulatorProfile = {}) {
    this.state = profile.seed ?? 1
  }

  async check(target: DeviceTarget, config: string): Promise<CheckResult> {
    await this.latency()
    const errors = target.vendor === 'frr' ? meaningful(config).flatMap((line, i) => (FRR_WORDS.has(line.trim().split(/\s+/)[0]) ? [] : [`line ${i + 1}: % Unknown command: ${line.trim()}`])) : []
    return { ok: errors.length === 0, errors }
  }

  async diff(target: DeviceTarget, config: string): Promise<string> {
    await this.latency()
    return lineDiff(this.device(target).running, config)
  }

  async apply(target: DeviceTarget, config: string, backupId: string): Promise<ApplyResult> {
    const check = await this.check(target, config)
    if (!check.ok) throw new DeviceError('invalid_config', `${target.device} refuses the configuration: ${check.errors.join('; ')}`)
    if (this.random() < (this.profile.failure_rate ?? 0)) throw new DeviceError('unreachable', `${target.device} (simulated) did not answer`)
    await this.held.get(target.device)
    const device = this.device(target)
    const diff = lineDiff(device.running, config)
    if (!diff) return { changed: false, diff: '', backup: null, needs_confirmation: false }
    if (!device.backups.has(backupId)) device.backups.set(backupId, device.running)
    device.running = config
    return { changed: true, diff, backup: backupId, needs_confirmation: false }
  }

  async verify(target: DeviceTarget, expect: VerifyExpectation): Promise<VerifyResult> {
    await this.latency()
    const lines = meaningful(this.device(target).running)
    const failures: string[] = []
    for (const ifname of expect.ospf_full_on ?? []) {
      const block = interfaceBlock(lines, ifname)
      if (!block.some((l) => /^ ip ospf area /.test(l))) failures.push(`no OSPF neighbour in state Full on ${ifname}`)
    }
    for (const [ifname, cost] of Object.entries(expect.ospf_cost ?? {})) {
      const block = interfaceBlock(lines, ifname)
      const found = block.find((l) => /^ ip ospf cost /.test(l))?.split(' ').pop()
      if (Number(found) !== cost) failures.push(`OSPF cost of ${ifname} is ${found ?? 'not set'}, expected ${cost}`)
    }
    // A route exists when some simulated device configures that prefix on an interface that runs OSPF.
    const everywhere = [...this.devices.values()].flatMap((d) => meaningful(d.running))
    for (const prefix of expect.routes ?? []) if (!everywhere.some((l) => l.trim() === `ip address ${prefix}`)) failures.push(`no route to ${prefix}`)
    return { ok: failures.length === 0, failures }
  }

  async rollback(target: DeviceTarget, backupId: string): Promise<void> {
    await this.latency()
    const device = this.device(target)
    const kept = device.backups.get(backupId)
    if (kept === undefined) throw new DeviceError('invalid_config', `${target.device} has no backup ${backupId} to roll back to`)
    device.running = kept
  }

  /** The configuration a simulated device runs (for tests and demos). */
  running(device: string): string | undefined {
    return this.devices.get(device)?.running
  }

  /**
   * For tests and demos: someone changes the router by hand, behind Loom's back (`edit` gets the running
   * configuration and returns the new one). Nothing is checked and no backup is kept, as on a real console.
   */
  changeByHand(device: string, edit: (running: string) => string): void {
    const simulated = this.devices.get(device)
    if (!simulated) throw new Error(`the simulator has no device ${device}`)
    simulated.running = edit(simulated.running)
  }

  /** For tests and demos: the device's next commits wait (a slow router) until the returned function is called. */
  hold(device: string): () => void {
    let release!: () => void
    this.held.set(device, new Promise<void>((resolve) => (release = resolve)))
    return () => {
      this.held.delete(device)
      release()
    }
  }

  private device(target: DeviceTarget): SimulatedDevice {
    let device = this.devices.get(target.device)
    if (!device) this.devices.set(target.device, (device = { running: '', backups: new Map() }))
    return device
  }

  private async latency(): Promise<void> {
    const [min, max] = this.profile.latency_ms ?? [0, 0]
    const ms = min + (max - min) * this.random()
    if (ms > 0) await sleep(ms)
  }

  /** mulberry32: small, seeded, and the same on every machine. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The lines of an interface's block in a configuration. */
function interfaceBlock(lines: string[], ifname: string): string[] {
  const start = lines.indexOf(`interface ${ifname}`)
  if (start < 0) return []
  const end = lines.findIndex((l, i) => i > start && !l.startsWith(' '))
  return lines.slice(start + 1, end < 0 ? lines.length : end)
}

/** A configuration as frr-reload.py reads it: each line with the context it is in (null for a top-level line). */
function contexts(config: string): { context: string | null; line: string }[] {
  const out: { context: string | null; line: string }[] = []
  let context: string | null = null
  for (const line of meaningful(config)) {
    if (line === 'exit' || line === 'end') {
      context = null
      continue
    }
    if (/^\s/.test(line)) {
      if (context !== null) out.push({ context, line: line.trim() })
      continue
    }
    context = line
    out.push({ context: null, line })
  }
  return out
}

/**
 * What the desired configuration drops and adds, in frr-reload.py's layout: a line inside a context under its
 * context line (`interface eth1` / ` no ip ospf cost 10`), a whole context as its line; empty when they are the same.
 */
function lineDiff(running: string, desired: string): string {
  const key = (e: { context: string | null; line: string }) => `${e.context ?? ''}\n${e.line}`
  const before = contexts(running)
  const after = contexts(desired)
  const [had, wants] = [new Set(before.map(key)), new Set(after.map(key))]
  const gone = new Set(before.filter((e) => e.context === null && !wants.has(key(e))).map((e) => e.line))
  // A context that goes goes whole: its own lines are not listed one by one.
  const removed = before.filter((e) => !wants.has(key(e)) && !(e.context !== null && gone.has(e.context)))
  const added = after.filter((e) => !had.has(key(e)))
  const show = (e: { context: string | null; line: string }, sign: 'no ' | '') => (e.context === null ? [`${sign}${e.line}`] : [e.context, ` ${sign}${e.line}`])
  if (!removed.length && !added.length) return ''
  return [
    ...(removed.length ? ['Lines To Delete', '===============', ...removed.flatMap((e) => show(e, 'no ')), ''] : []),
    ...(added.length ? ['Lines To Add', '============', ...added.flatMap((e) => show(e, ''))] : []),
  ]
    .join('\n')
    .trim()
}
