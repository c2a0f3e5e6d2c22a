// The lifecycle types are checked by the compiler: each @ts-expect-error below must be an error, or the build fails.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { CircuitActive, CircuitInitial } from './circuit/circuit.product.js'
import { productNamed } from './catalog.js'
import type { NodeActive, NodeInitial, NodeProvisioning } from './node/node.model.js'
import type { PortActive, PortInitial } from './port/port.product.js'
import { SAMPLE_MODELS } from './samples.js'
import { asLifecycle } from './typed-model.js'

const initialNode: NodeInitial = { device_name: 'r1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams' }
// @ts-expect-error provisioning requires the addresses
const badProvisioning: NodeProvisioning = { ...initialNode }
const provisioning: NodeProvisioning = { ...initialNode, management_address: '192.0.2.1', loopback_ipv4: '198.51.100.1/32', loopback_ipv6: '2001:db8::1/128' }
// @ts-expect-error active requires the IGP settings
const badActive: NodeActive = { ...provisioning }
// @ts-expect-error igp_protocol is one of the declared values
const badEnum: NodeActive = { ...provisioning, igp_protocol: 'rip', igp_area: '0' }
const port: PortInitial = { node: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b', port_name: 'eth1' }
// @ts-expect-error an active port says whether it is enabled
const badPort: PortActive = { ...port, port_description: 'x' }
const side = { port: '019abd1e-7c1a-7f3e-9a57-000000000001' }
const circuit: CircuitInitial = { side_a: side, side_b: side, igp_metric: 10, mode: 'normal', cable_id: 'c1' }
// @ts-expect-error an active circuit's sides carry their addresses
const badCircuit: CircuitActive = { ...circuit, link_subnet_ipv4: '203.0.113.0/31', link_subnet_ipv6: '2001:db8::/127' }
void [badProvisioning, badActive, badEnum, badPort, badCircuit]

describe('lifecycle-typed models', () => {
  test('asLifecycle hands back a model that satisfies its lifecycle, typed', () => {
    const node = asLifecycle<{ node: NodeActive }>(productNamed('node'), 'active', SAMPLE_MODELS.node)
    assert.equal(node.node.igp_protocol, 'ospf')
    const c = asLifecycle<{ circuit: CircuitActive }>(productNamed('circuit_10g'), 'active', SAMPLE_MODELS.circuit_10g)
    assert.equal(c.circuit.side_b.ipv4_address, '203.0.113.1/31')
  })

  test('and refuses one that does not, naming the fields', () => {
    assert.throws(() => asLifecycle(productNamed('node'), 'provisioning', { node: initialNode }), /node.management_address is missing; node.loopback_ipv4 is missing; node.loopback_ipv6 is missing/)
  })
})
