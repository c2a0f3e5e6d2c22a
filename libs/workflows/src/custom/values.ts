// How a step's `with` values and a `when`'s condition read the process state as it stands when the step runs.
import { type Condition, isRef } from './definition.js'

type State = Record<string, unknown>

/** The state key a ref's root names: `input`, a step's name, or the process's own arguments. */
export function lookup(ref: string, state: State): unknown {
  const [root, ...path] = ref.split('.')
  let at: unknown = root === 'steps' ? state : root === 'process' ? state : state[root]
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as State)[key]
  }
  return at
}

/** A `with` value with every `$ref` replaced by what it reads now (undefined fields are left out). */
export function resolve(value: unknown, state: State): unknown {
  if (isRef(value)) return lookup(value.$ref, state)
  if (Array.isArray(value)) return value.map((v) => resolve(v, state))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => {
      const resolved = resolve(v, state)
      return resolved === undefined ? [] : [[k, resolved]]
    }))
  }
  return value
}

export function holds(condition: Condition, state: State): boolean {
  const values = (pair: [unknown, unknown]) => pair.map((v) => resolve(v, state)) as [unknown, unknown]
  if ('and' in condition) return condition.and.every((c) => holds(c, state))
  if ('or' in condition) return condition.or.some((c) => holds(c, state))
  if ('not' in condition) return !holds(condition.not, state)
  if ('exists' in condition) {
    const v = resolve(condition.exists, state)
    return v !== undefined && v !== null
  }
  if ('eq' in condition) {
    const [a, b] = values(condition.eq)
    return JSON.stringify(a) === JSON.stringify(b)
  }
  if ('ne' in condition) {
    const [a, b] = values(condition.ne)
    return JSON.stringify(a) !== JSON.stringify(b)
  }
  if ('gt' in condition) {
    const [a, b] = values(condition.gt)
    return comparable(a, b) && (a as number) > (b as number)
  }
  if ('lt' in condition) {
    const [a, b] = values(condition.lt)
    return comparable(a, b) && (a as number) < (b as number)
  }
  const [a, b] = values(condition.in)
  return Array.isArray(b) && b.some((x) => JSON.stringify(x) === JSON.stringify(a))
}

function comparable(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
}
