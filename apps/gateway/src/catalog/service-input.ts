// A service's input schema: compiled once per content (zod's JSON Schema reader, the same zod the forms are made
// of), and held against the start forms of the workflows it runs, so that a service never promises a field its
// workflow does not take, nor leaves out one the workflow needs.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { FormContext, StartForm } from '#contracts/forms/index.js'
import type { FieldErrorDto } from '#contracts/index.js'
import { RecentlyUsed } from './recently-used.js'

type JsonSchema = Record<string, unknown>
interface Property {
  type?: string
  default?: unknown
  enum?: unknown[]
}

const compiled = new RecentlyUsed<z.ZodType | Error>(1000)

/** The validator of a schema, or the reason zod cannot read it (at `input`). */
export function compileInput(schema: JsonSchema): { validator: z.ZodType } | { problems: FieldErrorDto[] } {
  if (schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null || Array.isArray(schema.properties)) {
    return { problems: [{ path: 'input', message: 'must be a JSON Schema of type object with properties (the fields of the workflow\'s start form it offers)' }] }
  }
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex')
  const validator = compiled.get(key, () => {
    try {
      return z.fromJSONSchema(schema)
    } catch (error) {
      return error as Error
    }
  })
  if (validator instanceof Error) return { problems: [{ path: 'input', message: `is not a JSON Schema Loom can apply: ${validator.message}` }] }
  return { validator }
}

/** The fields of a start form, page by page: each page built from placeholder answers to the pages before it. */
export interface FormFields {
  properties: Map<string, Property>
  /** fields page 1 requires that have no default */
  required: string[]
  /** a later page could not be built without real answers: fields beyond it are checked when an instance runs */
  complete: boolean
}

export async function formFields(form: StartForm<unknown>, ctx: FormContext): Promise<FormFields> {
  const properties = new Map<string, Property>()
  let required: string[] = []
  let answers: Record<string, unknown> = {}
  for (const [i, page] of form.pages.entries()) {
    let schema: JsonSchema
    try {
      schema = z.toJSONSchema(await page(ctx, answers), { io: 'input', unrepresentable: 'any' })
    } catch {
      return { properties, required, complete: false }
    }
    const own = (schema.properties ?? {}) as Record<string, Property>
    for (const [name, p] of Object.entries(own)) properties.set(name, p)
    if (i === 0) required = ((schema.required ?? []) as string[]).filter((name) => own[name]?.default === undefined)
    answers = { ...answers, ...Object.fromEntries(Object.entries(own).map(([name, p]) => [name, placeholder(p)])) }
  }
  return { properties, required, complete: true }
}

/** An answer that lets the next page be built: what the field offers first. */
function placeholder(p: Property): unknown {
  if (p.default !== undefined) return p.default
  if (p.enum?.length) return p.enum[0]
  return { integer: 0, number: 0, boolean: false, array: [], object: {} }[p.type ?? ''] ?? ''
}

/**
 * What a service's schema promises that the workflow's form does not take: a field it does not have, a type it
 * does not accept, a field it needs that the service neither asks for nor fills in.
 */
export function inputProblems(schema: JsonSchema, workflow: string, fields: FormFields): FieldErrorDto[] {
  const problems: FieldErrorDto[] = []
  const offered = (schema.properties ?? {}) as Record<string, Property>
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : [])
  for (const [name, p] of Object.entries(offered)) {
    const field = fields.properties.get(name)
    if (!field) {
      if (fields.complete) problems.push({ path: `input.properties.${name}`, message: `is not a field of ${workflow}'s start form (it has ${[...fields.properties.keys()].join(', ') || 'none'})` })
      continue
    }
    if (p.type && field.type && !sameType(p.type, field.type)) problems.push({ path: `input.properties.${name}.type`, message: `${workflow}'s start form takes ${name} as ${field.type}, not ${p.type}` })
  }
  for (const name of fields.required) {
    if (!required.has(name) && offered[name]?.default === undefined) {
      problems.push({ path: 'input.required', message: `${workflow} needs ${name}: require it, or give it a default` })
    }
  }
  return problems
}

/** An integer is a number the form may take; anything else must match. */
const sameType = (offered: string, taken: string) => offered === taken || (offered === 'integer' && taken === 'number')
