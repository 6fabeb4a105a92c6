import { Attributes, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';

/*
 * The instrumentations record more than we may export: the buyer's address and
 * browser (client.address from X-Forwarded-For, user_agent.original), query strings
 * (url.query, and inside url.full), and exception messages, which can quote input
 * (e.g. Postgres's "invalid input syntax ... "<value>""). Everything leaving the
 * process passes through here, so no instrumentation's default can leak them.
 */

/** Attributes never exported, by exact key or by prefix. */
const DROPPED_KEYS = new Set([
  'client.address',
  'client.port',
  'http.client_ip',
  'user_agent.original',
  'http.user_agent',
  'url.query',
  'exception.message',
  'exception.stacktrace',
]);
const DROPPED_PREFIXES = ['http.request.header.', 'http.response.header.', 'db.query.parameter.', 'enduser.'];
/** Kept without their query string and fragment. */
const URL_KEYS = new Set(['url.full', 'http.url', 'http.target']);
/** On a server span the peer is the caller (a buyer's browser when no gateway is in between). */
const SERVER_PEER_KEYS = new Set(['network.peer.address', 'network.peer.port', 'net.peer.ip']);

export function redactAttributes(attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (DROPPED_KEYS.has(key) || DROPPED_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    if (kind === SpanKind.SERVER && SERVER_PEER_KEYS.has(key)) continue;
    out[key] = URL_KEYS.has(key) && typeof value === 'string' ? value.replace(/[?#].*$/s, '') : value;
  }
  return out;
}

/** A copy of the span with redacted attributes (its own and its events'), and no status message. */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes: redactAttributes(span.attributes, span.kind),
    links: span.links.map((link) => ({
      ...link,
      attributes: link.attributes && redactAttributes(link.attributes),
    })),
    events: span.events.map((event) => ({
      ...event,
      attributes: event.attributes && redactAttributes(event.attributes),
    })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Exports through `inner` only redacted copies of the spans. */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans.map(redactSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
