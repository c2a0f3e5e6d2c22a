// FRRouting over SSH: vtysh for the syntax check and show commands, frr-reload.py for the diff against the
// running configuration and for applying only that delta. Backups stay on the device (/etc/frr), so the
// activity's result — and the workflow's history — names a backup, never holds a configuration with secrets.
import { setTimeout as sleep } from 'node:timers/promises'
import { type ApplyResult, type CheckResult, type DeviceDriver, DeviceError, type DeviceTarget, type VerifyExpectation, type VerifyResult } from './driver.js'
import type { HostKeyRecord } from './host-keys.js'
import { type Session, type SessionOptions, withSession } from './ssh.js'

const RELOAD = '/usr/lib/frr/frr-reload.py'
const BACKUPS = '/etc/frr/loom-backups'

/** A shell script that receives the configuration on stdin in a private temporary file. */
const withConfigFile = (body: string) => `set -u; f=$(mktemp /tmp/loom-config.XXXXXX); trap 'rm -f "$f"' EXIT; cat > "$f"; ${body}`
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
const backupPath = (id: string) => {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(id)) throw new DeviceError('invalid_config', `a backup id is letters, digits, _ . and -, not ${JSON.stringify(id)}`)
  return `${BACKUPS}/${id}.conf`
}

/** frr-reload.py --test prints nothing but log lines when there is no delta; otherwise its two sections. */
function deltaOf(output: string): string {
  const start = output.search(/^Lines To (Delete|Add)$/m)
  return start < 0 ? '' : output.slice(start).trim()
}

export class FrrDriver implements DeviceDriver {
  readonly name = 'frr'
  readonly readsRunningConfig = true
  private readonly session: SessionOptions

  /** `hostKeyRecord`: where trust on first use keeps each device's first host key (targets with host_keys `tofu`) */
  constructor(options: { hostKeyRecord?: HostKeyRecord } = {}) {
    this.session = { hostKeyRecord: options.hostKeyRecord }
  }

  async check(target: DeviceTarget, config: string): Promise<CheckResult> {
    return withSession(target, (s) => this.checkIn(s, config), this.session)
  }

  async diff(target: DeviceTarget, config: string): Promise<string> {
    return withSession(target, (s) => this.diffIn(s, target, config), this.session)
  }

  async apply(target: DeviceTarget, config: string, backupId: string): Promise<ApplyResult> {
    return withSession(target, async (s) => {
      const check = await this.checkIn(s, config)
      if (!check.ok) throw new DeviceError('invalid_config', `${target.device} refuses the configuration: ${check.errors.join('; ')}`)
      const diff = await this.diffIn(s, target, config)
      if (!diff) return { changed: false, diff: '', backup: null, needs_confirmation: false }
      const backup = backupPath(backupId)
      // Kept once: a retried apply must not overwrite the backup with what its first attempt already changed.
      const saved = await s.run(`mkdir -p ${BACKUPS} && { [ -e ${backup} ] || vtysh -c 'show running-config' | sed '1,/^Current configuration:/d' > ${backup}; }`)
      if (saved.code !== 0) throw new DeviceError('unreachable', `${target.device}: cannot keep a backup: ${saved.stderr.trim()}`)
      await this.reload(s, target, config)
      return { changed: true, diff, backup: backupId, needs_confirmation: false }
    }, this.session)
  }

  async verify(target: DeviceTarget, expect: VerifyExpectation): Promise<VerifyResult> {
    const deadline = Date.now() + (expect.timeout_ms ?? 20_000)
    return withSession(target, async (s) => {
      for (;;) {
        const failures = await this.failuresIn(s, expect)
        if (!failures.length || Date.now() > deadline) return { ok: !failures.length, failures }
        await sleep(500)
      }
    }, this.session)
  }

  async rollback(target: DeviceTarget, backupId: string): Promise<void> {
    const backup = backupPath(backupId)
    await withSession(target, async (s) => {
      const kept = await s.run(`cat ${backup}`)
      if (kept.code !== 0) throw new DeviceError('invalid_config', `${target.device} has no backup ${backupId} to roll back to`)
      await this.reload(s, target, kept.stdout)
    }, this.session)
  }

  private async checkIn(s: Session, config: string): Promise<CheckResult> {
    const r = await s.run(withConfigFile('vtysh -C -f "$f"'), config)
    const errors = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /%|error/i.test(l)).map((l) => l.trim())
    return { ok: r.code === 0, errors: r.code === 0 ? [] : errors.length ? errors : [`vtysh -C exited with ${r.code}`] }
  }

  private async diffIn(s: Session, target: DeviceTarget, config: string): Promise<string> {
    const r = await s.run(withConfigFile(`${RELOAD} --test --stdout "$f"`), config)
    if (r.code !== 0) throw new DeviceError('invalid_config', `${target.device}: frr-reload.py --test failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`)
    return deltaOf(r.stdout)
  }

  /** Applies the delta, then saves the running configuration as the startup configuration; an abort waits for both. */
  private async reload(s: Session, target: DeviceTarget, config: string): Promise<void> {
    const r = await s.run(withConfigFile(`${RELOAD} --reload --stdout "$f" && vtysh -c 'write memory' > /dev/null`), config, { changes: true })
    if (r.code !== 0) throw new DeviceError('invalid_config', `${target.device}: frr-reload.py --reload failed: ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-4).join(' ')}`)
  }

  private async failuresIn(s: Session, expect: VerifyExpectation): Promise<string[]> {
    const failures: string[] = []
    if (expect.ospf_full_on?.length) {
      const r = await s.run(`vtysh -c ${quote('show ip ospf neighbor json')}`)
      const neighbors = (JSON.parse(r.stdout || '{}') as { neighbors?: Record<string, { ifaceName?: string; state?: string; nbrState?: string }[]> }).neighbors ?? {}
      const full = new Set(
        Object.values(neighbors)
          .flat()
          .filter((n) => /^Full/.test(n.nbrState ?? n.state ?? ''))
          .map((n) => (n.ifaceName ?? '').split(':')[0]),
      )
      for (const ifname of expect.ospf_full_on) if (!full.has(ifname)) failures.push(`no OSPF neighbour in state Full on ${ifname}`)
    }
    if (expect.ospf_cost && Object.keys(expect.ospf_cost).length) {
      const r = await s.run(`vtysh -c ${quote('show ip ospf interface json')}`)
      const interfaces = (JSON.parse(r.stdout || '{}') as { interfaces?: Record<string, { cost?: number }> }).interfaces ?? {}
      for (const [ifname, cost] of Object.entries(expect.ospf_cost)) {
        const found = interfaces[ifname]?.cost
        if (found !== cost) failures.push(`OSPF cost of ${ifname} is ${found ?? 'not set'}, expected ${cost}`)
      }
    }
    if (expect.routes?.length) {
      const r = await s.run(`vtysh -c ${quote('show ip route json')}`)
      const routes = JSON.parse(r.stdout || '{}') as Record<string, unknown>
      for (const prefix of expect.routes) if (!(prefix in routes)) failures.push(`no route to ${prefix}`)
    }
    return failures
  }
}
