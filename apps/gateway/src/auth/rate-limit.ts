import { ThrottlerModule } from '@nestjs/throttler'
import type { Request } from 'express'
import type { LoomConfig } from '#config/index.js'
import { callerOf } from './auth.decorators.js'

/**
 * Requests per minute per caller (LOOM_RATE_LIMIT): one identity — a leaked key, a runaway script — cannot
 * crowd out everyone else. Counted per verified identity, across all routes; callers without one by address.
 */
export function rateLimit(config: LoomConfig) {
  const limit = config.auth.rateLimitPerMinute
  return ThrottlerModule.forRoot({
    throttlers: [{ ttl: 60_000, limit: limit || Number.MAX_SAFE_INTEGER }],
    skipIf: () => limit === 0,
    getTracker: (req) => callerOf(req as Request)?.user ?? (req as Request).ip ?? 'unknown',
    generateKey: (_context, tracker) => tracker,
    errorMessage: `More than ${limit} requests a minute from one caller (LOOM_RATE_LIMIT); wait for the time Retry-After gives.`,
  })
}
