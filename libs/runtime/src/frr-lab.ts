// Real FRR routers for tests and `loom demo --lab`: scripts/frr-lab.sh (the workplace's frr-lab recipe) starts them
// in network namespaces, each with sshd on a management bridge. Needs root, frr and openssh-server (.ci/run installs them).
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from './project-root.js'

const run = promisify(execFile)
const SCRIPT = join(projectRoot(), 'scripts', 'frr-lab.sh')

export interface LabRouter {
  name: string
  hostname: string
  loopback: string
  mgmt_ip: string
  ssh: { host: string; port: number; username: string; private_key: string; known_hosts: string }
}

export interface LabLink {
  a: string
  b: string
  a_if: string
  b_if: string
  subnet: string
  a_address: string
  b_address: string
}

export interface Lab {
  name: string
  routers: LabRouter[]
  links: LabLink[]
  /** Runs vtysh on a router (lab.sh show). */
  show(router: string, command: string): Promise<string>
  /** Changes a router's running configuration by hand, as someone at its console would (lab.sh vtysh … -c 'configure terminal' -c …). */
  configure(router: string, ...lines: string[]): Promise<string>
  /** Runs a command inside a router's namespace (lab.sh exec), e.g. `ip -4 addr flush dev to-r2`. */
  exec(router: string, ...command: string[]): Promise<string>
  logs(): Promise<string>
  down(): Promise<void>
}

/** Why the lab cannot start here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the FRR lab needs root (network namespaces, as CI has); run the tests as root to include it'
  for (const file of ['/usr/bin/vtysh', '/usr/lib/frr/frr-reload.py', '/usr/sbin/sshd', '/usr/bin/unshare']) {
    if (!existsSync(file)) return `${file} is missing: apt-get install frr openssh-server (.ci/run installs them)`
  }
  return undefined
}

export async function startLab(routers: number, options: { ring?: boolean } = {}): Promise<Lab> {
  const name = `lt${randomBytes(3).toString('hex')}`
  const lab = (...args: string[]) => run('bash', [SCRIPT, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })
  const down = async () => {
    await lab('down', name).catch(() => undefined)
  }
  try {
    await lab('up', name, String(routers), ...(options.ring ? ['--ring'] : []), '--daemons', 'ospfd,ospf6d')
    const inventory = JSON.parse((await lab('inventory', name)).stdout) as { routers: LabRouter[]; links: LabLink[] }
    return {
      name,
      routers: inventory.routers,
      links: inventory.links,
      show: async (router, command) => (await lab('show', name, router, command)).stdout,
      configure: async (router, ...lines) => (await lab('vtysh', name, router, ...['configure terminal', ...lines].flatMap((l) => ['-c', l]))).stdout,
      exec: async (router, ...command) => (await lab('exec', name, router, ...command)).stdout,
      logs: async () => (await lab('logs', name).catch((e: { stdout?: string }) => e)).stdout ?? '',
      down,
    }
  } catch (error) {
    await down()
    throw error
  }
}

/**
 * The lab's management network, what LOOM_MANAGEMENT_PREFIXES admits for it: scripts/frr-lab.sh gives router K
 * an address in one /24 per lab (its inventory's mgmt.subnet).
 */
export function managementSubnetOf(lab: Lab): string {
  const [a, b, c] = lab.routers[0].mgmt_ip.split('.')
  return `${a}.${b}.${c}.0/24`
}
