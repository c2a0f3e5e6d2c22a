// A complete domain model per workshop product: for tests, benchmarks and documentation examples.
export const SAMPLE_MODELS: Record<string, Record<string, unknown>> = {
  node: {
    node: {
      device_name: 'ams-pe1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams',
      management_address: '192.0.2.11', loopback_ipv4: '198.51.100.1/32', loopback_ipv6: '2001:db8::1/128',
      igp_protocol: 'ospf', igp_area: '0.0.0.0',
    },
  },
  port_10g: { port: { node: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b', port_name: 'eth1', port_description: 'core link to fra-pe1', enabled: true } },
  port_100g: { port: { node: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b', port_name: 'eth9', port_description: 'core link to lon-pe1', enabled: true } },
  circuit_10g: {
    circuit: {
      side_a: { port: '019abd1e-7c1a-7f3e-9a57-000000000001', ipv4_address: '203.0.113.0/31', ipv6_address: '2001:db8:1::/127' },
      side_b: { port: '019abd1e-7c1a-7f3e-9a57-000000000002', ipv4_address: '203.0.113.1/31', ipv6_address: '2001:db8:1::1/127' },
      igp_metric: 100, mode: 'maintenance', link_subnet_ipv4: '203.0.113.0/31', link_subnet_ipv6: '2001:db8:1::/127',
    },
  },
  circuit_100g: {
    circuit: {
      side_a: { port: '019abd1e-7c1a-7f3e-9a57-000000000003', ipv4_address: '203.0.113.2/31', ipv6_address: '2001:db8:1::2/127' },
      side_b: { port: '019abd1e-7c1a-7f3e-9a57-000000000004', ipv4_address: '203.0.113.3/31', ipv6_address: '2001:db8:1::3/127' },
      igp_metric: 10, mode: 'normal', link_subnet_ipv4: '203.0.113.2/31', link_subnet_ipv6: '2001:db8:1::2/127',
    },
  },
}
