import { DECORATORS } from '@nestjs/swagger'
import { getMetadataStorage } from 'class-validator'

interface Rule {
  name?: string
  type: string
  propertyName: string
  constraints?: unknown[]
  each?: boolean
}
type Fragment = Record<string, unknown>

/**
 * What each class-validator rule tells a client, in JSON Schema terms. A rule missing here changes nothing in the
 * document (a custom check such as @IsHostAddress says itself in its property's description).
 */
const SCHEMA_OF: Record<string, (constraints: unknown[]) => Fragment> = {
  isInt: () => ({ type: 'integer' }),
  min: ([n]) => ({ minimum: n }),
  max: ([n]) => ({ maximum: n }),
  isUuid: () => ({ format: 'uuid' }),
  maxLength: ([n]) => ({ maxLength: n }),
  minLength: ([n]) => ({ minLength: n }),
  matches: ([pattern]) => ({ pattern: (pattern as RegExp).source }),
  isIso8601: () => ({ format: 'date-time' }),
  isEmail: () => ({ format: 'email' }),
  isBoolean: () => ({ type: 'boolean' }),
  arrayMaxSize: ([n]) => ({ maxItems: n }),
  isIn: ([values]) => ({ enum: values }),
}

/**
 * Writes what the validators of every DTO enforce into the OpenAPI metadata of its properties, before the document
 * is generated: integers are integers, ids are UUIDs, lengths and patterns are the ones refused beyond. The document
 * then promises exactly what LoomValidationPipe accepts — for bodies and for query strings alike (both come from
 * these classes); null is taken only where a property says `nullable` (undeclaredNulls).
 */
export function documentValidators(): void {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<abstract new (...args: never[]) => unknown, Rule[]> }
  for (const [target, rules] of storage.validationMetadatas) {
    const byProperty = new Map<string, Rule[]>()
    for (const rule of rules) byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule])
    for (const [property, own] of byProperty) {
      const documented = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, target.prototype as object, property) as Fragment | undefined
      if (!documented) continue
      const isArray = documented.isArray === true || Array.isArray(documented.type)
      const fragment: Fragment = {}
      for (const rule of own) {
        const schema = rule.name ? SCHEMA_OF[rule.name]?.(rule.constraints ?? []) : undefined
        if (!schema) continue
        // A rule on each item of an array speaks of the items; swagger's property options do too when isArray.
        if (isArray && !rule.each && !('maxItems' in schema)) continue
        Object.assign(fragment, schema)
      }
      // An integer's type replaces swagger's Number; everything else fills what the decorator left unsaid.
      const merged = { ...fragment, ...documented, ...(fragment.type === 'integer' ? { type: 'integer' } : {}) }
      Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES, merged, target.prototype as object, property)
    }
  }
}

/**
 * The fields of a validated body (nested ones by dotted path) that hold null though their OpenAPI metadata does
 * not say `nullable`: class-validator's @IsOptional lets null through as if the field were absent.
 */
export function undeclaredNulls(value: unknown, prefix = ''): string[] {
  // Items of an array of nested DTOs are DTOs too (a null item is the array's own rule's to refuse).
  if (Array.isArray(value)) return value.flatMap((item, i) => (item === null ? [] : undeclaredNulls(item, `${prefix}.${i}`)))
  if (!value || typeof value !== 'object') return []
  const prototype = Object.getPrototypeOf(value) as object | null
  if (!prototype || prototype === Object.prototype) return []
  return Object.entries(value).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key
    if (field !== null) return undeclaredNulls(field, path)
    const documented = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, key) as Fragment | undefined
    return documented?.nullable === true ? [] : [path]
  })
}
