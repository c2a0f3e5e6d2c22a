import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { PRODUCTS, productNamed } from './catalog.js'
import { SAMPLE_MODELS } from './samples.js'
import { assertDomainModel, domainModelProblems } from './validation.js'

const without = (model: Record<string, unknown>, block: string, ...fields: string[]) => ({
  [block]: Object.fromEntries(Object.entries(model[block] as object).filter(([k]) => !fields.includes(k))),
})

describe('lifecycle validation of domain models', () => {
  for (const product of PRODUCTS) {
    test(`${product.name}: a complete model is valid in every lifecycle`, () => {
      for (const lifecycle of ['initial', 'provisioning', 'active', 'disabled', 'terminated'] as const) {
        assert.deepEqual(domainModelProblems(product, lifecycle, SAMPLE_MODELS[product.name]), [], lifecycle)
      }
    })
  }

  test('node: initial needs only identity; provisioning needs addresses; active needs the IGP settings', () => {
    const node = productNamed('node')
    const initialOnly = without(SAMPLE_MODELS.node, 'node', 'management_address', 'loopback_ipv4', 'loopback_ipv6', 'igp_protocol', 'igp_area')
    assert.deepEqual(domainModelProblems(node, 'initial', initialOnly), [])
    assert.deepEqual(domainModelProblems(node, 'provisioning', initialOnly), ['node.management_address is missing', 'node.loopback_ipv4 is missing', 'node.loopback_ipv6 is missing'])
    const provisioned = without(SAMPLE_MODELS.node, 'node', 'igp_protocol', 'igp_area')
    assert.deepEqual(domainModelProblems(node, 'provisioning', provisioned), [])
    assert.throws(() => assertDomainModel(node, 'active', provisioned), /cannot save a node subscription as active: node.igp_protocol is missing; node.igp_area is missing/)
  })

  test('port and circuit: references and nested sides are checked too', () => {
    assert.deepEqual(domainModelProblems(productNamed('port_10g'), 'initial', { port: { port_name: 'eth1' } }), ['port.node is missing'])
    const circuit = structuredClone(SAMPLE_MODELS.circuit_10g) as { circuit: { side_b: Record<string, unknown> } }
    delete circuit.circuit.side_b.ipv4_address
    assert.deepEqual(domainModelProblems(productNamed('circuit_10g'), 'initial', circuit), [])
    assert.deepEqual(domainModelProblems(productNamed('circuit_10g'), 'provisioning', circuit), ['circuit.side_b.ipv4_address is missing'])
  })

  test('wrong types, unknown fields and foreign blocks are named', () => {
    const model = { circuit: { ...(SAMPLE_MODELS.circuit_10g.circuit as object), igp_metric: 'high', mode: 'fast', link_subnet_ipv4: '203.0.113.0', colour: 'red' }, extra: {} }
    assert.deepEqual(domainModelProblems(productNamed('circuit_10g'), 'initial', model), [
      'circuit.igp_metric must be an integer',
      'circuit.mode must be one of maintenance, normal',
      'circuit.link_subnet_ipv4 must be an IPv4 prefix (a.b.c.d/n)',
      'circuit.colour is not a field of block circuit',
      'extra is not the root block of product circuit_10g (circuit)',
    ])
  })
})
