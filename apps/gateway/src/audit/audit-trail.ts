import type { NextFunction, Request, Response } from 'express'
import type { Logger } from '#logging/index.js'
import { callerOf } from '../auth/auth.decorators.js'
import { UNAUTHENTICATED } from '../auth/caller.js'
import { answeredProblems } from '../http/problem.js'
import { loggablePath, requestIdOf } from '../http/request-context.js'
import type { AuditService } from './audit.service.js'

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** body fields never copied into the log */
const SECRET_FIELD = /password|secret|token|credential|^key$/i
const MAX_DETAIL = 4096
/** nginx's status for a request whose client closed the connection before the answer */
const CLIENT_CLOSED = 499

/**
 * Appends every write (and every refused credential, whatever the method) to the audit log once it has been
 * answered, with the caller the guard verified and the status the caller got.
 */
export function auditTrail(audit: AuditService, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    let recorded = false
    // 'close' alone: a caller who went away before the answer (an abort that waits) — what it asked happened all the same.
    const record = () => {
      if (recorded) return
      recorded = true
      const outcome = res.writableFinished ? res.statusCode : CLIENT_CLOSED
      if (READS.has(req.method) && outcome !== 401) return
      const caller = callerOf(req)
      const route = (req.route as { path?: string } | undefined)?.path
      audit
        .record({
          actor: caller?.user ?? UNAUTHENTICATED,
          actingFor: caller?.acting_for,
          roles: caller?.roles ?? [],
          // Unrouted (refused before routing): the path as logs show it, never a callback's token.
          action: `${req.method} ${route ? route.replace(/:(\w+)/g, '{$1}') : loggablePath(req).split('?')[0]}`,
          target: route ? targetOf(req.params) : undefined,
          requestId: requestIdOf(req),
          outcome,
          detail: detailOf(req, res),
        })
        .catch((error: Error) => logger.error({ err: error.message, method: req.method, path: route ?? req.path }, 'an audit event could not be recorded'))
    }
    res.on('finish', record)
    res.on('close', record)
    next()
  }
}

/** The path's values, minus secrets (a callback's token authorises; it must not be copied anywhere). */
function targetOf(params: Record<string, string | string[]>): string | undefined {
  const values = Object.entries(params ?? {})
    .filter(([name]) => !SECRET_FIELD.test(name))
    .map(([, v]) => String(v))
  return values.length ? values.join('/') : undefined
}

function detailOf(req: Request, res: Response): Record<string, unknown> | undefined {
  const refusal = answeredProblems.get(res)
  // Whoever is not even authenticated gets no room in a table nothing may delete from: the refusal only.
  const body = callerOf(req) && req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? withoutSecrets(req.body as Record<string, unknown>) : undefined
  if (!refusal && !body) return undefined
  const detail = { ...(body ? { request: body } : {}), ...(refusal && res.statusCode >= 400 ? { refused: refusal } : {}) }
  const text = JSON.stringify(detail)
  return text.length <= MAX_DETAIL ? detail : { truncated: text.slice(0, MAX_DETAIL) }
}

function withoutSecrets(body: Record<string, unknown>): Record<string, unknown> {
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[removed]' : strip(v)]))
        : value
  return strip(body) as Record<string, unknown>
}
