import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'
import type { Tracing } from './tracing.js'

/** Only through startTracing, which loads this module when tracing is on. */
export function startSdk(serviceName: string, endpoint?: string): Tracing {
  // Loom's name wins over OTEL_SERVICE_NAME: one environment often starts both the gateway and the workers.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }))
  // Without a URL the exporter reads the OTEL_EXPORTER_OTLP_* variables itself; a given endpoint means what the
  // variable would (the base the traces path is added to).
  const exporter = new OTLPTraceExporter(endpoint ? { url: new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href } : {})
  const spanProcessor = new BatchSpanProcessor(exporter)
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] })
  provider.register()
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation(),
      // The route (not every middleware) names the request's span.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // Queries outside any request or activity (pool housekeeping, the reconciler's polling) would each be a trace of their own.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  })
  return { resource, spanProcessor, shutdown: () => provider.shutdown() }
}
