import { Attributes, Span, SpanStatusCode, trace } from '@opentelemetry/api';

/* A proxy until the SDK registers a provider (apps/checkout-api/src/observability/tracing.ts);
 * with tracing off it stays a no-op tracer whose spans record nothing. */
const tracer = trace.getTracer('checkout-orchestrator');

export interface SpanOutcome<T> {
  /** Attributes learned from the result, e.g. an outcome. Only evaluated when the span records. */
  onResult?: (result: T) => Attributes;
  /** Attributes learned from a failure. Only evaluated when the span records. */
  onError?: (error: unknown) => Attributes;
}

/**
 * Runs `fn` inside a span of our own, the child of whatever span is active. Attributes
 * must never carry personal data or secrets: ids, counts, outcomes and scores only.
 * A failure marks the span as an error with its type (a domain code or the error's
 * name), not its message, which may quote input.
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  outcome: SpanOutcome<T> = {},
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await fn(span);
      if (outcome.onResult && span.isRecording()) span.setAttributes(outcome.onResult(result));
      return result;
    } catch (error) {
      if (span.isRecording()) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttributes({ 'error.type': errorType(error), ...outcome.onError?.(error) });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}

function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}
