// `loom demo --lab`: seed 002's story on real routers. It starts FRR routers in a ring (network namespaces, root
// only), a Loom of its own on them (`npm start`'s launcher on free ports and a scratch data dir, the FRR driver
// logging in with the lab's SSH key), registers the routers and their links in the built-in DCIM through the
// API, tells the story, shows each router's OSPF neighbours, and takes everything down again (unless `--keep`).
import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTemporalCli, freePort, type Lab, labUnavailable, managementSubnetOf, projectRoot, startLab, waitFor } from '#runtime/index.js'
import { DemoError, type DemoOptions, runDemo } from './demo.js'

export interface LabDemoOptions extends Omit<DemoOptions, 'routers' | 'apiKey'> {
  /** how many routers the ring has (at least 2) */
  size: number
  /** leave Loom and the lab running until Ctrl-C */
  keep: boolean
}

/** What the lab's Loom must not inherit: it runs on its own embedded Temporal and PostgreSQL. */
const OWN_SERVERS = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'LOOM_DATA_DIR', 'LOOM_HTTP_PORT', 'LOOM_HTTP_HOST', 'LOOM_DEVICE_DRIVER', 'LOOM_PAYLOAD_KEYS', 'LOOM_AUTH']

export async function runLabDemo(options: LabDemoOptions): Promise<void> {
  const { say } = options
  const unavailable = labUnavailable()
  if (unavailable) throw new DemoError(`--lab: ${unavailable}`)
  const temporalCli = await findTemporalCli({ configured: process.env.TEMPORAL_CLI, dataDir: join(projectRoot(), '.loom'), install: true, log: say })
  say(`starting ${options.size} FRR routers in a ring (network namespaces, OSPF; scripts/frr-lab.sh)`)
  const lab = await startLab(options.size, { ring: true }) // takes itself down when it cannot start
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-lab-'))
  chmodSync(dataDir, 0o755) // the embedded PostgreSQL runs as the OS user postgres when we are root
  let loom: ChildProcess | undefined
  const cleanUp = async () => {
    say('stopping Loom and the lab')
    if (loom && loom.exitCode === null) {
      const exited = new Promise((resolve) => loom!.once('exit', resolve))
      loom.kill('SIGTERM')
      await exited
    }
    await lab.down()
    rmSync(dataDir, { recursive: true, force: true })
  }
  // Ctrl-C in the middle leaves no namespaces, routers or Loom behind either.
  const interrupted = () => void cleanUp().finally(() => process.exit(130))
  if (!options.keep) process.once('SIGINT', interrupted)
  try {
    // The circuits address the links (from IPAM): the lab's own link addresses go.
    for (const l of lab.links) {
      await lab.exec(l.a, 'ip', '-4', 'addr', 'flush', 'dev', l.a_if)
      await lab.exec(l.b, 'ip', '-4', 'addr', 'flush', 'dev', l.b_if)
    }
    const [http, temporal, ui, postgres] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
    const api = `http://127.0.0.1:${http}`
    const key = lab.routers[0].ssh
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !OWN_SERVERS.includes(e[0]))),
      LOOM_DATA_DIR: dataDir,
      LOOM_HTTP_PORT: String(http),
      LOOM_TEMPORAL_PORT: String(temporal),
      LOOM_TEMPORAL_UI_PORT: String(ui),
      LOOM_POSTGRES_PORT: String(postgres),
      TEMPORAL_CLI: temporalCli.path,
      LOOM_DEVICE_DRIVER: 'frr',
      LOOM_DEVICE_USERNAME: key.username,
      LOOM_DEVICE_CREDENTIALS: `file:${key.private_key}`,
      LOOM_DEVICE_KNOWN_HOSTS: key.known_hosts,
      LOOM_MANAGEMENT_PREFIXES: managementSubnetOf(lab),
    }
    say(`starting Loom on ${api} with the FRR driver (its log: ${join(dataDir, 'loom.log')})`)
    const log = openSync(join(dataDir, 'loom.log'), 'a')
    loom = spawn(process.execPath, [join(projectRoot(), 'dist', 'apps', 'launcher', 'src', 'main.js')], { env, stdio: ['ignore', log, log] })
    closeSync(log)
    await untilReady(api, loom, dataDir)
    // The first administrator key, which this Loom's launcher wrote at its first start.
    const apiKey = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim()
    await registerLab(api, lab, apiKey)
    const hostname = (name: string) => lab.routers.find((r) => r.name === name)!.hostname
    const linkPort = (router: string, peer: string) => {
      const link = lab.links.find((l) => [hostname(l.a), hostname(l.b)].sort().join() === [router, peer].sort().join())
      if (!link) throw new DemoError(`the lab has no link between ${router} and ${peer}`)
      return hostname(link.a) === router ? link.a_if : link.b_if
    }
    await runDemo(api, { ...options, routers: lab.routers.map((r) => r.hostname), linkPort, apiKey })
    for (const r of lab.routers) say(`${r.hostname} OSPF neighbours:\n${indent(await lab.show(r.name, 'show ip ospf neighbor'))}`)
    if (options.keep) {
      say(`Loom keeps running at ${api} on the lab ${lab.name} (vtysh: sudo ip netns exec ${lab.routers[0].name} vtysh). Press Ctrl-C to stop both.`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
    }
  } finally {
    process.removeListener('SIGINT', interrupted)
    await cleanUp()
  }
}

/** Waits until the API answers healthy; the launcher ending first is an error with the end of its log. */
async function untilReady(api: string, loom: ChildProcess, dataDir: string): Promise<void> {
  let healthy = false
  await waitFor(
    async () => {
      if (loom.exitCode !== null) return true
      healthy = (await fetch(`${api}/api/health`).catch(() => null))?.ok ?? false
      return healthy
    },
    { timeoutMs: 300_000, intervalMs: 500, describe: () => `Loom did not become healthy at ${api}` },
  ).catch(() => undefined)
  if (!healthy) {
    const tail = readFileSync(join(dataDir, 'loom.log'), 'utf8').split('\n').slice(-20).join('\n')
    throw new DemoError(`Loom did not start for the lab (${loom.exitCode === null ? 'not healthy in 5 minutes' : `exit ${loom.exitCode}`}):\n${tail}`)
  }
}

/** The lab's routers as planned DCIM devices at a site of their own, with the interfaces of their links. */
async function registerLab(api: string, lab: Lab, apiKey: string): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify(body) })
    if (!res.ok) throw new DemoError(`POST ${path} answered ${res.status}: ${await res.text()}`)
  }
  await post('/api/dcim/sites', { name: lab.name })
  for (const r of lab.routers) {
    await post('/api/dcim/devices', { name: r.hostname, role: 'router', vendor: 'frr', platform: 'frr', site: lab.name, management_address: r.mgmt_ip })
    for (const l of lab.links.filter((x) => x.a === r.name || x.b === r.name)) {
      await post(`/api/dcim/devices/${r.hostname}/interfaces`, { name: l.a === r.name ? l.a_if : l.b_if, speed_mbps: 10_000 })
    }
  }
}

const indent = (text: string) => text.trim().split('\n').map((l) => `    ${l}`).join('\n')
