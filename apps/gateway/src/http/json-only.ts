import type { NextFunction, Request, Response } from 'express'
import { problem } from './problem.js'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Writes take `application/json` only: a form post or a `text/plain` body is what a browser sends to another
 * site without asking first (no CORS preflight), so accepting them would let any web page act for a signed-in
 * operator. Refused before anything reads the body.
 */
export function jsonOnly() {
  return (req: Request, res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0
    if (!WRITES.has(req.method) || !hasBody) return next()
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return next()
    res
      .status(415)
      .type('application/problem+json')
      .json(problem(415, `A ${req.method} body must be application/json${type ? `, not ${type}` : ' (the Content-Type header is missing)'}.`))
  }
}
