// main's first import: the instrumentation patches http, express and pg as they load, so tracing starts before them.
import { createRequire } from 'node:module'
import { startTracing } from '#logging/tracing.js'

if (startTracing('loom-gateway')) {
  // Nest (ESM) imports express through Node's ESM loader, which the instrumentation's require hook does not see:
  // required here first, as Nest resolves it, express is patched in the one module object both then share.
  createRequire(require.resolve('@nestjs/platform-express'))('express')
}
