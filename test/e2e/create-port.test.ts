// create_port through the API: a start form of two pages — pick a node and a speed, then one of that node's free
// interfaces of that speed, computed by the gateway from DCIM and the claims — then the port subscription
// becomes active and its interface is described and enabled in DCIM.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { createLoomWorker, type LoomWorker } from '../../apps/worker/src/create-worker.js'
import type { ProcessStartedDto, SubscriptionDto } from '#contracts/index.js'
import { type ApiClient, apiClient, as } from '../support/api.js'
import { recordHistoryIfAsked } from '../support/histories.js'
import { cloneDatabase, type TestDatabase } from '../support/database.js'
import { plannedRouters, seed } from '../support/dcim.js'
import { waitFor } from '#runtime/index.js'
import { quietTemporalRuntime, testConfig, testTemporalAddress, testDataConverter } from '../support/env.js'
import { type RunningGateway, startGateway } from '../support/gateway.js'

let db: TestDatabase
let loom: LoomWorker
let running: Promise<void> | undefined
let gw: RunningGateway
let api: ApiClient
let node: string
let connection: Connection
let client: Client

interface Page {
  complete: boolean
  page?: number
  pages?: number
  form?: { properties: Record<string, { enum?: string[] }>; required: string[] }
}

before(async () => {
  quietTemporalRuntime()
  db = await cloneDatabase()
  const [router] = plannedRouters('port', 1)
  await seed(db.url, [{ ...router, interfaces: [{ name: 'eth1', speed_mbps: 10_000 }, { name: 'eth2', speed_mbps: 10_000 }, { name: 'eth4', speed_mbps: 100_000 }] }])
  const config = testConfig(db.url)
  loom = await createLoomWorker(config)
  running = loom.run()
  gw = await startGateway(config)
  api = apiClient(gw.url)
  connection = await Connection.connect({ address: testTemporalAddress() })
  client = new Client({ connection, dataConverter: testDataConverter() })
  // The node the ports go on, enrolled as any node is.
  const created = await api.call<ProcessStartedDto>('POST', '/api/processes/create_node', { router: 'port-r1' })
  await api.waitForProcess(created.body.id, (p) => p.pending_input !== null)
  await api.call('PUT', `/api/processes/${created.body.id}/resume`, { confirm_config_applied: true })
  node = (await api.waitForProcess(created.body.id, (p) => p.status === 'completed')).subscription_ids[0]
})
after(async () => {
  await connection?.close()
  if (running) {
    loom.shutdown()
    await running
  }
  await gw?.close()
  await db?.drop()
})

const page = (answers: Record<string, unknown>) => api.call<Page & { errors?: { path: string; message: string }[] }>('POST', '/api/workflows/create_port/form', answers)

describe('create_port: a form of two pages', () => {
  test('page 1 offers the nodes; page 2 the free interfaces of the chosen node at the chosen speed', async () => {
    const first = await api.get<{ properties: { node: { oneOf: { const: string }[] } }; 'x-loom-page': number; 'x-loom-pages': number }>('/api/workflows/create_port/form')
    assert.equal(first.status, 200)
    assert.deepEqual([first.body['x-loom-page'], first.body['x-loom-pages']], [1, 2])
    assert.deepEqual(first.body.properties.node.oneOf.map((o) => o.const), [node])

    const tenG = await page({ node, speed: '10G' })
    assert.equal(tenG.status, 200)
    assert.deepEqual([tenG.body.complete, tenG.body.page, tenG.body.pages], [false, 2, 2])
    assert.deepEqual(tenG.body.form!.properties.port_name.enum, ['eth1', 'eth2'])
    assert.deepEqual(tenG.body.form!.required.sort(), ['port_description', 'port_name'])
    assert.deepEqual((await page({ node, speed: '100G' })).body.form!.properties.port_name.enum, ['eth4'])
    assert.deepEqual((await page({ node, speed: '10G', port_name: 'eth1', port_description: 'to fra-pe1' })).body, { complete: true })
  })

  test('each page names its own fields at fault (422); unknown fields are refused; a start with page 2 unanswered is a 422', async () => {
    const badNode = await page({ node: 'no-such-node', speed: '10G' })
    assert.equal(badNode.status, 422)
    assert.deepEqual(badNode.body.errors!.map((e) => e.path), ['node'])
    const wrongPort = await page({ node, speed: '100G', port_name: 'eth1', port_description: 'x' })
    assert.equal(wrongPort.status, 422)
    assert.deepEqual(wrongPort.body.errors!.map((e) => e.path), ['port_name'])
    assert.match(wrongPort.body.errors![0].message, /not a free interface of port-r1 at that speed; choose one of: eth4/)
    const extra = await page({ node, speed: '10G', colour: 'red' })
    assert.equal(extra.status, 422)
    assert.deepEqual(extra.body.errors, [{ path: 'colour', message: 'is not a field of this form' }])
    const half = await api.call<{ errors: { path: string }[] }>('POST', '/api/processes/create_port', { node, speed: '10G' })
    assert.equal(half.status, 422)
    assert.deepEqual(half.body.errors.map((e) => e.path).sort(), ['port_description', 'port_name'])
    assert.equal((await api.get<{ total: number }>('/api/processes?workflow=create_port')).body.total, 0, 'nothing was started')
  })

  test('a port becomes an active subscription on its node; its interface is enabled in DCIM and no longer offered', async () => {
    const started = await api.call<ProcessStartedDto>('POST', '/api/processes/create_port', { node, speed: '10G', port_name: 'eth1', port_description: 'core link to fra-pe1' }, as('alice'))
    assert.equal(started.status, 201, JSON.stringify(started.body))
    const done = await api.waitForProcess(started.body.id, (p) => p.status === 'completed')
    const port = (await api.get<SubscriptionDto>(`/api/subscriptions/${done.subscription_ids[0]}`)).body
    assert.deepEqual([port.product, port.lifecycle, port.insync], ['port_10g', 'active', true])
    assert.deepEqual(port.domain_model, { port: { node, port_name: 'eth1', port_description: 'core link to fra-pe1', enabled: true } })
    const iface = (await api.get<{ items: { interface: string; status: string; enabled: boolean; description: string }[] }>('/api/dcim/devices/port-r1/interfaces')).body.items.find((i) => i.interface === 'eth1')!
    assert.deepEqual([iface.status, iface.enabled, iface.description], ['active', true, 'core link to fra-pe1'])
    assert.deepEqual((await page({ node, speed: '10G' })).body.form!.properties.port_name.enum, ['eth2'])

    // In the Temporal Web UI the process is tagged with the product it made, not the product family.
    const description = await client.workflow.getHandle(started.body.id).describe()
    assert.deepEqual(description.searchAttributes.LoomProduct, ['port_10g'])
    assert.deepEqual(description.searchAttributes.LoomStatus, ['completed'])
    const query = `LoomProduct = "port_10g" AND LoomStatus = "completed" AND WorkflowId = "${started.body.id}"`
    await waitFor(
      async () => {
        for await (const w of client.workflow.list({ query })) if (w.workflowId === started.body.id) return true
        return false
      },
      { timeoutMs: 15_000, describe: () => `Temporal visibility never found ${query}` },
    )
    await recordHistoryIfAsked(started.body.id, 'port', 'create_port')
  })
})
