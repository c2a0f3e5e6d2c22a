import { isAbsolute, resolve } from 'node:path'
import ipaddr from 'ipaddr.js'
import { z } from 'zod'

/**
 * Loom's whole configuration, read from the environment once at start-up.
 * Every variable is listed in the README; defaults are the embedded ones.
 */
export interface LoomConfig {
  httpPort: number
  /** the address the gateway listens on (LOOM_HTTP_HOST; 127.0.0.1 by default, so that `npm start` is not on the network) */
  httpHost: string
  auth: AuthConfig
  temporalPort: number
  temporalUiPort: number
  /** absolute path of LOOM_DATA_DIR */
  dataDir: string
  /** undefined: `npm start` runs an embedded PostgreSQL under the data dir */
  databaseUrl: string | undefined
  embeddedPostgresPort: number
  /** undefined: `npm start` runs a Temporal dev server */
  temporalAddress: string | undefined
  temporalCli: string | undefined
  namespace: string
  taskQueue: string
  /** how the gateway and workers authenticate to Temporal and protect what they send it */
  temporalSecurity: TemporalSecurityConfig
  /** base URL of the Temporal Web UI, for links; undefined when unknown */
  temporalUiUrl: string | undefined
  /** how other systems reach the gateway: the base of callback URLs (LOOM_PUBLIC_URL, default http://localhost:<http port>) */
  publicUrl: string
  ipam: 'builtin' | 'netbox'
  dcim: 'builtin' | 'netbox'
  netboxUrl: string | undefined
  netboxToken: string | undefined
  /** NETBOX_ALLOW_HTTP: a NetBox reached over plain http (on this machine), token and all */
  netboxAllowHttp: boolean
  /** where callback steps may send their notice (LOOM_CALLBACK_URL_PREFIXES); empty: nowhere */
  callbackUrlPrefixes: string[]
  logLevel: LogLevel
  /** how many workflows a worker keeps in memory between their tasks (LOOM_WORKER_CACHED_WORKFLOWS); undefined: the SDK's default, from the memory it has */
  workerCachedWorkflows: number | undefined
  /** the customer id that start forms propose */
  defaultCustomerId: string
  /** LOOM_DEMO_FLEET: a demo fleet the launcher loads into the built-in DCIM (acme: seed 003's 848 devices); undefined: none */
  demoFleet: 'acme' | undefined
  devices: DeviceAccessConfig
  oss: OssConfig
}

/** TLS (or mTLS) and an API key for the Temporal connection; the keys that encrypt every payload. */
export interface TemporalSecurityConfig {
  /** TLS on when any of these is set: the CA that signed the server's certificate, the client's certificate and key (mTLS) */
  tls?: { ca?: string; cert?: string; key?: string; serverName?: string }
  /** a reference (env:NAME or file:/path) to a Temporal Cloud API key */
  apiKey?: string
  /** a reference to the payload keys (`<id>=<base64 of 32 bytes>` per line, the first encrypts); unset: payloads are not encrypted */
  payloadKeys?: string
}

/** Who may call the API, and how much (README, Security). */
export interface AuthConfig {
  /** LOOM_AUTH=off: every caller is an administrator — for experiments on loopback only */
  enabled: boolean
  /** requests per minute one caller may send (LOOM_RATE_LIMIT); 0: no limit */
  rateLimitPerMinute: number
  /** the shortest interval a schedule may run at, in seconds (LOOM_SCHEDULE_MIN_SECONDS) */
  scheduleMinSeconds: number
  /** OIDC bearer tokens are accepted when an issuer is set; `tenantsClaim` names a claim whose values are tenant ids */
  oidc?: { issuer: string; audience: string; userClaim: string; rolesClaim: string; tenantsClaim?: string }
  /** LOOM_UNASSIGNED_CALLERS: a caller in no tenant acts in `default`, or is refused every tenant-scoped route; unset: default */
  unassignedCallers?: 'default' | 'refuse'
}

/**
 * The OSS/BSS hooks (docs/oss-bss.md): where notifications go, the change-ticket webhook and the customer source.
 * Secrets are references (env:NAME or file:/path), resolved only inside activities.
 */
export interface OssConfig {
  /** LOOM_SMTP_*: notifications by e-mail through this relay; undefined: none */
  smtp: { url: string; from: string; username: string | undefined; credentials: string | undefined } | undefined
  /** LOOM_NOTIFY_WEBHOOK_*: notifications POSTed as JSON instead of mailed; undefined: none */
  notifyWebhook: { url: string; secret: string | undefined } | undefined
  /** LOOM_NOTIFY_TEMPLATES: an absolute folder of <template>.txt files; undefined: the templates Loom ships */
  templatesDir: string | undefined
  /** LOOM_TICKET_WEBHOOK_*: the change-ticket system; undefined: ticket steps are skipped */
  ticketWebhook: { url: string; secret: string } | undefined
  /** LOOM_CUSTOMERS(_URL): where customer ids are resolved */
  customers: { source: 'builtin'; url: undefined } | { source: 'webhook'; url: string }
}

/** How workers reach devices to configure them. */
export interface DeviceAccessConfig {
  driver: 'manual' | 'frr' | 'simulator'
  username: string
  /** a reference (env:NAME or file:/path), resolved only inside activities */
  credentials: string | undefined
  knownHosts: string | undefined
  /** LOOM_DEVICE_HOST_KEYS: every host key is checked against knownHosts, or (tofu) a device's first key is recorded and kept to */
  hostKeys: 'known_hosts' | 'tofu'
  /** LOOM_MANAGEMENT_PREFIXES: the networks (CIDR) a device's management address must lie in; empty: any address */
  managementPrefixes: string[]
  sshPort: number
  simulator: { seed: number; latencyMs: [number, number]; failureRate: number }
  /** LOOM_FLEET_SIMULATOR_URL: the OS-upgrade simulator (fleet-simulator.ts) the fleet task upgrade-os drives */
  fleetSimulatorUrl?: string
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const port = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a TCP port number (1-65535)')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, 'expected a TCP port number (1-65535)')
    .optional()
    .transform((n) => n ?? fallback)

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s ? s : undefined))

const url = (protocols: string[]) =>
  optionalText.refine(
    (s) => s === undefined || (URL.canParse(s) && protocols.includes(new URL(s).protocol)),
    `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  )

const secretReference = optionalText.refine((s) => s === undefined || /^(env|file):.+$/.test(s), 'expected a reference, env:NAME or file:/path — never the secret itself')

const hostPort = optionalText.refine(
  (s) => s === undefined || /^[^\s:/]+:\d{1,5}$/.test(s) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(s),
  'expected host:port, e.g. temporal.example.net:7233',
)

const name = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"')
    .optional()
    .transform((s) => s ?? fallback)

const backend = z
  .enum(['builtin', 'netbox'], { error: 'expected "builtin" or "netbox"' })
  .optional()
  .transform((s) => s ?? 'builtin')

const envSchema = z
  .object({
    LOOM_HTTP_PORT: port(3000),
    LOOM_TEMPORAL_PORT: port(7233),
    LOOM_TEMPORAL_UI_PORT: port(8233),
    LOOM_POSTGRES_PORT: port(5433),
    LOOM_DATA_DIR: optionalText,
    DATABASE_URL: url(['postgresql:', 'postgres:']),
    TEMPORAL_ADDRESS: hostPort,
    TEMPORAL_CLI: optionalText,
    LOOM_TEMPORAL_NAMESPACE: name('default'),
    LOOM_TASK_QUEUE: name('loom'),
    LOOM_TEMPORAL_UI_URL: url(['http:', 'https:']),
    LOOM_PUBLIC_URL: url(['http:', 'https:']),
    LOOM_IPAM: backend,
    LOOM_DCIM: backend,
    NETBOX_URL: url(['http:', 'https:']),
    NETBOX_TOKEN: optionalText,
    LOOM_WORKER_CACHED_WORKFLOWS: z.string().trim().regex(/^\d+$/, 'expected a whole number, e.g. 500').transform(Number).optional(),
    LOOM_DEFAULT_CUSTOMER_ID: z
      .string()
      .trim()
      .min(1)
      .max(100, 'expected at most 100 characters')
      .optional()
      .transform((s) => s ?? 'acme'),
    LOOM_DEMO_FLEET: z.enum(['acme'], { error: 'expected "acme" (the ACME network of seed 003)' }).optional(),
    LOOM_LOG_LEVEL: z
      .enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` })
      .optional()
      .transform((s) => s ?? 'info'),
    LOOM_DEVICE_DRIVER: z
      .enum(['manual', 'frr', 'simulator'], { error: 'expected "manual", "frr" or "simulator"' })
      .optional()
      .transform((s) => s ?? 'manual'),
    LOOM_DEVICE_USERNAME: name('loom'),
    LOOM_DEVICE_CREDENTIALS: secretReference,
    LOOM_DEVICE_KNOWN_HOSTS: optionalText,
    LOOM_DEVICE_HOST_KEYS: z
      .enum(['known_hosts', 'tofu'], { error: 'expected "known_hosts" or "tofu"' })
      .optional()
      .transform((s) => s ?? 'known_hosts'),
    LOOM_MANAGEMENT_PREFIXES: z
      .string()
      .optional()
      .transform((s) => (s ?? '').split(',').map((p) => p.trim()).filter(Boolean))
      .superRefine((prefixes, ctx) => {
        for (const p of prefixes) if (!isNetworkPrefix(p)) ctx.addIssue({ code: 'custom', message: `expected comma-separated networks in CIDR notation, e.g. 10.0.0.0/16,2001:db8::/48 (host bits zero): ${JSON.stringify(p)} is not one` })
      }),
    LOOM_DEVICE_SSH_PORT: port(22),
    LOOM_SIMULATOR_SEED: z.string().trim().regex(/^\d+$/, 'expected a whole number').transform(Number).optional().transform((n) => n ?? 1),
    LOOM_SIMULATOR_LATENCY_MS: z
      .string()
      .trim()
      .regex(/^\d+,\d+$/, 'expected min,max in milliseconds, e.g. 20,200')
      .transform((s) => s.split(',').map(Number) as [number, number])
      .refine(([min, max]) => min <= max, 'expected min ≤ max')
      .optional()
      .transform((r) => r ?? ([0, 0] as [number, number])),
    LOOM_SIMULATOR_FAILURE_RATE: z
      .string()
      .trim()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a share between 0 and 1, e.g. 0.05')
      .transform(Number)
      .optional()
      .transform((n) => n ?? 0),
    LOOM_FLEET_SIMULATOR_URL: url(['http:', 'https:']),
    LOOM_SMTP_URL: url(['smtp:', 'smtps:']).refine((s) => s === undefined || !new URL(s).password, 'expected no password in the URL: give it by reference in LOOM_SMTP_CREDENTIALS'),
    LOOM_SMTP_FROM: optionalText.refine((s) => s === undefined || /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(s), 'expected an address, e.g. loom@example.net or "Loom <loom@example.net>"'),
    LOOM_SMTP_USERNAME: optionalText,
    LOOM_SMTP_CREDENTIALS: secretReference,
    LOOM_NOTIFY_WEBHOOK_URL: url(['http:', 'https:']),
    LOOM_NOTIFY_WEBHOOK_SECRET: secretReference,
    LOOM_NOTIFY_TEMPLATES: optionalText,
    LOOM_TICKET_WEBHOOK_URL: url(['http:', 'https:']),
    LOOM_TICKET_WEBHOOK_SECRET: secretReference,
    LOOM_CUSTOMERS: z
      .enum(['builtin', 'webhook'], { error: 'expected "builtin" or "webhook"' })
      .optional()
      .transform((s) => s ?? 'builtin'),
    LOOM_CUSTOMERS_URL: url(['http:', 'https:']),
    LOOM_HTTP_HOST: z.string().trim().optional().transform((s) => s ?? '127.0.0.1'),
    NETBOX_ALLOW_HTTP: z
      .enum(['true', 'false'], { error: 'expected "true" or "false"' })
      .optional()
      .transform((s) => s === 'true'),
    LOOM_CALLBACK_URL_PREFIXES: optionalText.transform((s) =>
      (s ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
    LOOM_AUTH: z
      .enum(['on', 'off'], { error: 'expected "on" or "off"' })
      .optional()
      .transform((s) => s ?? 'on'),
    LOOM_RATE_LIMIT: z.string().trim().regex(/^\d{1,7}$/, 'expected requests per minute per caller, a whole number (0: no limit)').transform(Number).optional().transform((n) => n ?? 600),
    LOOM_SCHEDULE_MIN_SECONDS: z.string().trim().regex(/^[1-9]\d{0,6}$/, 'expected a whole number of seconds, at least 1').transform(Number).optional().transform((n) => n ?? 60),
    LOOM_UNASSIGNED_CALLERS: z
      .enum(['default', 'refuse'], { error: 'expected "default" or "refuse"' })
      .optional()
      .transform((s) => s ?? 'default'),
    TEMPORAL_TLS_CA: optionalText,
    TEMPORAL_TLS_CERT: optionalText,
    TEMPORAL_TLS_KEY: optionalText,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    TEMPORAL_API_KEY: secretReference,
    LOOM_PAYLOAD_KEYS: secretReference,
    LOOM_OIDC_ISSUER: url(['http:', 'https:']),
    LOOM_OIDC_AUDIENCE: optionalText,
    LOOM_OIDC_USER_CLAIM: name('sub'),
    LOOM_OIDC_ROLES_CLAIM: name('groups'),
    LOOM_OIDC_TENANTS_CLAIM: optionalText,
  })
  .superRefine((env, ctx) => {
    const usesNetbox = env.LOOM_IPAM === 'netbox' || env.LOOM_DCIM === 'netbox'
    if (usesNetbox && !env.NETBOX_URL)
      ctx.addIssue({ code: 'custom', path: ['NETBOX_URL'], message: 'required when LOOM_IPAM or LOOM_DCIM is "netbox"' })
    if (usesNetbox && !env.NETBOX_TOKEN)
      ctx.addIssue({ code: 'custom', path: ['NETBOX_TOKEN'], message: 'required when LOOM_IPAM or LOOM_DCIM is "netbox"' })
    if (env.LOOM_DEVICE_DRIVER === 'frr' && !env.LOOM_DEVICE_CREDENTIALS)
      ctx.addIssue({ code: 'custom', path: ['LOOM_DEVICE_CREDENTIALS'], message: 'required when LOOM_DEVICE_DRIVER is "frr" (e.g. file:/etc/loom/device_key)' })
    if (env.LOOM_DEVICE_DRIVER === 'frr' && !env.LOOM_DEVICE_KNOWN_HOSTS && env.LOOM_DEVICE_HOST_KEYS !== 'tofu')
      ctx.addIssue({
        code: 'custom',
        path: ['LOOM_DEVICE_KNOWN_HOSTS'],
        message: 'required when LOOM_DEVICE_DRIVER is "frr": the routers\' SSH host keys, in known_hosts format (e.g. a file written by ssh-keyscan), so that no credential goes to a host that is not the router; or LOOM_DEVICE_HOST_KEYS=tofu to trust each router\'s first key',
      })
    if (env.LOOM_SMTP_URL && !env.LOOM_SMTP_FROM) ctx.addIssue({ code: 'custom', path: ['LOOM_SMTP_FROM'], message: 'required when LOOM_SMTP_URL is set (the sender, e.g. loom@example.net)' })
    if (env.LOOM_SMTP_CREDENTIALS && !env.LOOM_SMTP_USERNAME) ctx.addIssue({ code: 'custom', path: ['LOOM_SMTP_USERNAME'], message: 'required when LOOM_SMTP_CREDENTIALS is set (the login at the relay)' })
    if (env.LOOM_SMTP_URL && env.LOOM_NOTIFY_WEBHOOK_URL)
      ctx.addIssue({ code: 'custom', path: ['LOOM_NOTIFY_WEBHOOK_URL'], message: 'set either LOOM_SMTP_URL (e-mail) or LOOM_NOTIFY_WEBHOOK_URL (a webhook) for notifications, not both' })
    if (env.LOOM_TICKET_WEBHOOK_URL && !env.LOOM_TICKET_WEBHOOK_SECRET)
      ctx.addIssue({ code: 'custom', path: ['LOOM_TICKET_WEBHOOK_SECRET'], message: 'required when LOOM_TICKET_WEBHOOK_URL is set: every delivery is signed (e.g. env:TICKET_HMAC_KEY)' })
    if (!env.TEMPORAL_TLS_CERT !== !env.TEMPORAL_TLS_KEY)
      ctx.addIssue({ code: 'custom', path: [env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'], message: 'mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY' })
    if (env.NETBOX_URL?.startsWith('http:') && !env.NETBOX_ALLOW_HTTP)
      ctx.addIssue({ code: 'custom', path: ['NETBOX_URL'], message: 'must be https: the API token travels with every request (set NETBOX_ALLOW_HTTP=true for a NetBox on this machine)' })
    if (env.LOOM_CALLBACK_URL_PREFIXES.some((p) => !/^https?:\/\/[^/]+/.test(p)))
      ctx.addIssue({ code: 'custom', path: ['LOOM_CALLBACK_URL_PREFIXES'], message: 'expected URL prefixes, e.g. https://carrier.example.net/orders,http://10.0.0.5:8080/' })
    if (env.LOOM_OIDC_ISSUER && !env.LOOM_OIDC_AUDIENCE)
      ctx.addIssue({ code: 'custom', path: ['LOOM_OIDC_AUDIENCE'], message: 'required when LOOM_OIDC_ISSUER is set: the audience of the tokens issued for Loom (e.g. loom-api)' })
    if (env.LOOM_AUTH === 'off' && !isLoopback(env.LOOM_HTTP_HOST))
      ctx.addIssue({ code: 'custom', path: ['LOOM_AUTH'], message: `"off" is refused unless the gateway listens on loopback only (LOOM_HTTP_HOST is ${env.LOOM_HTTP_HOST})` })
    if (env.LOOM_DEMO_FLEET && env.LOOM_DCIM === 'netbox')
      ctx.addIssue({ code: 'custom', path: ['LOOM_DEMO_FLEET'], message: 'loads the built-in DCIM, which is not in use when LOOM_DCIM is "netbox"' })
    if (env.LOOM_CUSTOMERS === 'webhook' && !env.LOOM_CUSTOMERS_URL) ctx.addIssue({ code: 'custom', path: ['LOOM_CUSTOMERS_URL'], message: 'required when LOOM_CUSTOMERS is "webhook"' })
  })

/** Variables whose value an error message must never repeat. */
const SECRET_VARIABLES = new Set(['TEMPORAL_API_KEY', 'LOOM_PAYLOAD_KEYS', 'NETBOX_TOKEN', 'LOOM_DEVICE_CREDENTIALS', 'DATABASE_URL', 'LOOM_SMTP_URL', 'LOOM_SMTP_CREDENTIALS', 'LOOM_NOTIFY_WEBHOOK_SECRET', 'LOOM_TICKET_WEBHOOK_SECRET'])

/** Reads and checks the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoomConfig {
  const parsed = envSchema.safeParse(pickDefined(env))
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0])
        const given = env[variable]
        return `${variable}: ${issue.message}${given === undefined || SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(given)})`}`
      }),
    )
  }
  const e = parsed.data
  const dataDir = e.LOOM_DATA_DIR ?? '.loom'
  return {
    httpPort: e.LOOM_HTTP_PORT,
    httpHost: e.LOOM_HTTP_HOST,
    auth: {
      enabled: e.LOOM_AUTH === 'on',
      rateLimitPerMinute: e.LOOM_RATE_LIMIT,
      scheduleMinSeconds: e.LOOM_SCHEDULE_MIN_SECONDS,
      unassignedCallers: e.LOOM_UNASSIGNED_CALLERS,
      oidc: e.LOOM_OIDC_ISSUER
        ? {
            issuer: e.LOOM_OIDC_ISSUER,
            audience: e.LOOM_OIDC_AUDIENCE!,
            userClaim: e.LOOM_OIDC_USER_CLAIM,
            rolesClaim: e.LOOM_OIDC_ROLES_CLAIM,
            ...(e.LOOM_OIDC_TENANTS_CLAIM ? { tenantsClaim: e.LOOM_OIDC_TENANTS_CLAIM } : {}),
          }
        : undefined,
    },
    temporalPort: e.LOOM_TEMPORAL_PORT,
    temporalUiPort: e.LOOM_TEMPORAL_UI_PORT,
    embeddedPostgresPort: e.LOOM_POSTGRES_PORT,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalCli: e.TEMPORAL_CLI,
    namespace: e.LOOM_TEMPORAL_NAMESPACE,
    taskQueue: e.LOOM_TASK_QUEUE,
    temporalSecurity: {
      tls:
        e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_SERVER_NAME
          ? { ca: e.TEMPORAL_TLS_CA, cert: e.TEMPORAL_TLS_CERT, key: e.TEMPORAL_TLS_KEY, serverName: e.TEMPORAL_TLS_SERVER_NAME }
          : undefined,
      apiKey: e.TEMPORAL_API_KEY,
      payloadKeys: e.LOOM_PAYLOAD_KEYS,
    },
    temporalUiUrl: e.LOOM_TEMPORAL_UI_URL?.replace(/\/+$/, ''),
    publicUrl: (e.LOOM_PUBLIC_URL ?? `http://localhost:${e.LOOM_HTTP_PORT}`).replace(/\/+$/, ''),
    ipam: e.LOOM_IPAM,
    dcim: e.LOOM_DCIM,
    netboxUrl: e.NETBOX_URL,
    netboxToken: e.NETBOX_TOKEN,
    netboxAllowHttp: e.NETBOX_ALLOW_HTTP,
    callbackUrlPrefixes: e.LOOM_CALLBACK_URL_PREFIXES,
    logLevel: e.LOOM_LOG_LEVEL,
    workerCachedWorkflows: e.LOOM_WORKER_CACHED_WORKFLOWS,
    defaultCustomerId: e.LOOM_DEFAULT_CUSTOMER_ID,
    demoFleet: e.LOOM_DEMO_FLEET,
    devices: {
      driver: e.LOOM_DEVICE_DRIVER,
      username: e.LOOM_DEVICE_USERNAME,
      credentials: e.LOOM_DEVICE_CREDENTIALS,
      knownHosts: e.LOOM_DEVICE_KNOWN_HOSTS,
      hostKeys: e.LOOM_DEVICE_HOST_KEYS,
      managementPrefixes: e.LOOM_MANAGEMENT_PREFIXES,
      sshPort: e.LOOM_DEVICE_SSH_PORT,
      simulator: { seed: e.LOOM_SIMULATOR_SEED, latencyMs: e.LOOM_SIMULATOR_LATENCY_MS, failureRate: e.LOOM_SIMULATOR_FAILURE_RATE },
      fleetSimulatorUrl: e.LOOM_FLEET_SIMULATOR_URL,
    },
    oss: {
      smtp: e.LOOM_SMTP_URL ? { url: e.LOOM_SMTP_URL, from: e.LOOM_SMTP_FROM!, username: e.LOOM_SMTP_USERNAME, credentials: e.LOOM_SMTP_CREDENTIALS } : undefined,
      notifyWebhook: e.LOOM_NOTIFY_WEBHOOK_URL ? { url: e.LOOM_NOTIFY_WEBHOOK_URL, secret: e.LOOM_NOTIFY_WEBHOOK_SECRET } : undefined,
      templatesDir: e.LOOM_NOTIFY_TEMPLATES === undefined ? undefined : isAbsolute(e.LOOM_NOTIFY_TEMPLATES) ? e.LOOM_NOTIFY_TEMPLATES : resolve(cwd, e.LOOM_NOTIFY_TEMPLATES),
      ticketWebhook: e.LOOM_TICKET_WEBHOOK_URL ? { url: e.LOOM_TICKET_WEBHOOK_URL, secret: e.LOOM_TICKET_WEBHOOK_SECRET! } : undefined,
      customers: e.LOOM_CUSTOMERS === 'webhook' ? { source: 'webhook', url: e.LOOM_CUSTOMERS_URL!.replace(/\/+$/, '') } : { source: 'builtin', url: undefined },
    },
  }
}

/** Whether an address to listen on is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** A network in CIDR notation with its host bits zero (10.0.0.0/16, 2001:db8::/48). */
function isNetworkPrefix(cidr: string): boolean {
  if (!ipaddr.isValidCIDR(cidr)) return false
  const [address] = ipaddr.parseCIDR(cidr)
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr)
  return network.toString() === address.toString()
}

/** The address the gateway and workers use: TEMPORAL_ADDRESS, or the dev server npm start runs. */
export function temporalAddressOf(config: LoomConfig): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`
}

/** Empty variables count as unset, as in most shells' `VAR= cmd`. */
function pickDefined(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v
  return out
}

/** Turns a config back into the environment a child process reads (the launcher's children). */
export function configToEnv(config: LoomConfig): Record<string, string> {
  const env: Record<string, string | undefined> = {
    LOOM_HTTP_PORT: String(config.httpPort),
    LOOM_HTTP_HOST: config.httpHost,
    LOOM_AUTH: config.auth.enabled ? 'on' : 'off',
    LOOM_RATE_LIMIT: String(config.auth.rateLimitPerMinute),
    LOOM_SCHEDULE_MIN_SECONDS: String(config.auth.scheduleMinSeconds),
    LOOM_OIDC_ISSUER: config.auth.oidc?.issuer,
    LOOM_OIDC_AUDIENCE: config.auth.oidc?.audience,
    LOOM_OIDC_USER_CLAIM: config.auth.oidc?.userClaim,
    LOOM_OIDC_ROLES_CLAIM: config.auth.oidc?.rolesClaim,
    LOOM_OIDC_TENANTS_CLAIM: config.auth.oidc?.tenantsClaim,
    LOOM_UNASSIGNED_CALLERS: config.auth.unassignedCallers,
    LOOM_TEMPORAL_PORT: String(config.temporalPort),
    LOOM_TEMPORAL_UI_PORT: String(config.temporalUiPort),
    LOOM_POSTGRES_PORT: String(config.embeddedPostgresPort),
    LOOM_DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl,
    TEMPORAL_ADDRESS: config.temporalAddress,
    TEMPORAL_CLI: config.temporalCli,
    LOOM_TEMPORAL_NAMESPACE: config.namespace,
    LOOM_TASK_QUEUE: config.taskQueue,
    TEMPORAL_TLS_CA: config.temporalSecurity.tls?.ca,
    TEMPORAL_TLS_CERT: config.temporalSecurity.tls?.cert,
    TEMPORAL_TLS_KEY: config.temporalSecurity.tls?.key,
    TEMPORAL_TLS_SERVER_NAME: config.temporalSecurity.tls?.serverName,
    TEMPORAL_API_KEY: config.temporalSecurity.apiKey,
    LOOM_PAYLOAD_KEYS: config.temporalSecurity.payloadKeys,
    LOOM_TEMPORAL_UI_URL: config.temporalUiUrl,
    LOOM_PUBLIC_URL: config.publicUrl,
    LOOM_IPAM: config.ipam,
    LOOM_DCIM: config.dcim,
    NETBOX_URL: config.netboxUrl,
    NETBOX_TOKEN: config.netboxToken,
    NETBOX_ALLOW_HTTP: config.netboxAllowHttp ? 'true' : undefined,
    LOOM_CALLBACK_URL_PREFIXES: config.callbackUrlPrefixes.length ? config.callbackUrlPrefixes.join(',') : undefined,
    LOOM_LOG_LEVEL: config.logLevel,
    LOOM_WORKER_CACHED_WORKFLOWS: config.workerCachedWorkflows === undefined ? undefined : String(config.workerCachedWorkflows),
    LOOM_DEFAULT_CUSTOMER_ID: config.defaultCustomerId,
    LOOM_DEMO_FLEET: config.demoFleet,
    LOOM_DEVICE_DRIVER: config.devices.driver,
    LOOM_DEVICE_USERNAME: config.devices.username,
    LOOM_DEVICE_CREDENTIALS: config.devices.credentials,
    LOOM_DEVICE_KNOWN_HOSTS: config.devices.knownHosts,
    LOOM_DEVICE_HOST_KEYS: config.devices.hostKeys,
    LOOM_MANAGEMENT_PREFIXES: config.devices.managementPrefixes.length ? config.devices.managementPrefixes.join(',') : undefined,
    LOOM_DEVICE_SSH_PORT: String(config.devices.sshPort),
    LOOM_SIMULATOR_SEED: String(config.devices.simulator.seed),
    LOOM_SIMULATOR_LATENCY_MS: config.devices.simulator.latencyMs.join(','),
    LOOM_SIMULATOR_FAILURE_RATE: String(config.devices.simulator.failureRate),
    LOOM_FLEET_SIMULATOR_URL: config.devices.fleetSimulatorUrl,
    LOOM_SMTP_URL: config.oss.smtp?.url,
    LOOM_SMTP_FROM: config.oss.smtp?.from,
    LOOM_SMTP_USERNAME: config.oss.smtp?.username,
    LOOM_SMTP_CREDENTIALS: config.oss.smtp?.credentials,
    LOOM_NOTIFY_WEBHOOK_URL: config.oss.notifyWebhook?.url,
    LOOM_NOTIFY_WEBHOOK_SECRET: config.oss.notifyWebhook?.secret,
    LOOM_NOTIFY_TEMPLATES: config.oss.templatesDir,
    LOOM_TICKET_WEBHOOK_URL: config.oss.ticketWebhook?.url,
    LOOM_TICKET_WEBHOOK_SECRET: config.oss.ticketWebhook?.secret,
    LOOM_CUSTOMERS: config.oss.customers.source,
    LOOM_CUSTOMERS_URL: config.oss.customers.url,
  }
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}
