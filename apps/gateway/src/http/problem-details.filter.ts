import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common'
import type { Request, Response } from 'express'
import type { Logger } from '#logging/index.js'
import { SourceOfTruthError } from '#integrations/errors.js'
import { databaseTrouble } from '#persistence/index.js'
import { answeredProblems, databaseProblem, FieldErrorsException, problem, retryAfterOf } from './problem.js'

/** An exhausted pool is a conflict with the state of the resource (RFC 9110), like a name taken already. */
const SOURCE_OF_TRUTH_STATUS: Record<SourceOfTruthError['kind'], number> = { not_found: 404, conflict: 409, exhausted: 409, invalid: 422, unavailable: 503 }
import { allowedMethods } from './input-hygiene.js'
import { loggablePath, requestIdOf } from './request-context.js'

/**
 * Every error leaves as application/problem+json (RFC 9457); a 500 never leaks internals but is logged in full.
 * A 503 says when to try again (Retry-After); a database that is busy or down is a 503 naming it, not a 500.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp()
    const req = http.getRequest<Request>()
    const res = http.getResponse<Response>()
    if (exception instanceof HttpException && exception.getStatus() === 404 && /^Cannot \w+ /.test(exception.message)) {
      // No route for this method: a path that other methods serve answers OPTIONS with them, and 405 to the rest.
      const allowed = allowedMethods(req)
      if (allowed.length) {
        res.setHeader('Allow', allowed.join(', '))
        if (req.method === 'OPTIONS') return void res.status(204).end()
        return void res
          .status(405)
          .type('application/problem+json')
          .json({ ...problem(405, `${req.path} answers ${allowed.join(', ')}, not ${req.method}.`), request_id: requestIdOf(req) })
      }
    }
    const body = this.toProblem(exception, req)
    if (body.status >= 500) this.logger.error({ err: exception, req_id: requestIdOf(req), path: loggablePath(req) }, body.detail)
    if (body.status === 503) res.setHeader('Retry-After', String(retryAfterOf(body)))
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="loom"')
    answeredProblems.set(res, body.detail)
    res.status(body.status).type('application/problem+json').json({ ...body, request_id: requestIdOf(req) })
  }

  private toProblem(exception: unknown, req: Request) {
    if (exception instanceof FieldErrorsException) return problem(exception.getStatus(), exception.message, exception.errors)
    if (exception instanceof SourceOfTruthError) return problem(SOURCE_OF_TRUTH_STATUS[exception.kind], exception.message)
    if (exception instanceof HttpException) {
      const status = exception.getStatus()
      const cause = exception.cause as { type?: string } | undefined
      if (cause?.type === 'entity.parse.failed') return problem(400, `The request body is not valid JSON: ${exception.message}`)
      if (status === 404 && /^Cannot \w+ /.test(exception.message))
        return problem(404, `No route ${req.method} ${req.path}. The API is described at /docs.`)
      return problem(status, detailOf(exception))
    }
    const trouble = databaseTrouble(exception)
    if (trouble) return databaseProblem(trouble)
    return problem(500, 'An unexpected error occurred; it has been logged with the request id.')
  }
}

function detailOf(exception: HttpException): string {
  const response = exception.getResponse()
  if (typeof response === 'string') return response
  const message = (response as { message?: unknown }).message
  if (Array.isArray(message)) return message.join('; ')
  return typeof message === 'string' ? message : exception.message
}
