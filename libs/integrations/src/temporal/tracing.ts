import { createTraceState, type SpanContext } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node'
import type { ClientInterceptors } from '@temporalio/client'
import type * as TemporalOtel from '@temporalio/interceptors-opentelemetry'
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker'
import type { WorkflowInfo } from '@temporalio/workflow'
import type { Tracing } from '#logging/tracing.js'

// Loaded only with tracing on, as the SDK is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const temporalOtel = () => require('@temporalio/interceptors-opentelemetry') as typeof TemporalOtel

/** The workflow interceptors, for the bundler: a worker's workflow bundle holds them only when tracing is on. */
export const workflowTracingModule = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')

/** A client whose workflow starts, updates and signals continue the caller's trace (the context goes in Temporal's headers). */
export function clientTracingInterceptors(tracing: Tracing | undefined): ClientInterceptors {
  return tracing ? { workflow: [new (temporalOtel().OpenTelemetryWorkflowClientInterceptor)()] } : {}
}

/** A worker's activities in their workflow's trace, and the spans its workflows make in their sandbox exported. */
export function workerTracing(tracing: Tracing): { activity: ActivityInterceptorsFactory; sinks: InjectedSinks<TemporalOtel.OpenTelemetrySinks> } {
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } = temporalOtel()
  return {
    activity: (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    sinks: {
      exporter: {
        export: {
          fn: (info, spans) => {
            for (const span of spans) tracing.spanProcessor.onEnd(readableSpan(span, info, tracing))
          },
        },
      },
    },
  }
}

/**
 * The package's own makeWorkflowExporter builds the spans of OpenTelemetry 1.x (`parentSpanId`,
 * `instrumentationLibrary`), which the 2.x exporter cannot send (no parent, and it fails on the missing scope), and
 * copies all of WorkflowInfo (memo, search attributes) into every span: this one builds 2.x spans with the ids only.
 */
function readableSpan(span: TemporalOtel.SerializableSpan, info: WorkflowInfo, tracing: Tracing): ReadableSpan {
  const { spanContext, parentSpanId, instrumentationLibrary, attributes, ...rest } = span
  const { traceState, ...ids } = spanContext
  const context: SpanContext = { ...ids, ...(traceState ? { traceState: createTraceState(traceState) } : {}) }
  return {
    ...rest,
    spanContext: () => context,
    ...(parentSpanId ? { parentSpanContext: { traceId: ids.traceId, spanId: parentSpanId, traceFlags: ids.traceFlags } } : {}),
    attributes: { ...attributes, temporalWorkflowId: info.workflowId, run_id: info.runId },
    instrumentationScope: instrumentationLibrary,
    resource: tracing.resource,
  }
}
