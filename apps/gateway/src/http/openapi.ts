import { ApiParam, type OpenAPIObject } from '@nestjs/swagger'

type Schema = { $ref?: string } & Record<string, unknown>
interface Response {
  description: string
  headers?: Record<string, unknown>
  content?: Record<string, { schema?: Schema; example?: unknown; examples?: unknown }>
}
interface Operation {
  parameters?: { in: string; name: string; schema?: Schema; required?: boolean; description?: string }[]
  requestBody?: { required?: boolean; content?: Record<string, unknown> }
  responses: Record<string, Response>
  security?: unknown[]
}

const PROBLEM = '#/components/schemas/ProblemDto'
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const

/**
 * Answers every route may give, whatever its own decorators say: the gateway's middlewares, pipes and filter
 * answer them before or around the controller (input-hygiene.ts, json-only.ts, validation.pipe.ts, auth).
 */
const ANY_ROUTE: Record<string, string> = {
  414: 'the request target (path and query string) is longer than the 8 KiB the API takes',
  400: 'the request is malformed: a path or query parameter, a header or the body fails validation (the problem names each field), or holds text PostgreSQL cannot keep (NUL, a lone surrogate, an integer past 2^53)',
}
const WITH_PATH_PARAMETERS: Record<string, string> = { 404: 'nothing is there by that name or id' }
const WITH_BODY: Record<string, string> = {
  413: 'the body is larger than the gateway takes',
  422: 'a field of the body is missing or invalid (the problem names each one)',
  415: 'the body is not application/json',
}
const AUTHENTICATED: Record<string, string> = {
  401: 'no credentials, or credentials Loom does not accept',
  403: 'the caller lacks the permission the operation names',
}

/**
 * Makes the generated document say what the API does: each error a route can answer is declared as
 * application/problem+json (RFC 9457) with the problem's schema — the ones its decorators name, and the ones the
 * gateway's common machinery gives any route of its kind; path parameters and bodies are required where the
 * route needs them. test/e2e/openapi-conformance.test.ts holds the API to this document.
 */
export function exactDocument(document: OpenAPIObject, vocabularies: Record<string, string[]> = {}): OpenAPIObject {
  mergeSameTemplates(document)
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>
  const bodies: Schema[] = []
  for (const operation of operationsOf(document)) {
    exactOperation(operation)
    for (const parameter of operation.parameters ?? []) nameVocabulary(parameter, vocabularies)
    for (const media of Object.values(operation.requestBody?.content ?? {})) {
      const schema = (media as { schema?: Schema }).schema
      if (schema) bodies.push(schema)
    }
  }
  for (const schema of Object.values(schemas)) boundNumbers(schema)
  for (const operation of operationsOf(document)) optionalBody(operation, schemas)
  for (const name of reachable(bodies, schemas)) closeObject(schemas[name])
  return document
}

/** Every number the API keeps is a JavaScript number: integers past 2^53 are refused (input-hygiene.ts). */
function boundNumbers(schema: Schema): void {
  if (schema.type === 'integer' || schema.type === 'number') {
    schema.maximum ??= Number.MAX_SAFE_INTEGER
    schema.minimum ??= -Number.MAX_SAFE_INTEGER
  }
  for (const property of Object.values((schema.properties ?? {}) as Record<string, Schema>)) boundNumbers(property)
  if (schema.items) boundNumbers(schema.items as Schema)
}

/** A request body takes no field its DTO does not declare (LoomValidationPipe: forbidNonWhitelisted). */
function closeObject(schema: Schema): void {
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false
}

/** The component schemas a request body refers to, directly or through its fields. */
function reachable(roots: Schema[], schemas: Record<string, Schema>): Set<string> {
  const found = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    const ref = (node as Schema).$ref
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length)
      if (!found.has(name)) {
        found.add(name)
        visit(schemas[name])
      }
    }
    for (const value of Object.values(node)) visit(value)
  }
  roots.forEach(visit)
  return found
}

function exactOperation(operation: Operation): void {
  const responses = operation.responses
  const add = (codes: Record<string, string>) => {
    for (const [code, description] of Object.entries(codes)) responses[code] ??= { description }
  }
  add(ANY_ROUTE)
  if (operation.parameters?.some((p) => p.in === 'path')) add(WITH_PATH_PARAMETERS)
  if (operation.requestBody) add(WITH_BODY)
  if (operation.security?.length) add(AUTHENTICATED)
  for (const [code, response] of Object.entries(responses)) {
    if (Number(code) < 400) continue
    const declared = response.content ? Object.values(response.content)[0]?.schema : undefined
    // An error with its own body (health's 503 is its report) keeps it; the rest are problems.
    if (declared && declared.$ref !== PROBLEM) continue
    response.content = { 'application/problem+json': { schema: { $ref: PROBLEM } } }
  }
  // Credentials are the security scheme's (Authorization: Bearer); a route that reads the header itself (health,
  // for who may see reasons) takes it as that scheme says, never as a parameter of its own.
  operation.parameters = operation.parameters?.filter((p) => !(p.in === 'header' && p.name.toLowerCase() === 'authorization'))
  // A header a handler reads (@Headers) is listed once, as its @ApiHeader describes it: names are case-blind, and
  // a header no decorator describes is optional (the handlers take undefined).
  const described = new Set(operation.parameters?.filter((p) => p.in === 'header' && p.description).map((p) => p.name.toLowerCase()))
  operation.parameters = operation.parameters?.filter((p) => !(p.in === 'header' && !p.description && described.has(p.name.toLowerCase())))
  for (const parameter of operation.parameters ?? []) if (parameter.in === 'header' && !parameter.description) parameter.required = false
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'path') parameter.required = true
    // A query string has no null: @IsOptional's null (validator-schema.ts) is for bodies.
    if (parameter.in !== 'path' && parameter.schema) delete parameter.schema.nullable
    if (parameter.schema) boundNumbers(parameter.schema)
  }
}

/**
 * Two routes whose paths differ only in the name of a parameter (POST /api/processes/{workflow}, GET
 * /api/processes/{id}) are one path to OpenAPI, which forbids writing it twice: they become one path item whose
 * segment is named for both ({workflow_or_id}), each operation keeping its own description of it.
 */
function mergeSameTemplates(document: OpenAPIObject): void {
  const paths = document.paths as Record<string, Record<string, Operation>>
  const names = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
  const byShape = new Map<string, string[]>()
  for (const path of Object.keys(paths)) {
    const shape = path.replace(/\{[^}]+\}/g, '{}')
    byShape.set(shape, [...(byShape.get(shape) ?? []), path])
  }
  for (const same of byShape.values()) {
    if (same.length < 2) continue
    const each = same.map(names)
    const merged = each[0].map((_, i) => [...new Set(each.map((n) => n[i]))].join('_or_'))
    let template = same[0]
    each[0].forEach((name, i) => (template = template.replace(`{${name}}`, `{${merged[i]}}`)))
    const item: Record<string, Operation> = {}
    same.forEach((path, p) => {
      for (const [method, operation] of Object.entries(paths[path])) {
        for (const parameter of operation.parameters ?? []) {
          const at = parameter.in === 'path' ? each[p].indexOf(parameter.name) : -1
          if (at >= 0) parameter.name = merged[at]
        }
        item[method] = operation
      }
      delete paths[path]
    })
    paths[template] = item
  }
}

function* operationsOf(document: OpenAPIObject): Generator<Operation> {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method]
      if (operation) yield operation
    }
  }
}

/** A body none of whose fields is required may be left out: LoomValidationPipe takes no body as {}. */
function optionalBody(operation: Operation, schemas: Record<string, Schema>): void {
  const media = Object.values(operation.requestBody?.content ?? {})[0] as { schema?: Schema } | undefined
  const ref = media?.schema?.$ref
  const schema = ref?.startsWith('#/components/schemas/') ? schemas[ref.slice('#/components/schemas/'.length)] : undefined
  if (operation.requestBody && schema && !(schema.required as string[] | undefined)?.length) operation.requestBody.required = false
}

const ONE_OF = 'x-loom-one-of'

/**
 * A path parameter that names one of a set known only to the running gateway (its workflows): documented with
 * that set as its enum once the document is made (exactDocument's vocabularies).
 */
export const ApiNamedParam = (name: string, vocabulary: string, description: string) =>
  ApiParam({ name, description, schema: { type: 'string', [ONE_OF]: vocabulary } as never })

function nameVocabulary(parameter: { schema?: Schema }, vocabularies: Record<string, string[]>): void {
  const vocabulary = parameter.schema?.[ONE_OF]
  if (typeof vocabulary !== 'string') return
  delete parameter.schema![ONE_OF]
  const names = vocabularies[vocabulary]
  if (names?.length) parameter.schema!.enum = names
}
