// docker-compose.yml cannot run here (no Docker engine); CI validates its syntax with `docker-compose config`.
// This checks what the syntax check cannot: that the stack is wired the way Loom reads its configuration.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { loadConfig } from '#config/index.js'
import { projectRoot } from '#runtime/index.js'

interface Service {
  image?: string
  build?: unknown
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  deploy?: { replicas?: number }
  depends_on?: Record<string, { condition: string }>
}

const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> }
const services = compose.services

test('the stack has Temporal on PostgreSQL, its Web UI, a migration job, the gateway and two workers', () => {
  assert.deepEqual(Object.keys(services).sort(), ['gateway', 'migrate', 'postgres', 'temporal', 'temporal-ui', 'worker'])
  assert.equal(services.temporal.environment?.DB, 'postgres12')
  assert.equal(services.worker.deploy?.replicas, 2)
  assert.deepEqual(services.migrate.command, ['node', 'dist/apps/launcher/src/prepare-database.main.js'])
  assert.equal(services.gateway.depends_on?.migrate.condition, 'service_completed_successfully')
  assert.equal(services.worker.depends_on?.migrate.condition, 'service_completed_successfully')
})

test('gateway and worker run the built entry points with a configuration Loom accepts', () => {
  for (const [name, entry] of [
    ['gateway', 'dist/apps/gateway/src/main.js'],
    ['worker', 'dist/apps/worker/src/main.js'],
  ] as const) {
    const service = services[name]
    assert.deepEqual(service.command, ['node', entry])
    const config = loadConfig(service.environment ?? {})
    assert.equal(config.temporalAddress, 'temporal:7233', name)
    assert.match(config.databaseUrl ?? '', /@postgres:5432\//, name)
    // Tasks and schedules call the API from the worker: it must name the gateway's service, not localhost.
    assert.equal(config.publicUrl, `http://gateway:${services.gateway.environment?.LOOM_HTTP_PORT}`, name)
  }
})

test('authentication is on and the gateway serves the network; Temporal publishes no port, its Web UI only on the host', () => {
  const gateway = loadConfig(services.gateway.environment ?? {})
  assert.deepEqual([gateway.auth.enabled, gateway.httpHost], [true, '0.0.0.0'])
  assert.equal(services.temporal.ports, undefined)
  assert.deepEqual(services['temporal-ui'].ports, ['127.0.0.1:8233:8080'])
  assert.equal(services['temporal-ui'].environment?.TEMPORAL_DISABLE_WRITE_ACTIONS, 'true')
})

test('the migrate job makes the payload key in a shared volume; the gateway and workers read it from there', () => {
  assert.equal(services.migrate.environment?.LOOM_PAYLOAD_KEYS, '')
  for (const name of ['gateway', 'worker']) {
    assert.equal(loadConfig(services[name].environment ?? {}).temporalSecurity.payloadKeys, 'file:/var/lib/loom/payload-keys', name)
    assert.ok(services[name].volumes?.includes('loom-secrets:/var/lib/loom:ro'), name)
  }
  assert.equal(loadConfig(services.migrate.environment ?? {}).dataDir, '/var/lib/loom')
})
