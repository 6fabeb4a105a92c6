import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { DomainError } from '../errors/domain-error';
import { withSpan } from './span';

describe('withSpan', () => {
  describe('without a tracer provider (tracing off)', () => {
    it('runs the function and returns its result without evaluating the outcome attributes', async () => {
      const onResult = jest.fn(() => ({}));
      await expect(withSpan('noop', {}, async () => 42, { onResult })).resolves.toBe(42);
      expect(onResult).not.toHaveBeenCalled();
    });
  });

  describe('with a tracer provider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

    beforeAll(() => provider.register());
    afterEach(() => exporter.reset());
    afterAll(() => provider.shutdown());

    it('records a child of the active span with its attributes and those of the result', async () => {
      const tracer = trace.getTracer('test');
      await tracer.startActiveSpan('parent', async (parent) => {
        await withSpan('child', { 'route.id': 'r1' }, async () => ({ kind: 'claimed' }), {
          onResult: (result) => ({ 'idempotency.outcome': result.kind }),
        });
        parent.end();
      });
      const spans = exporter.getFinishedSpans();
      const child = spans.find((span) => span.name === 'child');
      const parent = spans.find((span) => span.name === 'parent');
      expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
      expect(child?.attributes).toEqual({ 'route.id': 'r1', 'idempotency.outcome': 'claimed' });
      expect(child?.status.code).toBe(SpanStatusCode.UNSET);
    });

    it('marks a failure with its code and the error attributes, never its message, and rethrows it', async () => {
      const error = new DomainError('PROVIDER_TIMEOUT', { reason: 'jane@example.com' });
      await expect(
        withSpan('failing', {}, () => Promise.reject(error), {
          onError: () => ({ 'provider.outcome': 'timeout' }),
        }),
      ).rejects.toBe(error);
      const [span] = exporter.getFinishedSpans();
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
      expect(span.attributes).toEqual({ 'error.type': 'PROVIDER_TIMEOUT', 'provider.outcome': 'timeout' });
      expect(span.events).toEqual([]);
    });

    it('names a failure without a code by the error class', async () => {
      await expect(withSpan('failing', {}, () => Promise.reject(new TypeError('boom')))).rejects.toThrow(
        'boom',
      );
      expect(exporter.getFinishedSpans()[0].attributes['error.type']).toBe('TypeError');
    });
  });
});
