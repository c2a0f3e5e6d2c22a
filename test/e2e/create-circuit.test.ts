// create_circuit through the API (seed 002): a three-page form (A-side node, B-side node never the A side, a free
// port of the circuit's speed on each), then the planned cable in DCIM, the subscription, a /31 and a /127 from
// the link pools, both routers' configuration (the manual driver shows both and waits), the cable connected and
// the circuit active in maintenance mode, referring to its two ports. An abort gives everything back.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import type { ApiClient } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { loomStack } from '../support/loom.js'
import { enrolNode, reservePort } from '../support/workshop.js'
import { as } from '../support/api.js'

let api: ApiClient
const node: Record<string, string> = {}
const port: Record<string, string> = {}

interface Page {
  complete: boolean
  page?: number
  pages?: number
  form?: { properties: Record<string, { oneOf?: { const: string; title: string }[] }>; required: string[] }
  errors?: { path: string; message: string }[]
}
interface Allocation {
  prefix: string
  pool: string
  purpose: string
}
interface Cable {
  id: string
  status: string
  a: { device: string; interface: string }
  b: { device: string; interface: string }
}

const TEN_G = (name: string) => ({ name, speed_mbps: 10_000 })

const loom = loomStack({
  devices: plannedRouters('ckt', 3).map((r) => ({ ...r, interfaces: [TEN_G('eth1'), TEN_G('eth2'), TEN_G('eth3'), { name: 'eth4', speed_mbps: 100_000 }] })),
})

before(async () => {
  await loom.start()
  api = loom.api
  for (const r of ['ckt-r1', 'ckt-r2', 'ckt-r3']) node[r] = await enrolNode(api, r)
  for (const [r, p] of [['ckt-r1', 'eth1'], ['ckt-r1', 'eth2'], ['ckt-r2', 'eth1'], ['ckt-r3', 'eth1']]) port[`${r}:${p}`] = await reservePort(api, node[r], p)
})
after(() => loom.stop())

const page = (answers: Record<string, unknown>) => api.call<Page>('POST', '/api/workflows/create_circuit/form', answers)
const choices = (p: Page, field: string) => p.form!.properties[field].oneOf!.map((o) => o.const).sort()
const allocations = async (subscription: string) => (await api.get<{ items: Allocation[] }>(`/api/ipam/allocations?subscription_id=${subscription}`)).body.items
const cablesOf = async (device: string) => (await api.get<{ items: Cable[] }>(`/api/dcim/cables?device=${device}`)).body.items

describe('create_circuit: the form', () => {
  test('A side, then B side (never the A side), then a free port of the speed on each', async () => {
    const first = await api.get<{ properties: { node_a: { oneOf: { const: string }[] } }; 'x-loom-pages': number }>('/api/workflows/create_circuit/form')
    assert.equal(first.status, 200)
    assert.equal(first.body['x-loom-pages'], 3)
    assert.deepEqual(first.body.properties.node_a.oneOf.map((o) => o.const).sort(), Object.values(node).sort())

    const second = await page({ speed: '10G', node_a: node['ckt-r1'] })
    assert.deepEqual([second.body.complete, second.body.page], [false, 2])
    assert.deepEqual(choices(second.body, 'node_b'), [node['ckt-r2'], node['ckt-r3']].sort(), 'the A side is not offered as the B side')
    const same = await page({ speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r1'] })
    assert.equal(same.status, 422)
    assert.deepEqual(same.body.errors!.map((e) => e.path), ['node_b'])

    const third = await page({ speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r2'] })
    assert.deepEqual([third.body.complete, third.body.page, third.body.pages], [false, 3, 3])
    assert.deepEqual(choices(third.body, 'port_a'), [port['ckt-r1:eth1'], port['ckt-r1:eth2']].sort())
    assert.deepEqual(choices(third.body, 'port_b'), [port['ckt-r2:eth1']])
    const noPorts = await page({ speed: '100G', node_a: node['ckt-r1'], node_b: node['ckt-r2'] })
    assert.deepEqual([choices(noPorts.body, 'port_a'), choices(noPorts.body, 'port_b')], [[], []], 'no 100G port subscriptions exist')

    const wrongSide = await page({ speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r2'], port_a: port['ckt-r2:eth1'], port_b: port['ckt-r2:eth1'] })
    assert.equal(wrongSide.status, 422)
    assert.deepEqual(wrongSide.body.errors!.map((e) => e.path), ['port_a'])
    assert.match(wrongSide.body.errors![0].message, /is not a free 10G port of the A-side node/)
    const metric = await page({ speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r2'], port_a: port['ckt-r1:eth1'], port_b: port['ckt-r2:eth1'], igp_metric: 65535 })
    assert.equal(metric.status, 422)
    assert.deepEqual(metric.body.errors!.map((e) => e.path), ['igp_metric'])
    assert.equal((await api.get<{ total: number }>('/api/processes?workflow=create_circuit')).body.total, 0, 'nothing was started')
  })
})

describe('create_circuit: the process', () => {
  test('the manual driver shows both sides and waits; then the circuit is active in maintenance mode with its subnets, cable and ports', async () => {
    const input = { speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r2'], port_a: port['ckt-r1:eth1'], port_b: port['ckt-r2:eth1'], igp_metric: 20 }
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/create_circuit', input, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const waiting = await api.waitForProcess(started.body.id, (p) => p.pending_input !== null)
    assert.equal(waiting.pending_input!.step, 'provide_config_to_user')
    const shown = waiting.pending_input!.data as Record<'side_a' | 'side_b', { device: string; config: string }>
    assert.equal(shown.side_a.device, 'ckt-r1')
    assert.equal(shown.side_b.device, 'ckt-r2')
    // Each side: its interface, its half of the /31 and /127, drained with the maintenance metric.
    assert.match(shown.side_a.config, /interface eth1\n description circuit to ckt-r2\n ip address 203\.0\.113\.\d+\/31/)
    assert.match(shown.side_b.config, /description circuit to ckt-r1/)
    assert.match(shown.side_a.config, / ip ospf cost 65535/)
    const cable = (await cablesOf('ckt-r1')).find((c) => c.a.interface === 'eth1' || c.b.interface === 'eth1')!
    assert.equal(cable.status, 'planned', 'the cable is planned before the routers are configured')

    // A second circuit on a port that this process holds: refused, naming the field.
    const taken = await api.call<{ errors: { path: string }[] }>('POST', '/api/processes/create_circuit', { ...input, port_a: port['ckt-r1:eth2'] })
    assert.equal(taken.status, 422, JSON.stringify(taken.body))
    assert.deepEqual(taken.body.errors.map((e) => e.path), ['port_b'])

    assert.equal((await api.call('PUT', `/api/processes/${started.body.id}/resume`, { confirm_config_applied: true }, as('bob'))).status, 200)
    const done = await api.waitForProcess(started.body.id, (p) => p.status === 'completed')
    assert.deepEqual(
      done.steps.filter((s) => s.status === 'success').map((s) => s.name),
      [
        'construct_circuit_model', 'plan_cable', 'store_process_subscription', 'reserve_ips_in_ipam', 'store_link_addresses', 'configure_circuit', 'configure_side_a',
        'configure_side_b', 'manual_configuration', 'provide_config_to_user', 'set_status_provisioning', 'connect_cable', 'update_subscription_description', 'set_status_active',
      ],
    )
    const circuitId = done.subscription_ids[0]
    const circuit = (await api.get<SubscriptionDto & { depends_on: { subscription_id: string }[] }>(`/api/subscriptions/${circuitId}`)).body
    assert.deepEqual([circuit.product, circuit.lifecycle, circuit.insync], ['circuit_10g', 'active', true])
    const model = circuit.domain_model.circuit as Record<string, unknown> & Record<'side_a' | 'side_b', Record<string, string>>
    assert.deepEqual([model.mode, model.igp_metric], ['maintenance', 20])
    assert.match(String(model.link_subnet_ipv4), /^203\.0\.113\.\d+\/31$/)
    assert.match(String(model.link_subnet_ipv6), /^2001:db8:1:[0-9a-f:]*\/127$/)
    assert.deepEqual([model.side_a.port, model.side_b.port], [port['ckt-r1:eth1'], port['ckt-r2:eth1']])
    assert.notEqual(model.side_a.ipv4_address, model.side_b.ipv4_address)
    assert.match(circuit.description, /^Circuit 10G ckt-r1 eth1 – ckt-r2 eth1, 203\.0\.113/)
    assert.deepEqual(circuit.depends_on.map((d) => d.subscription_id).sort(), [port['ckt-r1:eth1'], port['ckt-r2:eth1']].sort())
    assert.deepEqual(
      (await allocations(circuitId)).map((a) => [a.pool, a.purpose, a.prefix]).sort(),
      [['core-links-v4', 'link_ipv4', model.link_subnet_ipv4], ['core-links-v6', 'link_ipv6', model.link_subnet_ipv6]].sort(),
    )
    assert.equal((await cablesOf('ckt-r1')).find((c) => c.id === cable.id)!.status, 'connected')
    // Its ports are taken: no longer offered.
    const ports = await page({ speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r2'] })
    assert.deepEqual([choices(ports.body, 'port_a'), choices(ports.body, 'port_b')], [[port['ckt-r1:eth2']], []])
    await recordHistoryIfAsked(started.body.id, 'circuit', 'create_circuit')
  })

  test('aborted while waiting: the cable, the link subnets and the ports are given back, the subscription terminated', async () => {
    const input = { speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r3'], port_a: port['ckt-r1:eth2'], port_b: port['ckt-r3:eth1'] }
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/create_circuit', input, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const waiting = await api.waitForProcess(started.body.id, (p) => p.pending_input !== null)
    const circuitId = waiting.subscription_ids[0]
    assert.equal((await allocations(circuitId)).length, 2)
    assert.equal((await cablesOf('ckt-r3')).length, 1)

    const aborted = await api.call<{ status: string }>('PUT', `/api/processes/${started.body.id}/abort`, { reason: 'wrong ports' }, as('alice'))
    assert.equal(aborted.body.status, 'aborted', JSON.stringify(aborted.body))
    const done = await api.waitForProcess(started.body.id, (p) => p.status === 'aborted')
    const undone = done.steps.filter((s) => s.name.startsWith('undo_'))
    assert.deepEqual(undone.map((s) => s.name).sort(), ['undo_configure_side_a', 'undo_configure_side_b', 'undo_construct_circuit_model', 'undo_plan_cable', 'undo_reserve_ips_in_ipam', 'undo_store_process_subscription'])
    assert.ok(undone.every((s) => s.status === 'success'), JSON.stringify(undone))
    assert.deepEqual(await allocations(circuitId), [], 'no leaked link subnet')
    assert.deepEqual(await cablesOf('ckt-r3'), [], 'no leaked cable')
    assert.equal((await api.get<SubscriptionDto>(`/api/subscriptions/${circuitId}`)).body.lifecycle, 'terminated')
    const ports = await page({ speed: '10G', node_a: node['ckt-r1'], node_b: node['ckt-r3'] })
    assert.deepEqual([choices(ports.body, 'port_a'), choices(ports.body, 'port_b')], [[port['ckt-r1:eth2']], [port['ckt-r3:eth1']]], 'both ports are offered again')
  })
})
