// The seed's orchctl examples (seed 004), as written — with Loom workflows in definition_source and a Loom workflow's
// parameters — run by the real built binary through a symlink named orchctl, against the real gateway and worker
// (manual driver: create_node waits for its configuration to be confirmed).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { demoDevices } from '#persistence/index.js'
import { projectRoot } from '#runtime/index.js'
import { adminKey } from '../../../test/support/api.js'
import { loomStack } from '../../../test/support/loom.js'

const bin = mkdtempSync(join(tmpdir(), 'orchctl-catalog-'))
const ORCHCTL = join(bin, 'orchctl')
symlinkSync(join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js'), ORCHCTL)
after(() => rmSync(bin, { recursive: true, force: true }))

const product = loomStack({ devices: demoDevices(projectRoot()) })
before(() => product.start())
after(() => product.stop())

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

const orchctl = (...args: string[]) =>
  new Promise<Run>((resolve) => {
    const child = execFile(process.execPath, [ORCHCTL, '--url', product.url, ...args], { timeout: 60_000, env: { ...process.env, LOOM_API_KEY: adminKey() } }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    )
    child.stdin?.end()
  })

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/

/** The seed's `service add` example, word for word but for its two StackStorm actions. */
const SEED_SERVICE = {
  name: 'volume provision',
  description: 'Volume Service',
  tenant_id: '94b280022d0c4401bcf3b0ea85870519',
  user_id: '558057c4256545bd8a307c37464003c9',
  input: '',
  constraint: '',
  group: 'provisioning',
  workflows: [
    { definition_source: 'create_node', wfe_type: 'st2' },
    { definition_source: 'validate_node', wfe_type: 'st2' },
  ],
}

describe("orchctl service and instance: the seed's examples", () => {
  let service: string
  let instance: string

  test('service add --data, service list, service get --id (in the seed\'s tenant, made first with tenant add)', async () => {
    const tenant = await orchctl('tenant', 'add', SEED_SERVICE.tenant_id, '--name', 'SODA project')
    assert.equal(tenant.status, 0, tenant.stderr)
    assert.match((await orchctl('tenant', 'list')).stdout, new RegExp(`^${SEED_SERVICE.tenant_id} +SODA project +0 `, 'm'))
    const added = await orchctl('service', 'add', '--data', JSON.stringify(SEED_SERVICE))
    assert.equal(added.status, 0, added.stderr)
    service = UUID.exec(added.stdout)![0]
    assert.match(added.stdout, /^name +volume provision$/m)
    assert.match(added.stdout, /^workflows +create_node \(loom\), validate_node \(loom\)$/m)

    const again = await orchctl('service', 'add', '--data', JSON.stringify(SEED_SERVICE))
    assert.equal(again.status, 0)
    assert.match(again.stderr, /registered already/)

    const list = await orchctl('service', 'list')
    assert.equal(list.status, 0)
    assert.match(list.stdout, /^id +name +group +workflows +running +created_at$/m)
    assert.match(list.stdout, new RegExp(`^${service} +volume provision +provisioning +create_node, validate_node +0 `, 'm'))

    const got = await orchctl('service', 'get', '--id', service)
    assert.equal(got.status, 0)
    assert.match(got.stdout, /^input +the start form of create_node \(\/api\/workflows\/create_node\/form\)$/m)
    const json = await orchctl('service', 'get', '--id', service, '--json')
    assert.deepEqual(JSON.parse(json.stdout), (await product.api.get(`/api/catalog/services/${service}`)).body)
  })

  test('instance run --data, instance list, instance get --id, instance delete --id (a running one aborted)', async () => {
    const data = { service_id: service, action: 'create_node', name: 'Volume Provision name', description: 'Volume Provision description', user_id: '558057c4256545bd8a307c37464003c9', parameters: { router: 'ams-pe1' } }
    const ran = await orchctl('instance', 'run', '--data', JSON.stringify(data))
    const list0 = await orchctl('-t', SEED_SERVICE.tenant_id, 'instance', 'list', '--json')
    assert.ok((JSON.parse(list0.stdout) as { tenant_scope: string[] }).tenant_scope.includes(SEED_SERVICE.tenant_id), '-t narrows the list to the tenant named')
    assert.equal(ran.status, 0, ran.stderr)
    instance = UUID.exec(ran.stdout)![0]
    assert.match(ran.stdout, /^service +volume provision/m)
    assert.match(ran.stderr, new RegExp(`process watch ${instance}`))

    const list = await orchctl('instance', 'list')
    assert.match(list.stdout, new RegExp(`^${instance} +Volume Provision name +volume provision +create_node +(running|waiting) `, 'm'))
    const got = await orchctl('instance', 'get', '--id', instance, '--json')
    assert.equal((JSON.parse(got.stdout) as { id: string }).id, instance)

    const deleted = await orchctl('instance', 'delete', '--id', instance)
    assert.equal(deleted.status, 0, deleted.stderr)
    assert.match(deleted.stdout, new RegExp(`deleted instance ${instance}`))
    assert.equal((await product.api.get<{ status: string }>(`/api/processes/${instance}`)).body.status, 'aborted')
    const gone = await orchctl('instance', 'get', '--id', instance)
    assert.equal(gone.status, 1)
    assert.match(gone.stderr, /instance get: 404/)
  })

  test('instance run --wait follows the process: it waits for the configuration to be confirmed (exit 3, what to run printed)', async () => {
    const file = join(bin, 'run.json')
    writeFileSync(file, JSON.stringify({ service_id: service, action: 'create_node', name: 'enrol ams-pe2', parameters: { router: 'ams-pe2' } }))
    const ran = await orchctl('instance', 'run', '--file', file, '--wait')
    assert.equal(ran.status, 3, ran.stderr)
    assert.match(ran.stdout, /provide_config_to_user/)
    assert.match(ran.stdout, /orchctl process resume/)
  })

  test("refusals: the seed's StackStorm action (exit 1, the field named), no --data (exit 2), an unknown instance (exit 1, 404)", async () => {
    const st2 = await orchctl('service', 'add', '--data', JSON.stringify({ ...SEED_SERVICE, name: 'st2', workflows: [{ definition_source: 'opensds.provision-volume', wfe_type: 'st2' }] }))
    assert.equal(st2.status, 1)
    assert.match(st2.stderr, /^service add: 422 /)
    assert.match(st2.stderr, /^ {2}workflows\.0\.definition_source: /m)

    const bad = await orchctl('instance', 'run', '--data', JSON.stringify({ service_id: service, action: 'create_node', name: 'x', parameters: { router: 'nowhere' } }))
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /^ {2}parameters\.router: /m)

    assert.equal((await orchctl('service', 'add')).status, 2)
    assert.equal((await orchctl('instance', 'run', '--data', 'not json')).status, 2)
    const unknown = await orchctl('instance', 'get', '--id', '019aa000-0000-7000-8000-000000000000')
    assert.equal(unknown.status, 1)
    assert.match(unknown.stderr, /404/)
  })

  test('a custom workflow registered through the CLI (workflow add --file), listed, read, started and run as a service instance to completion', async () => {
    const file = join(bin, 'lab-check.json')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'lab_check',
        description: 'Give a lab host an address and check the database',
        input: { type: 'object', properties: { host: { type: 'string', minLength: 1 } }, required: ['host'] },
        steps: [
          { name: 'allocate', action: 'ipam.allocate_address', with: { pool: 'management', purpose: 'lab_host', description: { $ref: 'input.host' } }, compensate: { action: 'ipam.release_allocation', with: { purpose: 'lab_host' } } },
          { name: 'check', action: 'system.check_database', with: {} },
        ],
      }),
    )
    const added = await orchctl('workflow', 'add', '--file', file)
    assert.equal(added.status, 0, added.stderr)
    assert.equal(added.stdout.trim(), 'lab_check v1')
    const list = await orchctl('workflow', 'list')
    assert.match(list.stdout, /^lab_check +custom v1 +SYSTEM /m)
    assert.match(list.stdout, /^create_node +code +CREATE /m)
    const version = await orchctl('workflow', 'get', 'lab_check@1', '--json')
    assert.deepEqual(JSON.parse(version.stdout), (await product.api.get('/api/catalog/workflows/lab_check/versions/1')).body)

    const started = await orchctl('workflow', 'start', 'lab_check', '--data', '{"host": "lab-1"}', '--wait')
    assert.equal(started.status, 0, started.stderr + started.stdout)
    assert.match(started.stdout, /check/)

    const svc = await orchctl('service', 'add', '--json', '--data', JSON.stringify({ name: 'lab check', group: 'Custom', input: '', constraint: '', workflows: [{ definition_source: 'lab_check', wfe_type: 'custom' }] }))
    assert.equal(svc.status, 0, svc.stderr)
    const serviceId = (JSON.parse(svc.stdout) as { id: string }).id
    const ran = await orchctl('instance', 'run', '--wait', '--data', JSON.stringify({ service_id: serviceId, action: 'lab_check', name: 'lab-2', parameters: { host: 'lab-2' } }))
    assert.equal(ran.status, 0, ran.stderr + ran.stdout)
    const instance = UUID.exec(ran.stdout)![0]
    assert.equal((await product.api.get<{ status: string }>(`/api/catalog/instances/${instance}`)).body.status, 'success')
  })

  test('--help of each command states the exit codes; the completion script offers service and instance', async () => {
    for (const command of [['tenant', 'list'], ['tenant', 'add'], ['tenant', 'member', 'add'], ['workflow', 'add'], ['service', 'list'], ['service', 'add'], ['service', 'get'], ['service', 'update'], ['service', 'delete'], ['instance', 'list'], ['instance', 'get'], ['instance', 'run'], ['instance', 'delete']]) {
      const shown = await orchctl(...command, '--help')
      assert.equal(shown.status, 0, command.join(' '))
      assert.match(shown.stdout, new RegExp(`^Usage: orchctl ${command.join(' ')}`))
      assert.match(shown.stdout, /^Exit codes:\n {2}0 /m)
    }
    const completion = await orchctl('completion', 'bash')
    assert.match(completion.stdout, /\bservice\b[^]*\binstance\b|\binstance\b[^]*\bservice\b/)
  })
})
