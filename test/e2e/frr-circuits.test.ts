// Seed 002's story on real routers, through the API only: three FRR routers in a ring, enrolled by create_node,
// their ports reserved by create_port, three circuits forming a triangle by create_circuit (OSPF Full on every
// link), modify_circuit_mode moving traffic off a link (its cost rises and the routes go the other way),
// drain_node and restore_node on one router, terminate_circuit taking the adjacency away; Temporal visibility
// finds every process by subscription id.
// Skipped, with the reason, where the lab cannot start (it needs root, frr and sshd: .ci/run installs them).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { DeviceAccessConfig } from '#config/index.js'
import type { ProcessDto, ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { BuiltinIpam } from '#integrations/ipam/builtin-ipam.js'
import { PrismaService } from '#persistence/index.js'
import { type Lab, labUnavailable, managementSubnetOf, startLab, waitFor } from '#runtime/index.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'

import { quietTemporalRuntime, testConfig, testTemporalAddress, uniqueTaskQueue, testDataConverter } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'
import { enrolNode, reservePort, runToCompletion } from '../support/workshop.js'
import { recordHistoryIfAsked } from '../support/histories.js'

const unavailable = labUnavailable()

describe('circuits on real FRR routers, through the API', { skip: unavailable }, () => {
  let lab: Lab
  let db: TestDatabase
  let prisma: PrismaService
  let loom: LoomWorker | undefined
  let running: Promise<void> | undefined
  let gw: RunningGateway | undefined
  let api: ApiClient
  const node: Record<string, string> = {}
  const port: Record<string, string> = {}
  const circuit: Record<string, string> = {}

  const neighbours = async (r: string) => {
    const json = JSON.parse(await lab.show(r, 'show ip ospf neighbor json')) as { neighbors?: Record<string, { ifaceName?: string; nbrState?: string; state?: string }[]> }
    return Object.values(json.neighbors ?? {})
      .flat()
      .filter((n) => /^Full/.test(n.nbrState ?? n.state ?? ''))
      .map((n) => (n.ifaceName ?? '').split(':')[0])
      .sort()
  }
  const costOf = async (r: string, ifname: string) => (JSON.parse(await lab.show(r, 'show ip ospf interface json')) as { interfaces: Record<string, { cost?: number }> }).interfaces[ifname]?.cost
  const loopback = async (r: string) => ((await api.get<SubscriptionDto>(`/api/subscriptions/${node[r]}`)).body.domain_model.node as { loopback_ipv4: string }).loopback_ipv4
  const routeVia = async (from: string, prefix: string) => {
    const json = JSON.parse(await lab.show(from, `show ip route ${prefix} json`)) as Record<string, { nexthops?: { interfaceName?: string }[] }[]>
    return (json[prefix] ?? []).flatMap((r) => r.nexthops ?? []).map((n) => n.interfaceName ?? '').sort()
  }

  before(async () => {
    quietTemporalRuntime()
    lab = await startLab(3, { ring: true })
    // The lab addresses its links; here the circuits do (from IPAM), so the lab's own addresses go.
    for (const l of lab.links) {
      await lab.exec(l.a, 'ip', '-4', 'addr', 'flush', 'dev', l.a_if)
      await lab.exec(l.b, 'ip', '-4', 'addr', 'flush', 'dev', l.b_if)
    }
    db = await cloneDatabase()
    prisma = new PrismaService(db.url)
    const dcim = new BuiltinDcim(prisma)
    await dcim.createSite({ name: lab.name })
    for (const r of lab.routers) {
      await dcim.createDevice({ name: r.hostname, role: 'router', vendor: 'frr', platform: 'frr', site: lab.name, management_address: r.mgmt_ip })
      for (const l of lab.links.filter((x) => x.a === r.name || x.b === r.name)) await dcim.createInterface(r.hostname, { name: l.a === r.name ? l.a_if : l.b_if, speed_mbps: 10_000 })
    }
    const ipam = new BuiltinIpam(prisma)
    await ipam.createPool({ name: 'loopbacks-v4', prefix: '10.255.0.0/24', role: 'loopback' })
    await ipam.createPool({ name: 'loopbacks-v6', prefix: '2001:db8::/64', role: 'loopback' })
    await ipam.createPool({ name: 'core-links-v4', prefix: '10.1.0.0/24', role: 'link' })
    await ipam.createPool({ name: 'core-links-v6', prefix: '2001:db8:1::/48', role: 'link' })
    const key = lab.routers[0].ssh
    const access: DeviceAccessConfig = { driver: 'frr', username: 'root', credentials: `file:${key.private_key}`, knownHosts: key.known_hosts, hostKeys: 'known_hosts', managementPrefixes: [managementSubnetOf(lab)], sshPort: 22, simulator: { seed: 1, latencyMs: [0, 0], failureRate: 0 } }
    const config = testConfig(db.url, { taskQueue: uniqueTaskQueue('lab-circuits'), devices: access })
    loom = await createLoomWorker(config)
    running = loom.run()
    gw = await startGateway(config)
    api = apiClient(gw.url)
  })
  after(async () => {
    loom?.shutdown()
    await running
    await gw?.close()
    await lab?.down()
    await prisma?.$disconnect()
    await db?.drop()
  })

  test('three circuits in a triangle: verified by the driver, OSPF Full on every link of every router', async () => {
    for (const r of lab.routers) node[r.name] = await enrolNode(api, r.hostname)
    for (const l of lab.links) {
      port[`${l.a}:${l.b}`] = await reservePort(api, node[l.a], l.a_if)
      port[`${l.b}:${l.a}`] = await reservePort(api, node[l.b], l.b_if)
    }
    for (const l of lab.links) {
      const done = await runToCompletion(api, 'create_circuit', { speed: '10G', node_a: node[l.a], node_b: node[l.b], port_a: port[`${l.a}:${l.b}`], port_b: port[`${l.b}:${l.a}`] })
      circuit[`${l.a}-${l.b}`] = done.subscription_ids[0]
      assert.deepEqual(
        done.steps.filter((s) => ['verify_side_a', 'verify_side_b', 'provide_config_to_user'].includes(s.name)).map((s) => [s.name, s.status]).sort(),
        [['provide_config_to_user', 'skipped'], ['verify_side_a', 'success'], ['verify_side_b', 'success']],
      )
    }
    for (const r of lab.routers) {
      const expected = lab.links.filter((l) => l.a === r.name || l.b === r.name).map((l) => (l.a === r.name ? l.a_if : l.b_if)).sort()
      assert.deepEqual(await neighbours(r.name), expected, `${r.name}: ${await lab.show(r.name, 'show ip ospf neighbor')}`)
    }
    // Created in maintenance mode: every circuit runs at the highest cost.
    assert.equal(await costOf('r1', 'to-r2'), 65535)
  })

  test("task_deploy_config puts what the models render on every router, one at a time per site, each verified: a router changed by hand is repaired, the others change nothing", async () => {
    await lab.configure('r2', 'interface to-r1', 'ip ospf cost 77')
    assert.equal(await costOf('r2', 'to-r1'), 77, 'changed behind Loom\'s back')
    const done = await runToCompletion(api, 'task_deploy_config', { filter_sites: [lab.name] })
    await recordHistoryIfAsked(done.id, 'tasks', 'task_deploy_config')
    const hostnames = lab.routers.map((r) => r.hostname).sort()
    assert.deepEqual(done.fleet?.report, { completed: hostnames, failed: [], skipped: [] })
    assert.equal(done.fleet?.unchanged, 2, 'only r2 differed from its model')
    assert.equal(await costOf('r2', 'to-r1'), 65535, 'back to what its circuit says (maintenance)')
    const changed = (await prisma.fleetTaskDevice.findMany({ where: { processId: done.id, changed: true } })).map((d) => d.device)
    assert.deepEqual(changed, [lab.routers.find((r) => r.name === 'r2')!.hostname])
    for (const r of lab.routers) assert.equal((await neighbours(r.name)).length, 2, `${r.name} verified: both adjacencies Full`)
  })

  test('normal mode everywhere, then r1–r2 to maintenance: its cost rises on both ends and r1 reaches r2 through r3', async () => {
    for (const id of Object.values(circuit)) await runToCompletion(api, 'modify_circuit_mode', { subscription_id: id, mode: 'normal' })
    assert.deepEqual([await costOf('r1', 'to-r2'), await costOf('r2', 'to-r1')], [10, 10])
    const r2 = await loopback('r2')
    await waitFor(async () => (await routeVia('r1', r2)).join() === 'to-r2', { timeoutMs: 20_000, describe: () => 'r1 never routed to r2 directly' })

    await runToCompletion(api, 'modify_circuit_mode', { subscription_id: circuit['r1-r2'], mode: 'maintenance' })
    assert.deepEqual([await costOf('r1', 'to-r2'), await costOf('r2', 'to-r1')], [65535, 65535])
    await waitFor(async () => (await routeVia('r1', r2)).join() === 'to-r3', { timeoutMs: 20_000, describe: () => `traffic from r1 to r2 never moved to r3: ${JSON.stringify(lab.routers.map((r) => r.name))}` })
    assert.deepEqual(await neighbours('r1'), ['to-r2', 'to-r3'], 'drained, not down: the adjacency stays')
  })

  test('drain_node r3: both its circuits to maintenance on both ends (a sub-process each); restore_node puts back only those, r1–r2 stays drained', async () => {
    const drained = await runToCompletion(api, 'drain_node', { subscription_id: node.r3 })
    const moved = (drained.steps.find((s) => s.name === 'drain_circuits')!.state_delta as { drain_circuits: { subscription_id: string; status: string }[] }).drain_circuits
    assert.deepEqual(moved.map((o) => o.status), ['completed', 'completed'])
    assert.deepEqual(await Promise.all([costOf('r3', 'to-r1'), costOf('r1', 'to-r3'), costOf('r3', 'to-r2'), costOf('r2', 'to-r3')]), [65535, 65535, 65535, 65535])
    assert.deepEqual(await neighbours('r3'), ['to-r1', 'to-r2'], 'drained, not down')

    await runToCompletion(api, 'restore_node', { subscription_id: node.r3 })
    assert.deepEqual(await Promise.all([costOf('r3', 'to-r1'), costOf('r1', 'to-r3'), costOf('r3', 'to-r2'), costOf('r2', 'to-r3')]), [10, 10, 10, 10])
    assert.deepEqual([await costOf('r1', 'to-r2'), await costOf('r2', 'to-r1')], [65535, 65535], 'not moved by the drain, not moved by the restore')
  })

  test('terminate_circuit (approved by the change board) takes the adjacency away; r1 still reaches r2 through r3', async () => {
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/terminate_circuit', { subscription_id: circuit['r1-r2'] }, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    await api.waitForProcess(started.body.id, (p) => p.pending_input?.step === 'approve_termination')
    assert.equal((await api.call('PUT', `/api/processes/${started.body.id}/resume`, { approved: true }, as('carol', 'change-board'))).status, 200)
    const done = await api.waitForProcess(started.body.id, (p) => p.completed_at !== null, 120_000)
    assert.equal(done.status, 'completed', JSON.stringify(done.failure))
    await waitFor(async () => !(await neighbours('r1')).includes('to-r2'), { timeoutMs: 20_000, describe: () => 'the r1–r2 adjacency is still there' })
    assert.doesNotMatch(await lab.show('r1', 'show running-config'), /interface to-r2\n description/, 'its configuration is gone from r1')
    assert.deepEqual(await routeVia('r1', await loopback('r2')), ['to-r3'])
  })

  test('every process has its whole step log, and Temporal visibility finds each one by its subscription', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() })
    try {
      const client = new Client({ connection, dataConverter: testDataConverter() })
      for (const id of Object.values(circuit)) {
        const processes = (await api.get<{ items: ProcessDto[]; total: number }>(`/api/subscriptions/${id}/processes`)).body
        assert.ok(processes.total >= 2)
        for (const p of processes.items) {
          const full = (await api.get<ProcessDto>(`/api/processes/${p.id}`)).body
          assert.ok(full.steps.every((s) => ['success', 'skipped'].includes(s.status)), `${p.workflow}: ${JSON.stringify(full.steps.filter((s) => !['success', 'skipped'].includes(s.status)))}`)
        }
        // Visibility is eventually consistent: the last process may take a moment to show.
        const expected = processes.items.map((p) => p.id).sort()
        let found: string[] = []
        await waitFor(
          async () => {
            found = []
            for await (const w of client.workflow.list({ query: `LoomSubscriptionIds = "${id}"` })) found.push(w.workflowId)
            return found.sort().join() === expected.join()
          },
          { timeoutMs: 20_000, describe: () => `visibility of ${id}: found ${found.join(', ')}, expected ${expected.join(', ')}` },
        )
      }
    } finally {
      await connection.close()
    }
  })
})
