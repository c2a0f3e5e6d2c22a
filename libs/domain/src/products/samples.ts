// A complete domain model per workshop product: for tests, benchmarks and documentation examples.
// References to other subscriptions are given: a port sits on `node`, circuits join `port_a` and `port_b`.
export interface SampleRefs {
  node: string
  port_a: string
  port_b: string
}

export function sampleModels(refs: SampleRefs): Record<string, Record<string, unknown>> {
  const circuit = (metric: number, mode: string, v4: number, v6: number) => ({
    circuit: {
      side_a: { port: refs.port_a, ipv4_address: `203.0.113.${v4}/31`, ipv6_address: `2001:db8:1::${v6.toString(16)}/127` },
      side_b: { port: refs.port_b, ipv4_address: `203.0.113.${v4 + 1}/31`, ipv6_address: `2001:db8:1::${(v6 + 1).toString(16)}/127` },
      igp_metric: metric,
      mode,
      cable_id: '019abd1e-7c1a-7f3e-9a57-00000000ca01',
      link_subnet_ipv4: `203.0.113.${v4}/31`,
      link_subnet_ipv6: `2001:db8:1::${v6.toString(16)}/127`,
    },
  })
  return {
    node: {
      node: {
        device_name: 'ams-pe1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams',
        management_address: '192.0.2.11', loopback_ipv4: '198.51.100.1/32', loopback_ipv6: '2001:db8::1/128',
        igp_protocol: 'ospf', igp_area: '0.0.0.0',
      },
    },
    port_10g: { port: { node: refs.node, port_name: 'eth1', port_description: 'core link to fra-pe1', enabled: true } },
    port_100g: { port: { node: refs.node, port_name: 'eth9', port_description: 'core link to lon-pe1', enabled: true } },
    circuit_10g: circuit(100, 'maintenance', 0, 0),
    circuit_100g: circuit(10, 'normal', 2, 2),
  }
}

/** Placeholder references, for checks that need no stored subscriptions. */
export const SAMPLE_MODELS = sampleModels({
  node: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b',
  port_a: '019abd1e-7c1a-7f3e-9a57-000000000001',
  port_b: '019abd1e-7c1a-7f3e-9a57-000000000002',
})
