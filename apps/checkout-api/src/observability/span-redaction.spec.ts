import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { redactAttributes, RedactingSpanExporter, redactSpan } from './span-redaction';

function span(overrides: Partial<ReadableSpan> = {}): ReadableSpan {
  const context = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
  return {
    name: 'GET /checkout/:sessionId',
    kind: SpanKind.SERVER,
    spanContext: () => context,
    startTime: [1, 0],
    endTime: [2, 0],
    status: { code: SpanStatusCode.ERROR, message: 'invalid input syntax for type uuid: "jane@example.com"' },
    attributes: {},
    links: [],
    events: [],
    duration: [1, 0],
    ended: true,
    resource: {} as ReadableSpan['resource'],
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

describe('span redaction', () => {
  it("drops the caller's address and browser, query strings, headers and SQL parameters", () => {
    expect(
      redactAttributes(
        {
          'client.address': '203.0.113.7',
          'user_agent.original': 'Mozilla/5.0',
          'url.query': 'email=jane@example.com',
          'http.request.header.authorization': ['Bearer x'],
          'http.response.header.set-cookie': ['sid=1'],
          'db.query.parameter.0': 'jane@example.com',
          'enduser.id': 'jane',
          'network.peer.address': '203.0.113.7',
          'http.route': '/checkout/:sessionId',
          'http.response.status_code': 200,
        },
        SpanKind.SERVER,
      ),
    ).toEqual({ 'http.route': '/checkout/:sessionId', 'http.response.status_code': 200 });
  });

  it('keeps URLs without their query string or fragment, and the peer of client spans', () => {
    expect(
      redactAttributes(
        {
          'url.full': 'http://sandbox/checkout/sessions?token=secret#frag',
          'http.url': 'http://x/y?z=1',
          'http.target': '/y?z=1',
          'network.peer.address': '10.0.0.5',
        },
        SpanKind.CLIENT,
      ),
    ).toEqual({
      'url.full': 'http://sandbox/checkout/sessions',
      'http.url': 'http://x/y',
      'http.target': '/y',
      'network.peer.address': '10.0.0.5',
    });
  });

  it('strips exception messages and stack traces from events, and the status message, keeping the rest', () => {
    const redacted = redactSpan(
      span({
        attributes: { 'url.full': '/checkout/1?email=jane@example.com' },
        events: [
          {
            name: 'exception',
            time: [1, 5],
            attributes: {
              'exception.type': 'QueryFailedError',
              'exception.message': 'invalid input syntax "jane@example.com"',
              'exception.stacktrace': 'QueryFailedError: invalid input syntax "jane@example.com"\n  at x',
            },
          },
        ],
      }),
    );
    expect(JSON.stringify(redacted)).not.toContain('jane@example.com');
    expect(redacted.events[0]).toEqual({
      name: 'exception',
      time: [1, 5],
      attributes: { 'exception.type': 'QueryFailedError' },
    });
    expect(redacted.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(redacted.spanContext().spanId).toBe('b'.repeat(16));
    expect(redacted.name).toBe('GET /checkout/:sessionId');
  });

  it('hands only redacted copies to the wrapped exporter', () => {
    const export_ = jest.fn<void, Parameters<SpanExporter['export']>>();
    const inner: SpanExporter = { export: export_, shutdown: jest.fn(() => Promise.resolve()) };
    const callback = jest.fn();
    new RedactingSpanExporter(inner).export(
      [span({ attributes: { 'client.address': '1.2.3.4' } })],
      callback,
    );
    expect(export_).toHaveBeenCalledTimes(1);
    expect(export_.mock.calls[0][0][0].attributes).toEqual({});
    expect(export_.mock.calls[0][1]).toBe(callback);
  });
});
