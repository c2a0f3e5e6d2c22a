import type { NextFunction, Request, Response } from 'express'
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'

/** One registry per gateway instance (tests run several in one process). */
export function createMetricsRegistry(): { registry: Registry; httpDuration: Histogram<'method' | 'route' | 'status_code'> } {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  return { registry, httpDuration }
}

/** Labels by route template (/api/processes/:id), not by raw path, so the series stay few. */
export function httpMetrics(httpDuration: Histogram<'method' | 'route' | 'status_code'>) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer()
    res.on('finish', () => {
      const template = (req.route as { path?: string } | undefined)?.path
      const route = template ? `${req.baseUrl}${template}` : 'unmatched'
      end({ method: req.method, route, status_code: String(res.statusCode) })
    })
    next()
  }
}
