import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { ApiProcess } from './support/api-process';
import { sessionBody } from './support/fixtures';
import { Harness, processEnv, requiredEnv, sandboxAdmin, startHarness } from './support/harness';
import { OtlpReceiver, ReceivedSpan, SPAN_KIND } from './support/otlp-receiver';
import { merchantToken, TEST_JWT_SECRET } from './support/tokens';

const OWN_SPANS = [
  'idempotency.claim',
  'sessions.lookup_for_create',
  'routing.decide',
  'provider.attempt',
  'sessions.insert',
];

/** A W3C traceparent as a gateway would send it: sampled, with a parent span of its own. */
function gatewayTraceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

function ancestors(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) {
    chain.push(parent);
  }
  return chain;
}

const SHOWN_ATTRIBUTES = [
  'http.route',
  'http.response.status_code',
  'url.full',
  'db.system.name',
  'idempotency.outcome',
  'routing.candidates',
  'routing.scores',
  'route.id',
  'provider.outcome',
  'provider.latency_ms',
  'sessions.insert_result',
];

/** The tree as indented lines, for failure messages: "name [kind] scope key=value ...". */
function render(spans: ReceivedSpan[], rootId: string): string {
  const children = (id: string) =>
    spans
      .filter((span) => span.parentSpanId === id)
      .sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
  const lines: string[] = [];
  const walk = (span: ReceivedSpan, depth: number) => {
    const shown = SHOWN_ATTRIBUTES.filter((key) => key in span.attributes).map(
      (key) => `${key}=${JSON.stringify(span.attributes[key])}`,
    );
    lines.push(`${'  '.repeat(depth)}${span.name} [${span.kind}] ${span.scope} ${shown.join(' ')}`.trimEnd());
    for (const child of children(span.spanId)) walk(child, depth + 1);
  };
  const root = spans.find((span) => span.spanId === rootId);
  if (root) walk(root, 0);
  return lines.join('\n');
}

describe('tracing (OpenTelemetry, OTLP over HTTP)', () => {
  let h: Harness;
  let receiver: OtlpReceiver;
  let token: string;

  beforeAll(async () => {
    h = await startHarness();
    receiver = await OtlpReceiver.start();
    token = await merchantToken(`merchant_${randomUUID()}`);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const startTracedApi = (extra: Record<string, string>) =>
    ApiProcess.start(
      processEnv(h, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Export each batch quickly, so the test does not wait the default 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
        LOG_LEVEL: 'info',
        ...extra,
      }),
    );

  it('continues the gateway trace of a create through our spans, pg, ioredis and the provider call, and puts the trace id on its log line', async () => {
    const api = await startTracedApi({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    try {
      await sandboxAdmin.clearRequests(h.sandboxUrl);
      const gateway = gatewayTraceparent();
      const idempotencyKey = randomUUID();
      const requestId = `req-${randomUUID()}`;
      const querySecret = `q-${randomUUID()}`;
      const buyerIp = '203.0.113.77';
      const userAgent = `TestBuyerBrowser/${randomUUID()}`;
      const res = await request(api.url)
        .post(`/api/v1/sessions?ref=${querySecret}`)
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', idempotencyKey)
        .set('X-Request-Id', requestId)
        .set('X-Forwarded-For', buyerIp)
        .set('User-Agent', userAgent)
        .set('traceparent', gateway.header)
        .send(sessionBody());
      expect(res.status).toBe(201);

      const spans = (
        await receiver.waitFor(
          (all) => all.some((s) => s.traceId === gateway.traceId && s.kind === SPAN_KIND.server),
          'server span of the create',
        )
      ).filter((span) => span.traceId === gateway.traceId);
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const server = spans.find((span) => span.kind === SPAN_KIND.server) as ReceivedSpan;
      const tree = render(spans, server.spanId);

      expect({ parent: server.parentSpanId, name: server.name }).toEqual({
        parent: gateway.parentId,
        name: 'POST /api/v1/sessions',
      });
      expect(server.attributes).toMatchObject({
        'http.route': '/api/v1/sessions',
        'http.response.status_code': 201,
      });
      const named = (name: string) => {
        const found = spans.filter((span) => span.name === name);
        expect({ name, count: found.length, tree }).toEqual({ name, count: 1, tree });
        return found[0];
      };
      const descendants = (of: ReceivedSpan) =>
        spans.filter((span) => ancestors(span, byId).some((a) => a.spanId === of.spanId));

      const nest = spans.find(
        (span) => span.scope.includes('nestjs-core') && span.parentSpanId === server.spanId,
      );
      expect(nest?.name).toBe('CreateSessionController.create');
      for (const name of OWN_SPANS) {
        expect({ name, underServer: descendants(server).includes(named(name)), tree }).toEqual({
          name,
          underServer: true,
          tree,
        });
      }

      const claim = named('idempotency.claim');
      expect(claim.attributes).toMatchObject({
        'idempotency.endpoint': 'create_session',
        'idempotency.outcome': 'claimed',
      });
      expect(descendants(claim).some((span) => span.attributes['db.system.name'] === 'redis')).toBe(true);

      const decision = named('routing.decide');
      expect(decision.attributes).toMatchObject({
        'routing.currency': 'AUD',
        'routing.payment_method': 'card',
        'routing.candidates': ['gr4vy-card'],
        'routing.excluded': [],
      });
      const scores = decision.attributes['routing.scores'] as number[];
      expect(scores).toHaveLength(1);
      expect(scores[0]).toBeGreaterThan(0);
      expect(scores[0]).toBeLessThanOrEqual(100);

      const attempt = named('provider.attempt');
      expect(attempt.attributes).toMatchObject({
        'route.id': 'gr4vy-card',
        'provider.adapter': 'gr4vy',
        'provider.attempt_no': 1,
        'provider.outcome': 'succeeded',
      });
      expect(attempt.attributes['provider.latency_ms']).toEqual(expect.any(Number));
      const outgoing = descendants(attempt).find(
        (span) => span.kind === SPAN_KIND.client && span.attributes['http.request.method'] === 'POST',
      );
      expect(outgoing?.attributes['url.full']).toBe(`${h.sandboxUrl}/checkout/sessions`);
      expect(outgoing?.attributes['http.response.status_code']).toBe(201);
      const [providerRequest] = await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions');
      expect(providerRequest.headers.traceparent).toBe(`00-${gateway.traceId}-${outgoing?.spanId}-01`);

      for (const name of ['sessions.lookup_for_create', 'sessions.insert']) {
        const persistence = named(name);
        expect({
          name,
          pg: descendants(persistence).some((span) => span.attributes['db.system.name'] === 'postgresql'),
        }).toEqual({ name, pg: true });
      }
      expect(named('sessions.insert').attributes['sessions.insert_result']).toBe('inserted');

      const completed = api.logs
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { req?: { id?: string }; traceId?: string; spanId?: string })
        .find((entry) => entry.req?.id === requestId);
      expect(completed?.traceId).toBe(gateway.traceId);
      expect(completed?.spanId).toMatch(/^[0-9a-f]{16}$/);

      const exported = receiver.exports.map((e) => e.body.toString('utf8')).join('\n');
      const customer = sessionBody().customer as Record<string, string>;
      const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
      for (const secret of [
        customer.email,
        customer.phone,
        customer.firstName,
        customer.lastName,
        'Collins Street',
        token,
        TEST_JWT_SECRET,
        idempotencyKey,
        querySecret,
        buyerIp,
        userAgent,
        // The test database's password is its name too, so the credentials are checked as a pair.
        `${databaseUrl.username}:${databaseUrl.password}@`,
        h.gr4vy.privateKeyPem.split('\n')[1],
      ]) {
        expect({ secret, exported: exported.includes(secret) }).toEqual({ secret, exported: false });
      }
    } finally {
      await api.stop();
    }
  });

  it('exports OTLP protobuf by default, with the same trace and spans', async () => {
    const api = await startTracedApi({});
    try {
      const gateway = gatewayTraceparent();
      const res = await request(api.url)
        .post('/api/v1/sessions')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', randomUUID())
        .set('traceparent', gateway.header)
        .send(sessionBody());
      expect(res.status).toBe(201);
      const spans = (
        await receiver.waitFor(
          (all) => all.some((s) => s.traceId === gateway.traceId && s.kind === SPAN_KIND.server),
          'server span of the create (protobuf)',
        )
      ).filter((span) => span.traceId === gateway.traceId);
      const ours = receiver.exports.filter((e) => e.body.includes(Buffer.from(gateway.traceId, 'hex')));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.every((e) => e.contentType === 'application/x-protobuf')).toBe(true);
      const server = spans.find((span) => span.kind === SPAN_KIND.server);
      expect(server).toMatchObject({ parentSpanId: gateway.parentId, name: 'POST /api/v1/sessions' });
      expect(spans.map((span) => span.name)).toEqual(expect.arrayContaining(OWN_SPANS));
      expect(spans.find((span) => span.name === 'provider.attempt')?.attributes).toMatchObject({
        'route.id': 'gr4vy-card',
        'provider.outcome': 'succeeded',
      });
    } finally {
      await api.stop();
    }
  });

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: no trace id in the logs, no traceparent to the provider', async () => {
    const api = await ApiProcess.start(processEnv(h, { LOG_LEVEL: 'info' }));
    try {
      await sandboxAdmin.clearRequests(h.sandboxUrl);
      const gateway = gatewayTraceparent();
      const requestId = `req-${randomUUID()}`;
      const res = await request(api.url)
        .post('/api/v1/sessions')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', randomUUID())
        .set('X-Request-Id', requestId)
        .set('traceparent', gateway.header)
        .send(sessionBody());
      expect(res.status).toBe(201);
      expect(await api.stop()).toBe(0);
      const completed = api.logs
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { req?: { id?: string }; traceId?: string })
        .find((entry) => entry.req?.id === requestId);
      expect(completed).toBeDefined();
      expect(completed?.traceId).toBeUndefined();
      const [providerRequest] = await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions');
      expect(providerRequest.headers).not.toHaveProperty('traceparent');
    } finally {
      await api.stop();
    }
  });
});
