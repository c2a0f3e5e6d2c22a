import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { PRODUCTS } from './catalog.js'
import { defineProduct, defineProducts, type ProductDeclaration } from './declaration.js'

const base: ProductDeclaration = { name: 'thing', type: 'Thing', description: 'd', tag: 'T', fixed_inputs: {}, workflows: [], blocks: [{ name: 'thing', description: 'd', tag: 'T', fields: {} }] }

describe('product declarations', () => {
  test('the workshop products declare node, port and circuit variants with their speeds', () => {
    assert.deepEqual(PRODUCTS.map((p) => `${p.name}:${p.type}:${p.fixed_inputs.speed ?? '-'}`), [
      'node:Node:-', 'port_10g:Port:10G', 'port_100g:Port:100G', 'circuit_10g:Circuit:10G', 'circuit_100g:Circuit:100G',
    ])
  })

  test('a malformed product is refused with every problem named', () => {
    assert.throws(
      () => defineProduct({ ...base, name: 'Bad Name', blocks: [{ name: 'b', description: 'd', tag: 'B', fields: { Mode: { type: 'enum', description: 'd', required_from: 'initial' }, ref: { type: 'block_ref', description: 'd', required_from: 'initial' } } }] }),
      /product Bad Name: name "Bad Name" is not snake_case; field b.Mode is not snake_case; field b.Mode is an enum without values; field b.ref refers to no block/,
    )
    assert.throws(() => defineProduct({ ...base, blocks: [] }), /declares no product block/)
  })

  test('a product set with a duplicate, a dangling reference or a block declared two ways is refused', () => {
    assert.throws(() => defineProducts([base, base]), /product thing is declared twice/)
    const dangling = { ...base, blocks: [{ name: 'thing', description: 'd', tag: 'T', fields: { other: { type: 'block_ref', block: 'nowhere', description: 'd', required_from: 'initial' } } }] } as ProductDeclaration
    assert.throws(() => defineProducts([dangling]), /field thing.other refers to block nowhere, which no product declares/)
    const twin = { ...base, name: 'twin', blocks: [{ ...base.blocks[0], description: 'different' }] }
    assert.throws(() => defineProducts([base, twin]), /block thing is declared differently by two products \(twin\)/)
  })
})
