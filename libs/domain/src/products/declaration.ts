// Products as code: what a product declares, checked when it is defined. The framework reads these
// declarations (sync into the database, the API, validation) and never names a product itself.
import { DomainError } from '../errors.js'
import type { Lifecycle, WorkflowTarget } from '../vocabulary.js'

export const FIELD_TYPES = ['string', 'integer', 'boolean', 'enum', 'ipv4_address', 'ipv6_address', 'ipv4_prefix', 'ipv6_prefix', 'block_ref'] as const
export type FieldType = (typeof FIELD_TYPES)[number]

/** From which lifecycle on a field must have a value (orchestrator-core's `required: provisioning|active`). */
export type RequiredFrom = Extract<Lifecycle, 'initial' | 'provisioning' | 'active'>

export interface FieldDeclaration {
  type: FieldType
  description: string
  required_from: RequiredFrom
  /** enum: the allowed values */
  values?: readonly string[]
  /** block_ref: the block it refers to (in this or another subscription) */
  block?: string
}

export interface BlockDeclaration {
  name: string
  description: string
  tag: string
  fields: Readonly<Record<string, FieldDeclaration>>
}

export interface ProductDeclaration {
  /** unique, snake_case, e.g. port_10g */
  name: string
  /** the product type several variants share, e.g. Port */
  type: string
  description: string
  tag: string
  /** values that tell the variants of a type apart, e.g. {speed: "10G"} */
  fixed_inputs: Readonly<Record<string, string>>
  /** the product's root blocks; the domain model holds one value object per root block, under its name */
  blocks: readonly BlockDeclaration[]
  /** names of the workflows that act on this product */
  workflows: readonly string[]
}

export interface WorkflowSummary {
  name: string
  target: WorkflowTarget
  description: string
}

const SNAKE = /^[a-z][a-z0-9_]*$/

/** Checks a product declaration on its own; `defineProducts` checks them together. */
export function defineProduct<P extends ProductDeclaration>(product: P): P {
  const problems: string[] = []
  if (!SNAKE.test(product.name)) problems.push(`name ${JSON.stringify(product.name)} is not snake_case`)
  if (product.blocks.length === 0) problems.push('declares no product block')
  for (const block of product.blocks) {
    if (!SNAKE.test(block.name)) problems.push(`block ${JSON.stringify(block.name)} is not snake_case`)
    for (const [field, f] of Object.entries(block.fields)) {
      if (!SNAKE.test(field)) problems.push(`field ${block.name}.${field} is not snake_case`)
      if (f.type === 'enum' && !f.values?.length) problems.push(`field ${block.name}.${field} is an enum without values`)
      if (f.type === 'block_ref' && !f.block) problems.push(`field ${block.name}.${field} refers to no block`)
    }
  }
  if (problems.length) throw new DomainError(`product ${product.name}: ${problems.join('; ')}`)
  return product
}

/** Every block a product set uses, once; a block declared twice must be declared the same. */
export function blocksOf(products: readonly ProductDeclaration[]): Map<string, BlockDeclaration> {
  const blocks = new Map<string, BlockDeclaration>()
  for (const p of products) {
    for (const b of p.blocks) {
      const seen = blocks.get(b.name)
      if (seen && JSON.stringify(seen) !== JSON.stringify(b)) throw new DomainError(`block ${b.name} is declared differently by two products (${p.name})`)
      blocks.set(b.name, b)
    }
  }
  for (const b of blocks.values()) {
    for (const [field, f] of Object.entries(b.fields)) {
      if (f.type === 'block_ref' && !blocks.has(f.block!)) throw new DomainError(`field ${b.name}.${field} refers to block ${f.block}, which no product declares`)
    }
  }
  return blocks
}

/** Checks a product set: unique names, consistent blocks, resolvable references. */
export function defineProducts(products: readonly ProductDeclaration[]): readonly ProductDeclaration[] {
  const names = new Set<string>()
  for (const p of products) {
    if (names.has(p.name)) throw new DomainError(`product ${p.name} is declared twice`)
    names.add(p.name)
  }
  blocksOf(products)
  return products
}
