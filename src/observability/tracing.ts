// OpenTelemetry tracing, started by src/server.ts before the server's modules load, and only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise nothing imports this file, and no OpenTelemetry
// SDK, exporter or instrumentation is loaded (prom-client loads the API package alone, a no-op without them). Three sources of spans, no more:
// - instrumentation-http: the SERVER span of each request that comes through the socket, named
//   after its route template (which @fastify/otel hands it);
// - @fastify/otel (registered first in buildApp): a `request` span below it (with http.route) and
//   one per route handler; lifecycle hooks get none (a dozen spans per request that said little);
// - instrumentation-pg: a span per SQL statement (the ORM's too: adapter-pg queries the same pool),
//   with its text in db.query.text and never its parameter values, which may hold unpublished
//   content. Statements outside a request (the background worker's polling) make no spans, nor do
//   pool connections.
// The request id (Fastify's request.id) is set on the SERVER span and the request span as
// newsdesk.request_id, and the trace id goes into the request's access-log line. A preview's path
// is recorded without its token, as in the access log; health probes and /metrics scrapes make no spans.
// instrumentation-pg patches pg as it is first required, ES module imports included (checked on
// Node 20, 22 and 24, through tsx and the built files): no loader hook (import-in-the-middle).
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { type Context, context, isSpanContextValid, type Span, TraceFlags, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { NodeSDK } from '@opentelemetry/sdk-node'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import type { TracingConfig } from '../config.js'
import { redactPreviewPath } from '../modules/previews/previews.tokens.js'

/** The attribute holding the request id (the X-Request-Id response header, `requestId` in the log). */
export const requestIdAttribute = 'newsdesk.request_id'

export interface TracingOptions extends Pick<TracingConfig, 'serviceName'> {
  /**
   * Where finished spans go. By default they are batched to the OTLP/HTTP exporter (JSON), which
   * reads OTEL_EXPORTER_OTLP_ENDPOINT and the other standard OTEL_EXPORTER_OTLP_* and OTEL_BSP_*
   * variables itself; tests pass a processor over an in-memory exporter.
   */
  spanProcessor?: SpanProcessor
}

/** What the rest of the server sees of tracing (src/start.ts and buildApp). */
export interface Tracing {
  /** Registered first in buildApp, so that every route and hook after it runs inside the request's span. */
  plugin: FastifyPluginCallback
  /** The trace a request belongs to, for its access-log line (undefined: not traced, or not sampled). */
  traceId(request: FastifyRequest): string | undefined
  /** Ends the SDK: exports the spans still waiting in the batch (graceful shutdown). */
  shutdown(): Promise<void>
}

/** Probes and scrapes, every few seconds from every balancer and Prometheus: not traced. */
function isOperational(path: string): boolean {
  return path.startsWith('/health/') || path === '/metrics'
}

/** A preview's path without its token (a credential): spans show what the access log shows. */
function redactedPath(url: string): string | undefined {
  return url.startsWith('/v1/preview/') ? redactPreviewPath(url).replace(/[?#].*$/, '') : undefined
}

export function startTracing(options: TracingOptions): Tracing {
  const fastify = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    ignorePaths: ({ url }) => isOperational(url),
    requestHook: (span: Span, request: FastifyRequest) => {
      // The HTTP server span the request runs in (absent for app.inject, where `span` is the SERVER span).
      const server = trace.getSpan(context.active())
      for (const s of [span, server]) {
        s?.setAttribute(requestIdAttribute, request.id)
        const path = redactedPath(request.url)
        if (path) s?.setAttribute('url.path', path)
      }
    },
  })
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...(options.spanProcessor
      ? { spanProcessors: [options.spanProcessor] }
      : { traceExporter: new OTLPTraceExporter() }),
    // Traces only: without these the SDK would also start OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // Outgoing requests (webhook deliveries, S3, the exporter itself) are not traced.
      new HttpInstrumentation({
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (request) => isOperational((request.url ?? '').replace(/[?#].*$/, '')),
        // Set as the span starts, over the path it would record.
        startIncomingSpanHook: (request) => {
          const path = redactedPath(request.url ?? '')
          return path ? { 'url.path': path } : {}
        },
      }),
      new PgInstrumentation({ ignoreConnectSpans: true, requireParentSpan: true, enhancedDatabaseReporting: false }),
      fastify,
    ],
  })
  sdk.start()
  return {
    plugin: fastify.plugin(),
    traceId(request) {
      const ctx: Context = request.opentelemetry().context ?? context.active()
      const span = trace.getSpanContext(ctx)
      // A log line names a trace only when the trace is recorded (a sampler may leave it out).
      return span && isSpanContextValid(span) && span.traceFlags & TraceFlags.SAMPLED ? span.traceId : undefined
    },
    shutdown: () => sdk.shutdown(),
  }
}
