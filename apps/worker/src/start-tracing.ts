// main's first import: the instrumentation patches http and pg as they load, so tracing starts before them.
import { startTracing } from '#logging/tracing.js'

startTracing('loom-worker')
