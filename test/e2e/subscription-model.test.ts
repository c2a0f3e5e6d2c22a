// Every product's domain model goes through the subscription activities and comes back unchanged through the
// API; a lifecycle its model does not satisfy is refused, naming the missing fields, and changes nothing.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { v7 as uuidv7 } from 'uuid'
import { StepLog, SubscriptionActivities } from '#activities/index.js'
import type { SubscriptionDto } from '#contracts/index.js'
import { PRODUCTS } from '#domain/products/catalog.js'
import { type SampleRefs, sampleModels } from '#domain/products/samples.js'
import { gatewayOnFreshDatabase } from '../support/gateway.js'
import { newProcess as createProcess, stepContext } from '../support/records.js'

describe('domain models through the subscription store', () => {
  const gateway = gatewayOnFreshDatabase()
  const subscriptions = () => new SubscriptionActivities(new StepLog(gateway.prisma), gateway.prisma)
  const newProcess = () => createProcess(gateway.prisma)
  const ctx = stepContext

  /** Stores, as initial, a subscription of `product` with the sample model for `refs`; returns its id. */
  async function store(product: string, refs: SampleRefs): Promise<string> {
    const id = uuidv7()
    await subscriptions().storeProcessSubscription({
      ...ctx(await newProcess(), 'store_process_subscription'),
      subscription: { id, product, customer_id: 'acme', description: `${product} sample`, domain_model: sampleModels(refs)[product] },
      claims: [],
    })
    return id
  }

  // Real subscriptions for the models to refer to: a node and two ports on it.
  let refs: SampleRefs
  before(async () => {
    const placeholder = { node: uuidv7(), port_a: uuidv7(), port_b: uuidv7() }
    const node = await store('node', placeholder)
    refs = { node, port_a: await store('port_10g', { ...placeholder, node }), port_b: await store('port_10g', { ...placeholder, node }) }
  })

  for (const product of PRODUCTS) {
    test(`${product.name}: stored, taken to active, and read back with the same values`, async () => {
      const processId = await newProcess()
      const id = uuidv7()
      const model = sampleModels(refs)[product.name]
      await subscriptions().storeProcessSubscription({
        ...ctx(processId, 'store_process_subscription'),
        subscription: { id, product: product.name, customer_id: 'acme', description: `${product.name} sample`, domain_model: model },
        claims: [],
      })
      await subscriptions().setLifecycle({ ...ctx(processId, 'set_status_provisioning'), subscription_id: id, lifecycle: 'provisioning' })
      await subscriptions().setLifecycle({ ...ctx(processId, 'set_status_active'), subscription_id: id, lifecycle: 'active' })
      const read = await gateway.api.get<SubscriptionDto>(`/api/subscriptions/${id}`)
      assert.equal(read.status, 200)
      assert.equal(read.body.lifecycle, 'active')
      assert.deepEqual(read.body.domain_model, model)
    })
  }

  test('a lifecycle the model does not satisfy is refused with the missing fields, and nothing changes', async () => {
    const processId = await newProcess()
    const id = uuidv7()
    await subscriptions().storeProcessSubscription({
      ...ctx(processId, 'store_process_subscription'),
      subscription: { id, product: 'node', customer_id: 'acme', description: 'bare node', domain_model: { node: { device_name: 'x1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams' } } },
      claims: [],
    })
    await assert.rejects(
      subscriptions().setLifecycle({ ...ctx(processId, 'set_status_provisioning'), subscription_id: id, lifecycle: 'provisioning' }),
      (e: Error) => e.name === 'DomainError' && /as provisioning: node.management_address is missing; node.loopback_ipv4 is missing; node.loopback_ipv6 is missing$/.test(e.message),
    )
    const row = await gateway.prisma.subscription.findUniqueOrThrow({ where: { id } })
    assert.deepEqual([row.lifecycle, row.version], ['initial', 1])
    assert.equal(await gateway.prisma.processStep.count({ where: { processId, name: 'set_status_provisioning' } }), 0)
  })

  test('a model that is not even valid as initial is never stored', async () => {
    const processId = await newProcess()
    const id = uuidv7()
    await assert.rejects(
      subscriptions().storeProcessSubscription({
        ...ctx(processId, 'store_process_subscription'),
        subscription: { id, product: 'port_10g', customer_id: 'acme', description: 'port', domain_model: { port: { port_name: 'eth1' } } },
        claims: [],
      }),
      /cannot save a port_10g subscription as initial: port.node is missing/,
    )
    assert.equal(await gateway.prisma.subscription.count({ where: { id } }), 0)
  })
})
