import type { NextFunction, Request, Response } from 'express'
import { v7 as uuidv7 } from 'uuid'
import type { Logger } from '#logging/index.js'
import { callerOf } from '../auth/auth.decorators.js'

const REQUEST_ID = Symbol('requestId')
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

export function requestIdOf(req: Request): string | undefined {
  return (req as unknown as Record<symbol, string>)[REQUEST_ID]
}

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane, else a new UUIDv7),
 * returns it in the response header and logs one JSON line per request when it ends.
 */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id')
    const id = given && SAFE_ID.test(given) ? given : uuidv7()
    ;(req as unknown as Record<symbol, string>)[REQUEST_ID] = id
    res.setHeader('X-Request-Id', id)
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const level = res.statusCode >= 500 ? 'error' : req.path === '/metrics' || req.path === '/api/health' ? 'debug' : 'info'
      logger[level](
        { req_id: id, method: req.method, path: loggablePath(req), status: res.statusCode, duration_ms: Math.round(ms * 10) / 10, user: callerOf(req)?.user },
        'request',
      )
    })
    next()
  }
}

/** The URL as logs may show it: a callback's one-time token authorises, so it is never written down. */
export function loggablePath(req: Request): string {
  return req.originalUrl.replace(/(\/callback\/)[^/?#]+/, '$1[token]')
}
