import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Page, ProductDto } from '#contracts/index.js'
import { apiClient } from '../support/api.js'
import { gatewayOnFreshDatabase } from '../support/gateway.js'

describe('GET /api/products', () => {
  const gateway = gatewayOnFreshDatabase() // its catalogue synced, as at every start
  const api = { get: <T = Record<string, unknown>>(path: string) => apiClient(gateway.url).get<T>(path) }

  test('lists the catalogue in the list shape, filtered by tag', async () => {
    const all = await api.get<Page<ProductDto>>('/api/products')
    assert.equal(all.status, 200)
    assert.equal(all.body.total, 5)
    assert.equal(all.body.next_cursor, null)
    const ports = await api.get<Page<ProductDto>>('/api/products?tag=PORT')
    assert.deepEqual(ports.body.items.map((p) => [p.name, p.fixed_inputs.speed]), [['port_100g', '100G'], ['port_10g', '10G']])
  })

  test('one product by name or id: its blocks, typed fields, references and workflows', async () => {
    const node = await api.get<ProductDto>('/api/products/node')
    assert.equal(node.status, 200)
    assert.deepEqual(node.body.workflows, ['create_node', 'drain_node', 'modify_node', 'restore_node', 'terminate_node', 'validate_node'])
    const loopback = node.body.product_blocks[0].resource_types.find((r) => r.name === 'loopback_ipv4')
    assert.deepEqual(loopback, { name: 'loopback_ipv4', type: 'ipv4_prefix', description: 'IPv4 loopback, also the IGP router id', required_from: 'provisioning', choices: null, refers_to: null })

    const circuit = await api.get<ProductDto>('/api/products/circuit_10g')
    assert.deepEqual(circuit.body.product_blocks.map((b) => b.name), ['circuit', 'circuit_side'])
    const mode = circuit.body.product_blocks[0].resource_types.find((r) => r.name === 'mode')
    assert.deepEqual(mode?.choices, ['maintenance', 'normal'])
    assert.equal(circuit.body.product_blocks[1].resource_types.find((r) => r.name === 'port')?.refers_to, 'port')

    const byId = await api.get<ProductDto>(`/api/products/${circuit.body.id}`)
    assert.deepEqual(byId.body, circuit.body)
  })

  test('an unknown product is 404', async () => {
    const res = await api.get('/api/products/teleporter')
    assert.equal(res.status, 404)
    assert.match(String(res.body.detail), /No product "teleporter"/)
  })
})
