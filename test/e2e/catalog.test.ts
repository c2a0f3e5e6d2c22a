// The service catalogue (seed 004) through the API: services registered with the seed's fields and checked against
// their workflow's start form, registering again answering the same service, instances whose parameters are checked
// before anything starts, whose status follows the process, and whose delete aborts what runs (compensations undo
// the claim) — on the manual driver, where create_node waits for a person to confirm the configuration.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { InstanceDto, ServiceDto } from '#contracts/index.js'
import { type ApiClient, as, asOnly } from '../support/api.js'
import { plannedRouters } from '../support/dcim.js'
import { loomStack } from '../support/loom.js'

const loom = loomStack({ devices: plannedRouters('cat', 4) })
let api: ApiClient
const ALICE = as('alice')

before(async () => {
  await loom.start()
  api = loom.api
})
after(() => loom.stop())

interface Problem {
  detail: string
  errors?: { path: string; message: string }[]
}

const ENROL = {
  name: 'node enrolment',
  description: 'Enrol a planned router',
  group: 'provisioning',
  input: { type: 'object', properties: { router: { type: 'string' }, customer_id: { type: 'string', default: 'acme' } }, required: ['router'] },
  workflows: [{ definition_source: 'create_node', wfe_type: 'loom' }],
}

const register = (body: unknown, headers = ALICE) => api.call<ServiceDto & Problem>('POST', '/api/catalog/services', body, headers)
const run = (body: unknown, headers: Record<string, string> = ALICE) => api.call<InstanceDto & Problem>('POST', '/api/catalog/instances', body, headers)
const instance = async (id: string) => (await api.get<InstanceDto>(`/api/catalog/instances/${id}`)).body
const offeredRouters = async () => (await api.get<{ properties: { router: { enum: string[] } } }>('/api/workflows/create_node/form')).body.properties.router.enum
const processCount = async () => (await api.get<{ total: number }>('/api/processes?workflow=create_node')).body.total
const paths = (res: { body: Problem }) => (res.body.errors ?? []).map((e) => e.path)

async function waitForStatus(id: string, status: InstanceDto['status']): Promise<InstanceDto> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const found = await instance(id)
    if (found.status === status) return found
    if (Date.now() > deadline) assert.fail(`instance ${id} is ${found.status}, not ${status}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('services', () => {
  let service: ServiceDto

  test('registering answers 201 with the service; the same again 200 with the same one; other content under its name 409', async () => {
    const created = await register(ENROL)
    assert.equal(created.status, 201, JSON.stringify(created.body))
    service = created.body
    assert.equal(created.headers.get('location'), `/api/catalog/services/${service.id}`)
    assert.equal(service.name, 'node enrolment')
    assert.equal(service.group, 'provisioning')
    assert.equal(service.tenant_id, 'default')
    assert.equal(service.user_id, 'key:alice')
    assert.deepEqual(service.input, ENROL.input)
    assert.equal(service.start_form, '/api/workflows/create_node/form')
    assert.deepEqual(service.workflows, [{ definition_source: 'create_node', wfe_type: 'loom' }])

    const again = await register(ENROL)
    assert.equal(again.status, 200)
    assert.equal(again.headers.get('idempotent-replayed'), 'true')
    assert.equal(again.body.id, service.id)

    const other = await register({ ...ENROL, description: 'something else' })
    assert.equal(other.status, 409)
    assert.match(other.body.detail, new RegExp(service.id))
  })

  test("the seed's own fields and syntax: input \"\", constraint \"\", tenant_id, user_id, wfe_type st2 — the start form as it is takes the parameters", async () => {
    const res = await register({
      name: 'node enrolment (seed)',
      description: 'Volume Service',
      tenant_id: 'default',
      user_id: '558057c4256545bd8a307c37464003c9',
      input: '',
      constraint: '',
      group: 'provisioning',
      workflows: [{ definition_source: 'create_node', wfe_type: 'st2' }],
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.input, null)
    assert.equal(res.body.user_id, 'key:alice', 'the registrant is the verified caller, not the user_id sent')
    assert.deepEqual(res.body.workflows, [{ definition_source: 'create_node', wfe_type: 'loom' }])
    const form = (await api.get<{ properties: { router: { enum: string[] } } }>(res.body.start_form)).body
    assert.deepEqual(form.properties.router.enum, await offeredRouters())
  })

  test('a service cannot promise what its workflow does not take: each problem named (422), nothing registered', async () => {
    const before = (await api.get<{ total: number }>('/api/catalog/services')).body.total
    const cases: [string, unknown, string][] = [
      ["the seed's StackStorm action", { ...ENROL, name: 'a', workflows: [{ definition_source: 'opensds.provision-volume', wfe_type: 'st2' }] }, 'workflows.0.definition_source'],
      ['a workflow Loom does not have', { ...ENROL, name: 'b', workflows: [{ definition_source: 'create_volume' }] }, 'workflows.0.definition_source'],
      ['a field the form does not have', { ...ENROL, name: 'c', input: { ...ENROL.input, properties: { ...ENROL.input.properties, size: { type: 'integer' } } } }, 'input.properties.size'],
      ['a field of another type', { ...ENROL, name: 'd', input: { ...ENROL.input, properties: { ...ENROL.input.properties, router: { type: 'integer' } } } }, 'input.properties.router.type'],
      ['a field the workflow needs, neither required nor defaulted', { ...ENROL, name: 'e', input: { ...ENROL.input, required: [] } }, 'input.required'],
      ['not a JSON Schema zod reads', { ...ENROL, name: 'f', input: { type: 'object', properties: { router: { type: 'frob' } } } }, 'input'],
      ['not an object schema', { ...ENROL, name: 'g', input: { type: 'string' } }, 'input'],
      ['a constraint', { ...ENROL, name: 'h', constraint: 'zone=a' }, 'constraint'],
      ['no workflow', { ...ENROL, name: 'i', workflows: [] }, 'workflows'],
      ['a workflow twice', { ...ENROL, name: 'j', workflows: [{ definition_source: 'create_node' }, { definition_source: 'create_node' }] }, 'workflows.1.definition_source'],
      ['a field the API does not know', { ...ENROL, name: 'k', colour: 'blue' }, 'colour'],
      ['a bad group', { ...ENROL, name: 'l', group: '' }, 'group'],
      ['null where a workflow\'s field takes none', { ...ENROL, name: 'm', workflows: [{ definition_source: 'create_node', wfe_type: null }] }, 'workflows.0.wfe_type'],
    ]
    for (const [why, body, path] of cases) {
      const res = await register(body)
      assert.equal(res.status, 422, `${why}: ${res.status} ${JSON.stringify(res.body)}`)
      assert.ok(paths(res).includes(path), `${why}: ${JSON.stringify(res.body.errors)}`)
    }
    assert.equal((await api.get<{ total: number }>('/api/catalog/services')).body.total, before)
  })

  test("registering in a tight loop (the seed's known issue): 160 services from 16 clients at once, every one 201; the loop again, every one 200 and the same", async () => {
    const body = (i: number) => ({ ...ENROL, name: `loop ${i}`, group: 'loop' })
    const loop = () =>
      Promise.all(
        Array.from({ length: 16 }, async (_, client) => {
          const answers: { status: number; id: string }[] = []
          for (let i = client * 10; i < client * 10 + 10; i++) {
            const res = await register(body(i), as(`client-${client}`))
            answers.push({ status: res.status, id: res.body.id })
          }
          return answers
        }),
      ).then((all) => all.flat())
    const first = await loop()
    assert.deepEqual([...new Set(first.map((a) => a.status))], [201])
    const again = await loop()
    assert.deepEqual([...new Set(again.map((a) => a.status))], [200])
    assert.deepEqual(again.map((a) => a.id), first.map((a) => a.id))
    assert.equal((await api.get<{ total: number }>('/api/catalog/services?group=loop')).body.total, 160)
  })

  test('a viewer may read the catalogue but not register in it (403 naming the permission)', async () => {
    const res = await register({ ...ENROL, name: 'viewer' }, asOnly('victor', 'viewer'))
    assert.equal(res.status, 403)
    assert.match(res.body.detail, /catalog\.manage/)
    assert.equal((await api.call('GET', '/api/catalog/services', undefined, asOnly('victor', 'viewer'))).status, 200)
  })

  test('lists filter by group and name and page with a cursor; get, 404 and 400', async () => {
    assert.equal((await register({ ...ENROL, name: 'other group', group: 'testing' })).status, 201)
    const provisioning = (await api.get<{ items: ServiceDto[]; total: number }>('/api/catalog/services?group=provisioning')).body
    assert.ok(provisioning.items.length >= 2 && provisioning.items.every((s) => s.group === 'provisioning'))
    const named = (await api.get<{ items: ServiceDto[] }>(`/api/catalog/services?name=${encodeURIComponent('node enrolment')}`)).body.items
    assert.deepEqual(named.map((s) => s.id), [service.id])

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { items: ServiceDto[]; next_cursor: string | null; total: number } = (await api.get<{ items: ServiceDto[]; next_cursor: string | null; total: number }>(`/api/catalog/services?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body
      seen.push(...page.items.map((s) => s.id))
      cursor = page.next_cursor
    } while (cursor)
    assert.equal(new Set(seen).size, (await api.get<{ total: number }>('/api/catalog/services')).body.total)

    assert.equal((await api.get<ServiceDto>(`/api/catalog/services/${service.id}`)).body.name, 'node enrolment')
    assert.equal((await api.call('GET', '/api/catalog/services/019aa000-0000-7000-8000-000000000000')).status, 404)
    assert.equal((await api.call('GET', '/api/catalog/services/not-a-uuid')).status, 400)
  })

  test('PATCH changes the fields given and checks the result whole; PUT replaces; a taken name is a 409', async () => {
    const patched = await api.call<ServiceDto & Problem>('PATCH', `/api/catalog/services/${service.id}`, { description: 'Enrol a router (changed)' }, ALICE)
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.description, 'Enrol a router (changed)')
    assert.deepEqual(patched.body.input, ENROL.input)

    const broken = await api.call<Problem>('PATCH', `/api/catalog/services/${service.id}`, { input: { ...ENROL.input, required: [] } }, ALICE)
    assert.equal(broken.status, 422)
    assert.deepEqual(paths(broken), ['input.required'])

    const taken = await api.call<Problem>('PATCH', `/api/catalog/services/${service.id}`, { name: 'other group' }, ALICE)
    assert.equal(taken.status, 409, JSON.stringify(taken.body))

    const replaced = await api.call<ServiceDto>('PUT', `/api/catalog/services/${service.id}`, { ...ENROL, description: 'Enrol a planned router' }, ALICE)
    assert.equal(replaced.status, 200)
    assert.equal(replaced.body.description, 'Enrol a planned router')
    assert.equal(replaced.body.id, service.id)
  })
})

describe('instances', () => {
  let service: ServiceDto

  before(async () => {
    service = (await register({ ...ENROL, name: 'instances' })).body
  })

  test('parameters that fail the service or the start form, an unknown service or action: 422 naming each, nothing started', async () => {
    const started = await processCount()
    const cases: [string, unknown, string][] = [
      ['no router', { service_id: service.id, action: 'create_node', name: 'x', parameters: {} }, 'parameters.router'],
      ['a router of the wrong type', { service_id: service.id, action: 'create_node', name: 'x', parameters: { router: 7 } }, 'parameters.router'],
      ['a router that is not planned', { service_id: service.id, action: 'create_node', name: 'x', parameters: { router: 'nowhere' } }, 'parameters.router'],
      ['an action the service does not run', { service_id: service.id, action: 'create_port', name: 'x', parameters: { router: 'cat-r1' } }, 'action'],
      ['no such service', { service_id: '019aa000-0000-7000-8000-000000000000', action: 'create_node', name: 'x', parameters: { router: 'cat-r1' } }, 'service_id'],
      ['no parameters', { service_id: service.id, action: 'create_node', name: 'x' }, 'parameters'],
    ]
    for (const [why, body, path] of cases) {
      const res = await run(body)
      assert.equal(res.status, 422, `${why}: ${res.status} ${JSON.stringify(res.body)}`)
      assert.ok(paths(res).includes(path), `${why}: ${JSON.stringify(res.body.errors)}`)
    }
    assert.equal(await processCount(), started)
    assert.equal((await api.get<{ total: number }>(`/api/catalog/instances?service_id=${service.id}`)).body.total, 0)
  })

  test("run: the instance is its process, with the service's defaults; its status follows the process to success", async () => {
    const res = await run({ service_id: service.id, action: 'create_node', name: 'enrol cat-r1', parameters: { router: 'cat-r1' }, user_id: 'someone' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const id = res.body.id
    assert.equal(res.headers.get('location'), `/api/catalog/instances/${id}`)
    assert.equal(res.body.process_id, id)
    assert.equal(res.body.service_name, 'instances')
    assert.equal(res.body.user_id, 'key:alice')
    assert.ok(['running', 'waiting'].includes(res.body.status))

    await waitForStatus(id, 'waiting')
    const process = (await api.get<{ workflow: string; pending_input: { step: string } }>(`/api/processes/${id}`)).body
    assert.equal(process.workflow, 'create_node')
    const answered = await api.call('PUT', `/api/processes/${id}/resume`, { confirm_config_applied: true }, as('noc-engineer'))
    assert.equal(answered.status, 200)
    const done = await waitForStatus(id, 'success')
    assert.equal(done.process_status, 'completed')
    const subscription = (await api.get<{ items: { customer_id: string }[] }>(`/api/subscriptions?q=cat-r1`)).body.items[0]
    assert.equal(subscription.customer_id, 'acme', "the service's default filled in")
    const succeeded = (await api.get<{ items: InstanceDto[] }>('/api/catalog/instances?status=success')).body.items
    assert.ok(succeeded.some((i) => i.id === id))
  })

  test('an Idempotency-Key repeat gives back the same instance, starting nothing more', async () => {
    const body = { service_id: service.id, action: 'create_node', name: 'enrol cat-r2', parameters: { router: 'cat-r2' } }
    const first = await run(body, { ...ALICE, 'idempotency-key': 'cat-r2-once' })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const again = await run(body, { ...ALICE, 'idempotency-key': 'cat-r2-once' })
    assert.equal(again.status, 201)
    assert.equal(again.headers.get('idempotent-replayed'), 'true')
    assert.equal(again.body.id, first.body.id)
    const other = await run({ ...body, name: 'another name' }, { ...ALICE, 'idempotency-key': 'cat-r2-once' })
    assert.equal(other.status, 422)
    await waitForStatus(first.body.id, 'waiting')
  })

  test('a service with a running instance cannot be deleted; deleting the instance aborts its process (the router is free again), then the service goes', async () => {
    const res = await run({ service_id: service.id, action: 'create_node', name: 'enrol cat-r3', parameters: { router: 'cat-r3' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const id = res.body.id
    await waitForStatus(id, 'waiting')
    assert.ok(!(await offeredRouters()).includes('cat-r3'), 'the running instance holds its router')

    const refused = await api.call<Problem>('DELETE', `/api/catalog/services/${service.id}`, undefined, ALICE)
    assert.equal(refused.status, 409)
    assert.match(refused.body.detail, new RegExp(id))

    const deleted = await api.call('DELETE', `/api/catalog/instances/${id}`, undefined, ALICE)
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body))
    assert.equal((await api.call('GET', `/api/catalog/instances/${id}`)).status, 404)
    assert.equal((await api.get<{ status: string }>(`/api/processes/${id}`)).body.status, 'aborted')
    assert.ok((await offeredRouters()).includes('cat-r3'), 'the abort released the router')

    // The other instance (cat-r2) still waits: delete it too, then the service.
    for (const other of (await api.get<{ items: InstanceDto[] }>(`/api/catalog/instances?service_id=${service.id}&status=waiting`)).body.items) {
      assert.equal((await api.call('DELETE', `/api/catalog/instances/${other.id}`, undefined, ALICE)).status, 204)
    }
    assert.equal((await api.call('DELETE', `/api/catalog/services/${service.id}`, undefined, ALICE)).status, 204)
    assert.equal((await api.call('GET', `/api/catalog/services/${service.id}`)).status, 404)
    const late = await run({ service_id: service.id, action: 'create_node', name: 'too late', parameters: { router: 'cat-r4' } })
    assert.equal(late.status, 422)
    assert.deepEqual(paths(late), ['service_id'])
  })
})

describe('a service that runs a custom workflow (registered as data, no redeploy)', () => {
  const LAB_ADDRESS = {
    name: 'lab_address',
    description: 'Give a lab host a management address',
    input: { type: 'object', properties: { host: { type: 'string', minLength: 1 } }, required: ['host'], additionalProperties: false },
    steps: [
      { name: 'allocate', action: 'ipam.allocate_address', with: { pool: 'management', purpose: 'lab_host', description: { $ref: 'input.host' } }, compensate: { action: 'ipam.release_allocation', with: { purpose: 'lab_host' } } },
      { name: 'check', action: 'system.check_database', with: {} },
    ],
  }

  test('registered with wfe_type custom (latest or name@version), its input held against the definition\'s; an instance runs it to success', async () => {
    const defined = await api.call('POST', '/api/catalog/workflows', LAB_ADDRESS)
    assert.equal(defined.status, 201, JSON.stringify(defined.body))

    const wrong = await register({ name: 'lab', group: 'Custom', input: { type: 'object', properties: { size: { type: 'integer' } } }, workflows: [{ definition_source: 'lab_address', wfe_type: 'custom' }] })
    assert.equal(wrong.status, 422)
    assert.ok(paths(wrong).includes('input.properties.size'), JSON.stringify(wrong.body.errors))
    const unknown = await register({ name: 'lab', group: 'Custom', workflows: [{ definition_source: 'lab_address@7', wfe_type: 'custom' }] })
    assert.equal(unknown.status, 422)
    assert.deepEqual(paths(unknown), ['workflows.0.definition_source'])
    const asCode = await register({ name: 'lab', group: 'Custom', workflows: [{ definition_source: 'lab_address' }] })
    assert.equal(asCode.status, 422, 'a custom workflow is named as one')

    const service = await register({ name: 'lab', group: 'Custom', input: '', workflows: [{ definition_source: 'lab_address', wfe_type: 'custom' }, { definition_source: 'lab_address@1', wfe_type: 'custom' }] })
    assert.equal(service.status, 201, JSON.stringify(service.body))
    assert.equal(service.body.start_form, '/api/catalog/workflows/lab_address')

    for (const action of ['lab_address', 'lab_address@1']) {
      const res = await run({ service_id: service.body.id, action, name: `lab host via ${action}`, parameters: { host: `lab-${action}` } }, as('olivia', 'admin'))
      assert.equal(res.status, 201, JSON.stringify(res.body))
      const done = await waitForStatus(res.body.id, 'success')
      assert.equal(done.action, action)
      const process = (await api.get<{ workflow: string; steps: { name: string; status: string }[] }>(`/api/processes/${res.body.id}`)).body
      assert.equal(process.workflow, 'lab_address')
      assert.deepEqual(process.steps.filter((st) => ['allocate', 'check'].includes(st.name)).map((st) => st.status), ['success', 'success'])
    }
    const refused = await run({ service_id: service.body.id, action: 'lab_address', name: 'x', parameters: { host: '' } }, as('olivia', 'admin'))
    assert.equal(refused.status, 422)
    assert.ok(paths(refused).includes('parameters.host'), JSON.stringify(refused.body.errors))
  })
})

