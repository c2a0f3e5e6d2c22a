import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Request } from 'express'
import { loggablePath } from './request-context.js'

test("a callback's one-time token never reaches the request log; other paths are logged as they are", () => {
  const path = (originalUrl: string) => loggablePath({ originalUrl } as Request)
  assert.equal(path('/api/processes/019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b/callback/s3cr3t-t0k3n'), '/api/processes/019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b/callback/[token]')
  assert.equal(path('/api/processes/x/callback/s3cr3t?a=1'), '/api/processes/x/callback/[token]?a=1')
  assert.equal(path('/api/processes?status=waiting'), '/api/processes?status=waiting')
})
