// Input that no field of the API can take, refused before anything reads it: PostgreSQL stores no NUL character and
// no lone UTF-16 surrogate (it would answer with an error, a 500), and no integer here needs more than the 53 bits a
// JSON number keeps exactly (9223372036854775808 arrives as 9223372036854776000).
import type { NextFunction, Request, Response } from 'express'
import type { FieldErrorDto } from '#contracts/index.js'
import { problem } from './problem.js'

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/
/** a high surrogate not followed by a low one, or a low one not after a high one */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** What is wrong with each string and number in `value`, by its path (`name`, `items.2.description`). */
export function unstorable(value: unknown, path = ''): FieldErrorDto[] {
  if (typeof value === 'string') {
    if (NUL.test(value)) return [{ path, message: 'contains a NUL character (\\u0000), which no field takes' }]
    if (LONE_SURROGATE.test(value)) return [{ path, message: 'contains a lone UTF-16 surrogate (e.g. \\udfff), which is no character' }]
    return []
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? [{ path, message: `is out of range: integers here are at most ${Number.MAX_SAFE_INTEGER} in size` }] : []
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorable(v, join(path, String(i))))
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [...unstorable(k, join(path, '(key)')), ...unstorable(v, join(path, k))])
  }
  return []
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key)

/** The longest request target answered; Node itself refuses a request line past its header limit (16 KiB) with 431. */
const MAX_URL = 8 * 1024

/** Methods the API serves somewhere; any other (TRACE, CONNECT, PROPFIND …) is a 405 wherever it is sent. */
const SERVED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/** 414 for an overlong request target, 405 for a method nothing serves: before routing, logging or authentication. */
export function requestLine() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!SERVED_METHODS.includes(req.method)) {
      res.status(405).setHeader('Allow', SERVED_METHODS.join(', '))
      return void res.type('application/problem+json').json(problem(405, `The API serves no ${req.method} requests.`))
    }
    if (req.originalUrl.length > MAX_URL) {
      return void res.status(414).type('application/problem+json').json(problem(414, `The request target is ${req.originalUrl.length} characters long; the API takes at most ${MAX_URL} (search with shorter terms).`))
    }
    next()
  }
}

interface RouteLayer {
  route?: { methods: Record<string, boolean> }
  match(path: string): unknown
}

/** The methods some route serves at this path (from Express's own routing table), upper case; none: no such path. */
export function allowedMethods(req: Request): string[] {
  const app = req.app as unknown as { router?: { stack: RouteLayer[] } }
  const methods = new Set<string>()
  for (const layer of app.router?.stack ?? []) {
    if (layer.route && layer.match(req.path)) for (const m of Object.keys(layer.route.methods)) methods.add(m.toUpperCase())
  }
  if (methods.has('GET')) methods.add('HEAD')
  if (methods.size) methods.add('OPTIONS')
  return [...methods].sort()
}
