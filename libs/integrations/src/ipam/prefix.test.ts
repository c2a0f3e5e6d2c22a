import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { firstFree, formatPrefix, parsePrefix, type Prefix } from './prefix.js'

const p = parsePrefix
const free = (pool: string, taken: string[], length: number) => {
  const found = firstFree(p(pool), taken.map(p), length)
  return found && formatPrefix(found)
}

describe('prefix arithmetic', () => {
  test('parses and prints IPv4 and IPv6 prefixes and single addresses', () => {
    assert.equal(formatPrefix(p('10.0.0.0/24')), '10.0.0.0/24')
    assert.equal(formatPrefix(p('2001:db8:0::/48')), '2001:db8::/48')
    assert.equal(formatPrefix(p('192.0.2.7')), '192.0.2.7/32')
    assert.equal(formatPrefix(p('2001:db8::1')), '2001:db8::1/128')
    assert.throws(() => p('10.0.0.1/24'), /host bits set: the network is 10\.0\.0\.0\/24/)
    assert.throws(() => p('10.0.0.300/24'), /not an IPv4 or IPv6 prefix/)
    assert.throws(() => p('not an address'), /not an IPv4 or IPv6 prefix/)
  })

  test('the next free subnet is the lowest aligned gap', () => {
    assert.equal(free('10.0.0.0/24', [], 31), '10.0.0.0/31')
    assert.equal(free('10.0.0.0/24', ['10.0.0.0/31'], 31), '10.0.0.2/31')
    assert.equal(free('10.0.0.0/24', ['10.0.0.0/31', '10.0.0.4/31'], 31), '10.0.0.2/31', 'a hole is filled first')
    assert.equal(free('10.0.0.0/24', ['10.0.0.2/31'], 30), '10.0.0.4/30', 'a /30 must start on a multiple of 4')
    assert.equal(free('10.0.0.0/24', ['10.0.0.0/25'], 25), '10.0.0.128/25')
    assert.equal(free('2001:db8::/64', ['2001:db8::/127'], 127), '2001:db8::2/127')
    assert.equal(free('2001:db8::/48', ['2001:db8::/64', '2001:db8:0:1::/64'], 64), '2001:db8:0:2::/64')
    // In any order: as text, ::10 sorts before ::2 (a bug the concurrency test once caught).
    assert.equal(free('2001:db8::/64', ['2001:db8::10/127', '2001:db8::/127', '2001:db8::2/127'], 127), '2001:db8::4/127')
  })

  test('single addresses skip the network, broadcast and anycast addresses, except in /31 and /127', () => {
    assert.equal(free('192.0.2.0/24', [], 32), '192.0.2.1/32')
    assert.equal(free('192.0.2.0/30', ['192.0.2.1'], 32), '192.0.2.2/32')
    assert.equal(free('192.0.2.0/30', ['192.0.2.1', '192.0.2.2'], 32), undefined, 'the broadcast address is not handed out')
    assert.equal(free('192.0.2.0/31', [], 32), '192.0.2.0/32')
    assert.equal(free('2001:db8::/64', [], 128), '2001:db8::1/128')
    assert.equal(free('2001:db8::/127', [], 128), '2001:db8::/128')
  })

  test('an exhausted pool has nothing free; a pool full of big allocations has no room for a bigger one', () => {
    assert.equal(free('10.0.0.0/30', ['10.0.0.0/31', '10.0.0.2/31'], 31), undefined)
    assert.equal(free('10.0.0.0/24', ['10.0.0.64/32'], 25), '10.0.0.128/25')
    assert.equal(free('10.0.0.0/24', ['10.0.0.64/32', '10.0.0.200/32'], 25), undefined)
  })

  test('the address space ends are handled exactly (no overflow at 255.255.255.255 or ffff:…)', () => {
    assert.equal(free('255.255.255.254/31', ['255.255.255.254'], 32), '255.255.255.255/32')
    const top: Prefix = p('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127')
    assert.equal(formatPrefix(firstFree(top, [], 128)!), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128')
  })
})
