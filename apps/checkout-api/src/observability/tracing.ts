import type { IncomingMessage } from 'node:http';
import { Context, diag, DiagLogLevel } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  Sampler,
  Span,
  SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import pino from 'pino';
import type { TracingConfig } from '../config/app-config';
import { RedactingSpanExporter } from './span-redaction';

/* Probes and scrapes: frequent, and of no use in a trace. */
const UNTRACED_PATHS = /^\/(health\/|metrics(\?|$))/;
const NEST_SCOPE = '@opentelemetry/instrumentation-nestjs-core';

let provider: NodeTracerProvider | undefined;

/**
 * Starts the OpenTelemetry SDK: W3C trace context in and out, spans of incoming
 * HTTP, the Nest handlers, pg, ioredis and outgoing HTTP (the provider calls),
 * batched to the OTLP/HTTP endpoint. Must run before those modules are loaded.
 */
export function startTracing(config: TracingConfig): void {
  if (!config.enabled || provider) return;
  const logger = pino({ level: 'warn', base: { component: 'opentelemetry' } });
  diag.setLogger(
    {
      error: (message, ...args) => logger.error({ details: args.map(String) }, message),
      warn: (message, ...args) => logger.warn({ details: args.map(String) }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const exporter = config.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  provider = new NodeTracerProvider({
    resource: defaultResource()
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }))
      .merge(detectResources({ detectors: [envDetector] })),
    sampler: sampler(config),
    spanProcessors: [new HttpRouteFromNest(), new BatchSpanProcessor(new RedactingSpanExporter(exporter))],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
        // Outgoing calls are traced while serving a request (the providers), not on their own.
        requireParentforOutgoingSpans: true,
      }),
      new NestInstrumentation(),
      // Statements are recorded with their $n placeholders, never with their values.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      // Keys and arguments hold merchant ids and idempotency keys: only the command name is kept.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
}

/** Exports the spans still buffered; called once the app has closed. */
export async function shutdownTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  await current?.shutdown();
}

function sampler(config: TracingConfig): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) });
  }
}

/**
 * The HTTP server span knows the path, not the route template; Nest's span knows the
 * template. Handing it over names the server span "POST /api/v1/sessions" and gives it
 * http.route, without the path's ids.
 */
class HttpRouteFromNest implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const route = span.attributes[ATTR_HTTP_ROUTE];
    if (span.instrumentationScope.name !== NEST_SCOPE || typeof route !== 'string') return;
    const metadata = getRPCMetadata(parentContext);
    if (metadata?.type === RPCType.HTTP) metadata.route = route;
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
