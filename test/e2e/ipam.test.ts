// The built-in IPAM through its API and through the activities workflows call.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApplicationFailure } from '@temporalio/common'
import { v7 as uuidv7 } from 'uuid'
import { IpamActivities, StepLog } from '#activities/index.js'
import type { AllocationDto, Page, PoolDto } from '#contracts/index.js'
import { BuiltinIpam } from '#integrations/ipam/builtin-ipam.js'
import { as } from '../support/api.js'
import { assertServedOrBusy, burstWhileLocked } from '../support/burst.js'
import { plannedRouters } from '../support/dcim.js'
import { gatewayOnFreshDatabase } from '../support/gateway.js'
import { whileInFlight } from '../support/in-flight.js'
import { loomStack } from '../support/loom.js'
import { newProcess, stepContext } from '../support/records.js'
import { enrolNode } from '../support/workshop.js'

describe('the built-in IPAM', () => {
  const gateway = gatewayOnFreshDatabase()
  /** Subscriptions to allocate for (an allocation belongs to one that exists); terminated, so that nothing holds what they get. */
  const subscriptions = async (n: number): Promise<string[]> => {
    const ids = Array.from({ length: n }, () => uuidv7())
    await gateway.prisma.subscription.createMany({ data: ids.map((id) => ({ id, product: 'node', customerId: 'acme', description: 'IPAM test', lifecycle: 'terminated' as const })) })
    return ids
  }

  describe('/api/ipam', () => {
    test('pools: created, listed with utilisation, refused when overlapping or malformed, deleted when empty', async () => {
      const made = await gateway.api.call<PoolDto>('POST', '/api/ipam/pools', { name: 'core-links', prefix: '10.20.0.0/24', role: 'link', description: 'core p2p' })
      assert.equal(made.status, 201)
      assert.equal(made.body.family, 4)
      assert.deepEqual(made.body.utilisation, { allocations: 0, addresses_used: '0', addresses_total: '256', percent: 0 })

      const overlap = await gateway.api.call('POST', '/api/ipam/pools', { name: 'other', prefix: '10.20.0.128/25', role: 'link' })
      assert.equal(overlap.status, 409)
      assert.match(String(overlap.body.detail), /overlaps core-links \(10\.20\.0\.0\/24\)/)
      const sloppy = await gateway.api.call('POST', '/api/ipam/pools', { name: 'sloppy', prefix: '10.21.0.1/24', role: 'link' })
      assert.equal(sloppy.status, 422)
      assert.match(String(sloppy.body.detail), /host bits set/)
      const badFields = await gateway.api.call<{ errors: { path: string }[] }>('POST', '/api/ipam/pools', { name: 'Bad Name', prefix: '10.22.0.0/24', role: 'transit' })
      assert.equal(badFields.status, 422)
      assert.deepEqual(badFields.body.errors.map((e) => e.path).sort(), ['name', 'role'])

      const listed = await gateway.api.get<Page<PoolDto>>('/api/ipam/pools?role=link')
      assert.deepEqual(listed.body.items.map((p) => p.name), ['core-links'])
      assert.equal((await gateway.api.get('/api/ipam/pools?role=transit')).status, 400)
      assert.equal((await gateway.api.get('/api/ipam/pools/no-such-pool')).status, 404)

      await gateway.api.call('POST', '/api/ipam/pools', { name: 'scratch', prefix: '2001:db8:20::/48', role: 'customer' })
      assert.equal((await gateway.api.call('DELETE', '/api/ipam/pools/scratch')).status, 204)
      assert.equal((await gateway.api.get('/api/ipam/pools/scratch')).status, 404)
    })

    test('allocations: next free prefix or address, idempotent per owner, listed, exhausted, released', async () => {
      await gateway.api.call('POST', '/api/ipam/pools', { name: 'edge-links', prefix: '10.30.0.0/30', role: 'link' })
      const [ownerId, other] = await subscriptions(2)
      const owner = { subscription_id: ownerId, purpose: 'side_a_ipv4' }
      const first = await gateway.api.call<AllocationDto>('POST', '/api/ipam/pools/edge-links/allocations', { ...owner, length: 31 })
      assert.equal(first.status, 201)
      assert.equal(first.body.prefix, '10.30.0.0/31')
      const again = await gateway.api.call<AllocationDto>('POST', '/api/ipam/pools/edge-links/allocations', { ...owner, length: 31 })
      assert.deepEqual(again.body, first.body)
      const address = await gateway.api.call<AllocationDto>('POST', '/api/ipam/pools/edge-links/allocations', { subscription_id: owner.subscription_id, purpose: 'mgmt' })
      assert.equal(address.body.prefix, '10.30.0.2/32', 'the next address; 10.30.0.3 would be the broadcast address')

      const full = await gateway.api.call('POST', '/api/ipam/pools/edge-links/allocations', { subscription_id: other, purpose: 'x', length: 31 })
      assert.equal(full.status, 409)
      assert.match(String(full.body.detail), /edge-links \(10\.30\.0\.0\/30\) has no free \/31 left/)
      const badLength = await gateway.api.call('POST', '/api/ipam/pools/edge-links/allocations', { subscription_id: other, purpose: 'x', length: 16 })
      assert.equal(badLength.status, 422)
      const noPool = await gateway.api.call('POST', '/api/ipam/pools/nowhere/allocations', { subscription_id: other, purpose: 'x' })
      assert.equal(noPool.status, 404)
      const nobody = await gateway.api.call<{ errors: { path: string; message: string }[] }>('POST', '/api/ipam/pools/edge-links/allocations', { subscription_id: uuidv7(), purpose: 'x' })
      assert.equal(nobody.status, 422, 'no allocation for a subscription that does not exist')
      assert.deepEqual(nobody.body.errors.map((e) => e.path), ['subscription_id'])

      const mine = await gateway.api.get<Page<AllocationDto>>(`/api/ipam/allocations?subscription_id=${owner.subscription_id}`)
      assert.deepEqual(mine.body.items.map((a) => [a.purpose, a.prefix]), [['side_a_ipv4', '10.30.0.0/31'], ['mgmt', '10.30.0.2/32']])
      const inPool = await gateway.api.get<Page<AllocationDto>>('/api/ipam/pools/edge-links/allocations')
      assert.equal(inPool.body.total, 2)
      assert.equal((await gateway.api.get<PoolDto>('/api/ipam/pools/edge-links')).body.utilisation.percent, 75)
      assert.equal((await gateway.api.call('DELETE', '/api/ipam/pools/edge-links')).status, 409)

      const released = await gateway.api.call<AllocationDto>('DELETE', `/api/ipam/allocations/${owner.subscription_id}/side_a_ipv4`)
      assert.equal(released.status, 200)
      assert.equal(released.body.prefix, '10.30.0.0/31')
      assert.equal((await gateway.api.call('DELETE', `/api/ipam/allocations/${owner.subscription_id}/side_a_ipv4`)).status, 404)
      assert.equal((await gateway.api.call('DELETE', '/api/ipam/allocations/not-a-uuid/x')).status, 400)
    })

    test('an allocation a live or locked subscription holds is not released by hand: 409 naming the subscription and the process holding its lock, nothing released; a terminated one\'s is', async () => {
      const { prisma } = gateway
      assert.equal((await gateway.api.call('POST', '/api/ipam/pools', { name: 'held-loops', prefix: '10.60.0.0/29', role: 'loopback' })).status, 201)
      const terminating = uuidv7()
      await prisma.process.create({ data: { id: terminating, workflow: 'terminate_node', target: 'TERMINATE', status: 'running', createdBy: 'alice' } })
      const subscription = async (lifecycle: 'initial' | 'active' | 'terminated', lockedBy: string | null = null) => {
        const id = uuidv7()
        await prisma.subscription.create({ data: { id, product: 'node', customerId: 'acme', description: `Node ${lifecycle}`, lifecycle, lockedBy } })
        return id
      }
      const active = await subscription('active')
      const locked = await subscription('terminated', terminating)
      const terminated = await subscription('terminated')
      const loopback = async (subscription_id: string) => {
        const made = await gateway.api.call<AllocationDto>('POST', '/api/ipam/pools/held-loops/allocations', { subscription_id, purpose: 'loopback_ipv4' })
        assert.equal(made.status, 201, JSON.stringify(made.body))
        return made.body
      }
      const held = { [active]: await loopback(active), [locked]: await loopback(locked), [terminated]: await loopback(terminated) }

      const live = await gateway.api.call('DELETE', `/api/ipam/allocations/${active}/loopback_ipv4`)
      assert.equal(live.status, 409)
      assert.match(live.headers.get('content-type') ?? '', /^application\/problem\+json/)
      assert.match(String(live.body.detail), new RegExp(`^10\\.60\\.0\\.1/32 \\(loopback_ipv4, pool held-loops\\) cannot be released: it is held by subscription ${active} \\(node, active\\);`))
      const lockedAnswer = await gateway.api.call('DELETE', `/api/ipam/allocations/${locked}/loopback_ipv4`)
      assert.equal(lockedAnswer.status, 409)
      assert.match(String(lockedAnswer.body.detail), new RegExp(`it is held by subscription ${locked} \\(node, terminated\\), locked by process ${terminating} \\(terminate_node\\);`))
      const kept = await gateway.api.get<Page<AllocationDto>>('/api/ipam/pools/held-loops/allocations')
      assert.deepEqual(kept.body.items, [held[active], held[locked], held[terminated]], 'nothing was released')

      const pool = await gateway.api.call('DELETE', '/api/ipam/pools/held-loops')
      assert.equal(pool.status, 409)
      assert.equal(
        pool.body.detail,
        `pool held-loops still has 3 allocations; 2 held by live or locked subscriptions, which their own processes give back (terminate): ` +
          `10.60.0.1/32 (loopback_ipv4) held by subscription ${active} (node, active); ` +
          `10.60.0.2/32 (loopback_ipv4) held by subscription ${locked} (node, terminated), locked by process ${terminating} (terminate_node); release the other 1 allocation first`,
      )

      // A terminated subscription that no process holds gives its allocation back, as one that is no subscription does.
      const released = await gateway.api.call<AllocationDto>('DELETE', `/api/ipam/allocations/${terminated}/loopback_ipv4`)
      assert.equal(released.status, 200, JSON.stringify(released.body))
      assert.deepEqual(released.body, held[terminated])
      // Once its process has ended, the terminated one's goes too.
      await prisma.subscription.update({ where: { id: locked }, data: { lockedBy: null } })
      assert.equal((await gateway.api.call('DELETE', `/api/ipam/allocations/${locked}/loopback_ipv4`)).status, 200)
      assert.deepEqual((await gateway.api.get<Page<AllocationDto>>('/api/ipam/pools/held-loops/allocations')).body.items, [held[active]])
    })

    test('a release waits for a process that is locking the subscription right now, then refuses naming it', async () => {
      const { prisma } = gateway
      assert.equal((await gateway.api.call('POST', '/api/ipam/pools', { name: 'race-loops', prefix: '10.61.0.0/29', role: 'loopback' })).status, 201)
      const subscription = uuidv7()
      await prisma.subscription.create({ data: { id: subscription, product: 'node', customerId: 'acme', description: 'Node being terminated', lifecycle: 'terminated' } })
      const allocation = (await gateway.api.call<AllocationDto>('POST', '/api/ipam/pools/race-loops/allocations', { subscription_id: subscription, purpose: 'loopback_ipv4' })).body
      const process = await newProcess(prisma, 'validate_node')
      // What lockSubscriptions does in a process's start, still uncommitted while the release comes in.
      const answer = await whileInFlight(
        prisma,
        [
          `SELECT id FROM subscriptions WHERE id = '${subscription}' FOR UPDATE`,
          `UPDATE subscriptions SET locked_by = '${process}', insync = false, version = version + 1 WHERE id = '${subscription}'`,
        ],
        () => gateway.api.call('DELETE', `/api/ipam/allocations/${subscription}/loopback_ipv4`),
      )
      assert.equal(answer.status, 409, JSON.stringify(answer.body))
      assert.match(String(answer.body.detail), new RegExp(`it is held by subscription ${subscription} \\(node, terminated\\), locked by process ${process} \\(validate_node\\);`))
      assert.deepEqual((await gateway.api.get<Page<AllocationDto>>('/api/ipam/pools/race-loops/allocations')).body.items, [allocation])
    })

    test('200 concurrent allocations from one pool, more than the pool of connections, while the pool row is locked: all distinct, none lost — each answered, or 503 with Retry-After and nothing held', async () => {
      assert.equal((await gateway.api.call('POST', '/api/ipam/pools', { name: 'burst', prefix: '10.50.0.0/23', role: 'loopback' })).status, 201)
      const owners = (await subscriptions(200)).map((subscription_id) => ({ subscription_id, purpose: 'loopback_ipv4' }))
      const answers = await burstWhileLocked(gateway.prisma, `SELECT 1 FROM ipam_pools WHERE name = 'burst' FOR UPDATE`, () =>
        Promise.all(owners.map((owner) => gateway.api.call<AllocationDto>('POST', '/api/ipam/pools/burst/allocations', owner))),
      )
      const served = assertServedOrBusy(answers, [201])
      const held = await gateway.prisma.ipamAllocation.findMany({ where: { pool: { name: 'burst' } } })
      assert.equal(new Set(held.map((h) => h.prefix)).size, held.length, 'no address twice')
      const host = (prefix: string) => prefix.replace(/\/32$/, '')
      assert.deepEqual(
        new Map(held.map((h) => [h.subscriptionId, host(h.prefix)])),
        new Map(served.map((i) => [owners[i].subscription_id, host(answers[i].body.prefix)])),
        'exactly the served owners hold an address, the one they were told',
      )
    })
  })

  describe('IPAM activities', () => {
    test('idempotent by (process, step): a retried step gets its allocation back; the inverse releases it', async () => {
      const { prisma } = gateway
      const activities = new IpamActivities(new StepLog(prisma), new BuiltinIpam(prisma))
      const ipam = new BuiltinIpam(prisma)
      await ipam.createPool({ name: 'loops', prefix: '10.40.0.0/29', role: 'loopback' })
      const process = await newProcess(prisma)
      const subscription_id = uuidv7()
      const request = { ...stepContext(process, 'allocate_loopback'), pool: 'loops', subscription_id, purpose: 'loopback_ipv4' }
      const first = await activities.allocateAddress(request)
      const retried = await activities.allocateAddress(request)
      assert.deepEqual(retried, first)
      assert.equal((await ipam.findAllocations({ pool: 'loops' })).length, 1)
      const step = await prisma.processStep.findUniqueOrThrow({ where: { processId_name: { processId: process, name: 'allocate_loopback' } } })
      assert.deepEqual(step.stateDelta, { loopback_ipv4: '10.40.0.1/32' })

      assert.deepEqual(await activities.releaseAllocation({ ...stepContext(process, 'release_loopback'), subscription_id, purpose: 'loopback_ipv4' }), { released: '10.40.0.1/32' })
      assert.deepEqual(await activities.releaseAllocation({ ...stepContext(process, 'release_loopback'), subscription_id, purpose: 'loopback_ipv4' }), { released: '10.40.0.1/32' }, 'the same step again: its recorded result')
      assert.equal((await ipam.findAllocations({ pool: 'loops' })).length, 0)
    })

    test('an exhausted pool fails the step at once (non-retryable), naming the pool', async () => {
      const { prisma } = gateway
      const activities = new IpamActivities(new StepLog(prisma), new BuiltinIpam(prisma))
      const ipam = new BuiltinIpam(prisma)
      await ipam.createPool({ name: 'one-link', prefix: '10.41.0.0/31', role: 'link' })
      const process = await newProcess(prisma)
      await activities.allocatePrefix({ ...stepContext(process, 'a'), pool: 'one-link', length: 31, subscription_id: uuidv7(), purpose: 'link' })
      await assert.rejects(activities.allocatePrefix({ ...stepContext(process, 'b'), pool: 'one-link', length: 31, subscription_id: uuidv7(), purpose: 'link' }), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure)
        assert.equal(error.nonRetryable, true)
        assert.equal(error.type, 'Exhausted')
        assert.match(error.message, /one-link/)
        return true
      })
    })
  })
})

describe("an active node's loopbacks, through the API as the tester found them", () => {
  const loom = loomStack({ devices: plannedRouters('ipam', 2) })
  before(() => loom.start())
  after(() => loom.stop())

  test('not released by hand while the node is live (409 naming it, nothing released), nor their pool deleted: the next node gets other loopbacks', async () => {
    const api = loom.api
    const node = await enrolNode(api, 'ipam-r1')
    const loopbacks = async (subscription: string) => (await api.get<Page<AllocationDto>>(`/api/ipam/allocations?subscription_id=${subscription}`)).body.items
    const held = await loopbacks(node)
    assert.deepEqual(held.map((a) => a.purpose), ['loopback_ipv4', 'loopback_ipv6'])

    for (const purpose of ['loopback_ipv4', 'loopback_ipv6']) {
      const refused = await api.call('DELETE', `/api/ipam/allocations/${node}/${purpose}`, undefined, as('alice'))
      assert.equal(refused.status, 409, JSON.stringify(refused.body))
      assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/)
      assert.match(String(refused.body.detail), new RegExp(`\\(${purpose}, pool loopbacks-v[46]\\) cannot be released: it is held by subscription ${node} \\(node, active\\);`))
    }
    const pool = await api.call('DELETE', '/api/ipam/pools/loopbacks-v4')
    assert.equal(pool.status, 409)
    assert.match(String(pool.body.detail), new RegExp(`held by subscription ${node} \\(node, active\\)`))
    assert.deepEqual(await loopbacks(node), held, 'nothing was released')

    const next = await enrolNode(api, 'ipam-r2')
    const theirs = await loopbacks(next)
    assert.equal(theirs.length, 2)
    for (const mine of held) assert.ok(!theirs.some((t) => t.prefix === mine.prefix), `${mine.prefix} is still ${node}'s alone`)
  })
})
