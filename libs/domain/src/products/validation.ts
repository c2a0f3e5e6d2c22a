// Whether a domain model may be saved with a lifecycle: every field its product declares as required by then
// has a value, and every value has its declared type. Pure: workflow code may use it too.
import { DomainError } from '../errors.js'
import type { Lifecycle } from '../vocabulary.js'
import type { BlockDeclaration, FieldDeclaration, ProductDeclaration, RequiredFrom } from './declaration.js'

/** How far a lifecycle has come; a field is required once the lifecycle reaches its `required_from`. */
const LEVEL: Record<Lifecycle, number> = { initial: 0, provisioning: 1, active: 2, disabled: 2, migrating: 2, terminated: 0 }
const REQUIRED_LEVEL: Record<RequiredFrom, number> = { initial: 0, provisioning: 1, active: 2 }

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/

function typeProblem(f: FieldDeclaration, value: unknown): string | undefined {
  const [address, length, extra] = typeof value === 'string' ? value.split('/') : []
  switch (f.type) {
    case 'string':
    case 'block_ref':
      return typeof value === 'string' || (f.type === 'block_ref' && typeof value === 'object') ? undefined : 'must be a string'
    case 'integer':
      return Number.isInteger(value) ? undefined : 'must be an integer'
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false'
    case 'enum':
      return f.values!.includes(value as string) ? undefined : `must be one of ${f.values!.join(', ')}`
    case 'ipv4_address':
      return typeof value === 'string' && IPV4.test(value) ? undefined : 'must be an IPv4 address'
    case 'ipv6_address':
      return typeof value === 'string' && IPV6.test(value) ? undefined : 'must be an IPv6 address'
    case 'ipv4_prefix':
      return IPV4.test(address ?? '') && Number(length) <= 32 && extra === undefined && /^\d+$/.test(length ?? '') ? undefined : 'must be an IPv4 prefix (a.b.c.d/n)'
    case 'ipv6_prefix':
      return IPV6.test(address ?? '') && Number(length) <= 128 && extra === undefined && /^\d+$/.test(length ?? '') ? undefined : 'must be an IPv6 prefix (x::y/n)'
  }
}

function blockProblems(block: BlockDeclaration, value: unknown, level: number, blocks: Map<string, BlockDeclaration>, path: string): string[] {
  if (value === undefined || value === null) return level >= 0 ? [`${path} is missing`] : []
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path} must be an object`]
  const values = value as Record<string, unknown>
  const problems: string[] = []
  for (const [name, f] of Object.entries(block.fields)) {
    const v = values[name]
    if (v === undefined || v === null || v === '') {
      if (REQUIRED_LEVEL[f.required_from] <= level) problems.push(`${path}.${name} is missing`)
      continue
    }
    const wrong = typeProblem(f, v)
    if (wrong) problems.push(`${path}.${name} ${wrong}`)
    else if (f.type === 'block_ref' && typeof v === 'object' && blocks.has(f.block!)) problems.push(...blockProblems(blocks.get(f.block!)!, v, level, blocks, `${path}.${name}`))
  }
  for (const name of Object.keys(values)) if (!(name in block.fields)) problems.push(`${path}.${name} is not a field of block ${block.name}`)
  return problems
}

/** Every reason `model` cannot be saved as a `lifecycle` subscription of `product` (empty when it can). */
export function domainModelProblems(product: ProductDeclaration, lifecycle: Lifecycle, model: Record<string, unknown>): string[] {
  const blocks = new Map(product.blocks.map((b) => [b.name, b]))
  const root = product.blocks[0]
  const problems = blockProblems(root, model[root.name], LEVEL[lifecycle], blocks, root.name)
  for (const key of Object.keys(model)) if (key !== root.name) problems.push(`${key} is not the root block of product ${product.name} (${root.name})`)
  return problems
}

export function assertDomainModel(product: ProductDeclaration, lifecycle: Lifecycle, model: Record<string, unknown>): void {
  const problems = domainModelProblems(product, lifecycle, model)
  if (problems.length) throw new DomainError(`cannot save a ${product.name} subscription as ${lifecycle}: ${problems.join('; ')}`)
}

export interface SubscriptionRef {
  /** where the reference sits, e.g. circuit.side_a.port */
  path: string
  subscription_id: string
}

/** The references of a model to other subscriptions: block_ref values given as a subscription id. */
export function subscriptionRefs(product: ProductDeclaration, model: Record<string, unknown>): SubscriptionRef[] {
  const blocks = new Map(product.blocks.map((b) => [b.name, b]))
  const walk = (block: BlockDeclaration, value: unknown, path: string): SubscriptionRef[] => {
    if (!value || typeof value !== 'object') return []
    return Object.entries(block.fields).flatMap(([name, f]) => {
      const v = (value as Record<string, unknown>)[name]
      if (f.type !== 'block_ref' || v === undefined || v === null) return []
      if (typeof v === 'string') return [{ path: `${path}.${name}`, subscription_id: v }]
      const nested = blocks.get(f.block!)
      return nested ? walk(nested, v, `${path}.${name}`) : []
    })
  }
  const root = product.blocks[0]
  return walk(root, model[root.name], root.name)
}
