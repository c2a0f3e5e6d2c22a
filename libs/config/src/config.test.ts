import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError, configToEnv, loadConfig } from './config.js'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/loom')
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error.problems
  }
  assert.fail('expected a ConfigError')
}

describe('loadConfig', () => {
  test('an empty environment gives the embedded defaults of DESIGN.md', () => {
    const config = loadConfig({}, '/srv/loom')
    assert.equal(config.httpPort, 3000)
    assert.equal(config.temporalPort, 7233)
    assert.equal(config.temporalUiPort, 8233)
    assert.equal(config.dataDir, '/srv/loom/.loom')
    assert.equal(config.namespace, 'default')
    assert.equal(config.taskQueue, 'loom')
    assert.equal(config.ipam, 'builtin')
    assert.equal(config.dcim, 'builtin')
    assert.equal(config.logLevel, 'info')
    assert.equal(config.databaseUrl, undefined)
    assert.equal(config.temporalAddress, undefined)
  })

  test('each bad variable is named with what was expected and what was given', () => {
    const problems = problemsOf({ LOOM_HTTP_PORT: 'abc', LOOM_TEMPORAL_PORT: '70000', LOOM_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x/y', TEMPORAL_ADDRESS: 'no-port' })
    assert.equal(problems.length, 5)
    assert.match(problems.find((p) => p.startsWith('LOOM_HTTP_PORT:'))!, /TCP port number.*got "abc"/)
    assert.match(problems.find((p) => p.startsWith('LOOM_TEMPORAL_PORT:'))!, /got "70000"/)
    assert.match(problems.find((p) => p.startsWith('LOOM_LOG_LEVEL:'))!, /one of trace, debug, info/)
    assert.match(problems.find((p) => p.startsWith('DATABASE_URL:'))!, /postgresql:\/\//)
    assert.match(problems.find((p) => p.startsWith('TEMPORAL_ADDRESS:'))!, /host:port/)
  })

  test('the error message lists every problem, one per line', () => {
    assert.throws(() => loadConfig({ LOOM_IPAM: 'ldap', LOOM_TASK_QUEUE: 'has space' }), (error: Error) => {
      assert.match(error.message, /^Invalid configuration:\n {2}- /)
      assert.match(error.message, /LOOM_IPAM: expected "builtin" or "netbox" \(got "ldap"\)/)
      assert.match(error.message, /LOOM_TASK_QUEUE: /)
      return true
    })
  })

  test('authentication is on by default on loopback; off is refused unless the gateway listens on loopback only', () => {
    const config = loadConfig({})
    assert.deepEqual([config.httpHost, config.auth.enabled, config.auth.oidc], ['127.0.0.1', true, undefined])
    assert.equal(loadConfig({ LOOM_AUTH: 'off' }).auth.enabled, false)
    assert.deepEqual(problemsOf({ LOOM_AUTH: 'off', LOOM_HTTP_HOST: '0.0.0.0' }), ['LOOM_AUTH: "off" is refused unless the gateway listens on loopback only (LOOM_HTTP_HOST is 0.0.0.0) (got "off")'])
    assert.deepEqual(problemsOf({ LOOM_OIDC_ISSUER: 'https://idp.example.net' }).map((p) => p.split(':')[0]), ['LOOM_OIDC_AUDIENCE'])
    const oidc = loadConfig({ LOOM_OIDC_ISSUER: 'https://idp.example.net', LOOM_OIDC_AUDIENCE: 'loom-api' }).auth.oidc
    assert.deepEqual(oidc, { issuer: 'https://idp.example.net', audience: 'loom-api', userClaim: 'sub', rolesClaim: 'groups' })
  })

  test('the frr driver checks every host key: LOOM_DEVICE_KNOWN_HOSTS is required unless trust on first use is chosen', () => {
    const frr = { LOOM_DEVICE_DRIVER: 'frr', LOOM_DEVICE_CREDENTIALS: 'file:/etc/loom/device_key' }
    const problems = problemsOf(frr)
    assert.equal(problems.length, 1)
    assert.match(problems[0], /^LOOM_DEVICE_KNOWN_HOSTS: required when LOOM_DEVICE_DRIVER is "frr".*LOOM_DEVICE_HOST_KEYS=tofu/)
    assert.equal(loadConfig({ ...frr, LOOM_DEVICE_KNOWN_HOSTS: '/etc/loom/known_hosts' }).devices.hostKeys, 'known_hosts')
    assert.equal(loadConfig({ ...frr, LOOM_DEVICE_HOST_KEYS: 'tofu' }).devices.hostKeys, 'tofu')
    assert.match(problemsOf({ ...frr, LOOM_DEVICE_HOST_KEYS: 'none' }).join('\n'), /LOOM_DEVICE_HOST_KEYS: expected "known_hosts" or "tofu" \(got "none"\)/)
    // The other drivers reach no device over SSH.
    assert.equal(loadConfig({ LOOM_DEVICE_DRIVER: 'simulator' }).devices.knownHosts, undefined)
  })

  test('LOOM_MANAGEMENT_PREFIXES: networks in CIDR notation, IPv4 and IPv6; none by default', () => {
    assert.deepEqual(loadConfig({}).devices.managementPrefixes, [])
    const config = loadConfig({ LOOM_MANAGEMENT_PREFIXES: ' 10.20.0.0/16, 2001:db8:100::/48 ,' })
    assert.deepEqual(config.devices.managementPrefixes, ['10.20.0.0/16', '2001:db8:100::/48'])
    assert.deepEqual(loadConfig(configToEnv(config)).devices, config.devices)
    const problems = problemsOf({ LOOM_MANAGEMENT_PREFIXES: '10.20.0.0/16,10.1.2.3/8,mgmt.example.net,10.0.0.0' })
    assert.equal(problems.length, 3)
    assert.ok(problems.every((p) => p.startsWith('LOOM_MANAGEMENT_PREFIXES: expected comma-separated networks in CIDR notation')))
    assert.match(problems.join('\n'), /"10\.1\.2\.3\/8" is not one/)
  })

  test('the NetBox backend needs its URL and token', () => {
    const problems = problemsOf({ LOOM_DCIM: 'netbox' })
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), ['NETBOX_TOKEN', 'NETBOX_URL'])
    const config = loadConfig({ LOOM_DCIM: 'netbox', NETBOX_URL: 'https://netbox.example.net', NETBOX_TOKEN: 't' })
    assert.equal(config.dcim, 'netbox')
    // The token goes with every request: plain http only when said so.
    assert.deepEqual(problemsOf({ LOOM_DCIM: 'netbox', NETBOX_URL: 'http://netbox.example.net', NETBOX_TOKEN: 't' }).map((p) => p.split(':')[0]), ['NETBOX_URL'])
    assert.equal(loadConfig({ LOOM_DCIM: 'netbox', NETBOX_URL: 'http://127.0.0.1:8000', NETBOX_TOKEN: 't', NETBOX_ALLOW_HTTP: 'true' }).netboxAllowHttp, true)
    assert.deepEqual(loadConfig({ LOOM_CALLBACK_URL_PREFIXES: 'https://carrier.example.net/orders/, http://10.0.0.5:8080/' }).callbackUrlPrefixes, ['https://carrier.example.net/orders/', 'http://10.0.0.5:8080/'])
    assert.deepEqual(problemsOf({ LOOM_CALLBACK_URL_PREFIXES: 'carrier.example.net' }).map((p) => p.split(':')[0]), ['LOOM_CALLBACK_URL_PREFIXES'])
  })

  test('LOOM_DEMO_FLEET: none by default; acme loads the built-in DCIM, so not with NetBox as the DCIM', () => {
    assert.equal(loadConfig({}).demoFleet, undefined)
    const config = loadConfig({ LOOM_DEMO_FLEET: 'acme' })
    assert.equal(config.demoFleet, 'acme')
    assert.deepEqual(loadConfig(configToEnv(config)), config)
    assert.deepEqual(problemsOf({ LOOM_DEMO_FLEET: 'globex' }), ['LOOM_DEMO_FLEET: expected "acme" (the ACME network of seed 003) (got "globex")'])
    const netbox = { LOOM_DCIM: 'netbox', NETBOX_URL: 'https://netbox.example.net', NETBOX_TOKEN: 't', LOOM_DEMO_FLEET: 'acme' }
    assert.deepEqual(problemsOf(netbox).map((p) => p.split(':')[0]), ['LOOM_DEMO_FLEET'])
  })

  test('empty variables count as unset; a relative data dir is resolved from the working directory', () => {
    const config = loadConfig({ LOOM_HTTP_PORT: '', DATABASE_URL: '', LOOM_DATA_DIR: 'state' }, '/srv/loom')
    assert.equal(config.httpPort, 3000)
    assert.equal(config.databaseUrl, undefined)
    assert.equal(config.dataDir, '/srv/loom/state')
  })

  test('configToEnv round-trips through loadConfig', () => {
    const config = loadConfig({ LOOM_HTTP_PORT: '3100', DATABASE_URL: 'postgresql://u@h:5432/d', TEMPORAL_ADDRESS: 't.example.net:7233', LOOM_TEMPORAL_UI_URL: 'http://ui:8080/' })
    assert.deepEqual(loadConfig(configToEnv(config)), config)
  })

  test('the OSS/BSS hooks are off by default: no notification channel, no ticket system, the built-in customers', () => {
    const { oss } = loadConfig({}, '/srv/loom')
    assert.deepEqual(oss, { smtp: undefined, notifyWebhook: undefined, templatesDir: undefined, ticketWebhook: undefined, customers: { source: 'builtin', url: undefined } })
  })

  test('the hooks take secrets only by reference, and name what a setting lacks', () => {
    const problems = problemsOf({
      LOOM_SMTP_URL: 'smtp://loom:hunter2@mail.example.net:25',
      LOOM_TICKET_WEBHOOK_URL: 'https://tickets.example.net/loom',
      LOOM_TICKET_WEBHOOK_SECRET: 'hunter2',
      LOOM_CUSTOMERS: 'webhook',
    })
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), ['LOOM_CUSTOMERS_URL', 'LOOM_SMTP_FROM', 'LOOM_SMTP_URL', 'LOOM_TICKET_WEBHOOK_SECRET'])
    assert.ok(problems.every((p) => !p.includes('hunter2')), `a problem repeats a secret: ${problems.join('; ')}`)
    assert.match(problems.find((p) => p.startsWith('LOOM_TICKET_WEBHOOK_SECRET'))!, /env:NAME or file:\/path/)
    assert.match(problemsOf({ LOOM_SMTP_URL: 'smtp://mail:25', LOOM_SMTP_FROM: 'a@b', LOOM_NOTIFY_WEBHOOK_URL: 'http://hooks:80/n' })[0], /^LOOM_NOTIFY_WEBHOOK_URL: set either/)
  })

  test('the hooks configured: mail through a relay, a signed ticket webhook, customers from a webhook; configToEnv keeps them', () => {
    const config = loadConfig(
      {
        LOOM_SMTP_URL: 'smtps://mail.example.net:465',
        LOOM_SMTP_FROM: 'Loom <loom@example.net>',
        LOOM_SMTP_USERNAME: 'loom',
        LOOM_SMTP_CREDENTIALS: 'env:SMTP_PASSWORD',
        LOOM_NOTIFY_TEMPLATES: 'templates',
        LOOM_TICKET_WEBHOOK_URL: 'https://tickets.example.net/loom',
        LOOM_TICKET_WEBHOOK_SECRET: 'file:/run/secrets/tickets',
        LOOM_CUSTOMERS: 'webhook',
        LOOM_CUSTOMERS_URL: 'https://crm.example.net/customers/',
      },
      '/srv/loom',
    )
    assert.deepEqual(config.oss, {
      smtp: { url: 'smtps://mail.example.net:465', from: 'Loom <loom@example.net>', username: 'loom', credentials: 'env:SMTP_PASSWORD' },
      notifyWebhook: undefined,
      templatesDir: '/srv/loom/templates',
      ticketWebhook: { url: 'https://tickets.example.net/loom', secret: 'file:/run/secrets/tickets' },
      customers: { source: 'webhook', url: 'https://crm.example.net/customers' },
    })
    assert.deepEqual(loadConfig(configToEnv(config)), config)
  })
})
