// The data contract of rendered configuration: what a node's base configuration and a link's interface
// configuration need, whatever the vendor. Checked before any template runs, so a template never sees a bad
// value and a refusal names the field. Pure (zod only): workflow code renders configuration.
import ipaddr from 'ipaddr.js'
import { z } from 'zod'
import { DomainError } from '../errors.js'

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const INTERFACE = /^[A-Za-z0-9][A-Za-z0-9_./:-]{0,63}$/
const DOTTED = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/
/** Free text that goes into a configuration line: no quotes, no line breaks, nothing a CLI would parse. */
const TEXT = /^[^"'\n\r;{}#!\\]*$/

/** IPv6 as devices print it (RFC 5952: 2001:db8::/127, not 2001:db8:0::0/127), so that re-applying diffs clean. */
const canonical6 = (prefix: string) => {
  const [address, length] = prefix.split('/')
  return `${ipaddr.IPv6.parse(address).toRFC5952String()}/${length}`
}
const prefix6 = z.cidrv6().transform(canonical6)
const hostPrefix4 = z.cidrv4().refine((p) => p.endsWith('/32'), 'must be a /32')
const hostPrefix6 = z.cidrv6().refine((p) => p.endsWith('/128'), 'must be a /128').transform(canonical6)
const ospfArea = z.string().regex(DOTTED, 'must be dotted, like 0.0.0.0')

export const nodeConfigData = z.object({
  hostname: z.string().regex(HOSTNAME, 'is not a valid hostname'),
  site: z.string().regex(TEXT, 'has characters a configuration line cannot hold').max(64),
  role: z.string().regex(TEXT, 'has characters a configuration line cannot hold').max(32),
  loopback_ipv4: hostPrefix4,
  loopback_ipv6: hostPrefix6,
  /** the out-of-band management interface and its address with prefix length, if the configuration sets it */
  management: z.object({ interface: z.string().regex(INTERFACE, 'is not an interface name'), address: z.cidrv4() }).optional(),
  igp: z.object({
    protocol: z.literal('ospf'),
    area: ospfArea,
    /** sub-second SPF and LSA throttling: for labs and for networks that want convergence over stability */
    fast_convergence: z.boolean().default(false),
  }),
})
export type NodeConfigData = z.input<typeof nodeConfigData>

/** OSPF's highest interface cost: a link in maintenance still works but carries traffic only as a last resort. */
export const MAINTENANCE_METRIC = 65535

export const linkConfigData = z.object({
  interface: z.string().regex(INTERFACE, 'is not an interface name'),
  description: z.string().regex(TEXT, 'has characters a configuration line cannot hold').max(200),
  /** this side's address with the link's prefix length, e.g. 10.0.0.0/31 */
  ipv4_address: z.cidrv4(),
  ipv6_address: prefix6,
  mtu: z.number().int().min(1280).max(9216).optional(),
  igp: z.object({
    area: ospfArea,
    metric: z.number().int().min(1).max(MAINTENANCE_METRIC - 1),
    /** maintenance: the metric becomes MAINTENANCE_METRIC, so traffic drains before work on the link */
    mode: z.enum(['normal', 'maintenance']),
    hello_interval: z.number().int().min(1).max(65535).optional(),
    dead_interval: z.number().int().min(1).max(65535).optional(),
  }),
})
export type LinkConfigData = z.input<typeof linkConfigData>

/** Parses `data` against `schema`, or refuses with every problem named by its field path. */
export function checked<S extends z.ZodType>(what: string, schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(the data)'} ${i.message}`)
  throw new DomainError(`${what} cannot be rendered: ${problems.join('; ')}`)
}

/** A router Loom no longer manages: it keeps its name (DCIM still knows it), nothing else Loom rendered. */
export const decommissionedConfigData = z.object({
  hostname: z.string().regex(HOSTNAME, 'is not a valid hostname'),
})
export type DecommissionedConfigData = z.input<typeof decommissionedConfigData>
export type DecommissionedConfig = z.output<typeof decommissionedConfigData>

export type NodeConfig = z.output<typeof nodeConfigData>
export type LinkConfig = z.output<typeof linkConfigData>

export const effectiveMetric = (igp: LinkConfig['igp']) => effectiveCost({ mode: igp.mode, igp_metric: igp.metric })

/** The IGP cost a link in `mode` is configured with. */
export const effectiveCost = (link: { mode: 'normal' | 'maintenance'; igp_metric: number }) => (link.mode === 'maintenance' ? MAINTENANCE_METRIC : link.igp_metric)

/** `10.0.0.1/31` → address and length. */
export function splitPrefix(prefix: string): { address: string; length: number } {
  const [address, length] = prefix.split('/')
  return { address: address, length: Number(length) }
}

/** A dotted netmask for an IPv4 prefix length (IOS-XR writes masks). */
export function netmask(length: number): string {
  const bits = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.')
}
