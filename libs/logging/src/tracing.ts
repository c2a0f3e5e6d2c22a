import type { Resource } from '@opentelemetry/resources'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node'
import type * as Sdk from './tracing-sdk.js'

/** The OpenTelemetry SDK of this process, when tracing is on. */
export interface Tracing {
  readonly resource: Resource
  /** where spans end: the worker hands it the spans its workflows make in their sandbox */
  readonly spanProcessor: SpanProcessor
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>
}

let active: Tracing | undefined

/**
 * Starts OpenTelemetry tracing (OTLP over HTTP) when `endpoint` is given or OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and does nothing otherwise. The instrumentation of http, express
 * and pg patches those modules as they are loaded: call this before anything loads them. Once per process: a
 * second call returns the first SDK.
 */
export function startTracing(serviceName: string, endpoint?: string): Tracing | undefined {
  if (active) return active
  if (!endpoint && !process.env.OTEL_EXPORTER_OTLP_ENDPOINT && !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined
  if (process.env.OTEL_SDK_DISABLED === 'true') return undefined
  // Loaded only here: the SDK and its instrumentations take a few hundred milliseconds to load, which a process
  // without tracing should not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./tracing-sdk.js') as typeof Sdk
  active = startSdk(serviceName, endpoint)
  return active
}

/** The SDK startTracing started, if any. */
export const activeTracing = (): Tracing | undefined => active
