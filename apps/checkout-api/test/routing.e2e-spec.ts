import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { db, closeDb } from './support/db';
import { GR4VY_SERVICE_AU, GR4VY_SERVICE_US, gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, requiredEnv, sandboxAdmin, startHarness, resetRouteHealth } from './support/harness';
import { merchantToken } from './support/tokens';

const GR4VY_SERVICE_BACKUP = '9d1c7b3a-2e4f-4a6b-8c0d-1e2f3a4b5c6d';
const GR4VY_SERVICE_GB = 'c4a3b2d1-0f9e-4d8c-b7a6-5e4d3c2b1a00';

/* Route ids are unique per run: circuit state and health live in the shared Redis. */
const run = randomUUID().slice(0, 8);
const ids = {
  au: `au-${run}`,
  us: `us-${run}`,
  primary: `primary-${run}`,
  backup: `backup-${run}`,
  off: `off-${run}`,
  solo: `solo-${run}`,
};

describe('routing: eligibility, scores, failover and circuit breaking', () => {
  let h: Harness;
  let redis: Redis;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({
      routes: [
        gr4vyRoute(ids.au, {
          currencies: ['AUD'],
          countries: ['AU'],
          options: { paymentServiceId: GR4VY_SERVICE_AU },
        }),
        gr4vyRoute(ids.us, {
          currencies: ['USD'],
          countries: ['US'],
          options: { paymentServiceId: GR4VY_SERVICE_US },
        }),
        gr4vyRoute(ids.primary, {
          currencies: ['EUR'],
          priority: 90,
          options: { paymentServiceId: GR4VY_SERVICE_AU },
        }),
        gr4vyRoute(ids.backup, {
          currencies: ['EUR'],
          priority: 10,
          options: { paymentServiceId: GR4VY_SERVICE_BACKUP },
        }),
        gr4vyRoute(ids.solo, { currencies: ['GBP'], options: { paymentServiceId: GR4VY_SERVICE_GB } }),
        gr4vyRoute(ids.off, { enabled: false, currencies: ['AUD', 'USD', 'EUR'], priority: 100 }),
      ],
      env: { CIRCUIT_CONSECUTIVE_FAILURES: '3', CIRCUIT_COOL_DOWN_MS: '1500', PROVIDER_TIMEOUT_MS: '500' },
    });
  });
  afterAll(async () => {
    await h.close();
    redis.disconnect();
    await closeDb();
  });
  beforeEach(async () => {
    // Each test starts with healthy routes: no failures counted, every circuit closed.
    redis ??= new Redis(requiredEnv('REDIS_URL'));
    await resetRouteHealth(redis, Object.values(ids));
    token = await merchantToken(`merchant_${randomUUID()}`);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
    await sandboxAdmin.clearRequests(h.sandboxUrl);
  });

  const euro = (overrides: Record<string, unknown> = {}) =>
    sessionBody({
      currency: 'EUR',
      amount: { total: 20, shipping: 0, tax: 0 },
      orderItems: [{ name: 'Book', quantity: 2, unitPrice: 10 }],
      ...overrides,
    });
  const us = () => {
    const body = sessionBody({ currency: 'USD' });
    const customer = body.customer as Record<string, Record<string, unknown>>;
    customer.billingAddress = { ...customer.billingAddress, country: 'US' };
    return body;
  };
  const post = (body: Record<string, unknown>) =>
    request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const attempts = async (sessionId: string) =>
    (
      await db().query(
        'SELECT route_id, outcome, attempt_no FROM provider_attempts WHERE session_id = $1 ORDER BY attempt_no',
        [sessionId],
      )
    ).rows;
  const servicesCalled = async () =>
    (await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).map((r) => r.body.payment_service_id);

  it('chooses a route by currency and billing country, and its payment_service_id reaches the sandbox', async () => {
    const au = await post(sessionBody());
    expect(au.body.routing.selectedProvider).toBe(ids.au);
    const usRes = await post(us());
    expect(usRes.body.routing.selectedProvider).toBe(ids.us);
    expect(await servicesCalled()).toEqual([GR4VY_SERVICE_AU, GR4VY_SERVICE_US]);
  });

  it('explains every route in GET routing.candidates: scores with factors, and why the others were excluded', async () => {
    const created = await post(sessionBody());
    const res = await request(h.url)
      .get(`/api/v1/sessions/${created.body.sessionId}`)
      .set('Authorization', `Bearer ${token}`);
    const byId = Object.fromEntries(
      (res.body.routing.candidates as Array<{ routeId: string; factors?: object }>).map((c) => [
        c.routeId,
        c,
      ]),
    );
    expect(byId[ids.au]).toMatchObject({ eligible: true, score: created.body.routing.score });
    expect(Object.keys(byId[ids.au].factors ?? {}).sort()).toEqual([
      'fee',
      'latency',
      'priority',
      'successRate',
    ]);
    expect(byId[ids.us]).toMatchObject({ eligible: false, reason: 'currency AUD not supported' });
    expect(byId[ids.off]).toMatchObject({ eligible: false, reason: 'route disabled' });
  });

  it('never chooses a disabled route, even with the highest priority', async () => {
    for (let i = 0; i < 3; i++) expect((await post(euro())).body.routing.selectedProvider).not.toBe(ids.off);
  });

  it('previews the ordered candidates without creating anything', async () => {
    const res = await request(h.url)
      .post('/api/v1/routing/preview')
      .set('Authorization', `Bearer ${token}`)
      .send(euro());
    expect(res.status).toBe(200);
    expect(res.body.selectedProvider).toBe(ids.primary);
    expect(res.body.candidates.slice(0, 2).map((c: { routeId: string }) => c.routeId)).toEqual([
      ids.primary,
      ids.backup,
    ]);
    expect(await servicesCalled()).toEqual([]);
  });

  it.each([
    ['a 5xx', { mode: 'status', status: 503 }, 'server'],
    ['a timeout', { mode: 'timeout' }, 'timeout'],
    ['a 429', { mode: 'status', status: 429 }, 'rate_limited'],
  ])(
    'fails over to the second route when the first returns %s, recording both attempts',
    async (_name, fault, outcome) => {
      await sandboxAdmin.fault(h.sandboxUrl, {
        provider: 'gr4vy',
        paymentServiceId: GR4VY_SERVICE_AU,
        remaining: 1,
        ...fault,
      });
      const res = await post(euro());
      expect(res.status).toBe(201);
      expect(res.body.routing.selectedProvider).toBe(ids.backup);
      expect(await attempts(res.body.sessionId)).toEqual([
        { route_id: ids.primary, outcome, attempt_no: 1 },
        { route_id: ids.backup, outcome: 'succeeded', attempt_no: 2 },
      ]);
    },
  );

  it('does not fail over on a provider 4xx: 502 PROVIDER_REJECTED', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      paymentServiceId: GR4VY_SERVICE_AU,
      mode: 'status',
      status: 400,
      remaining: 1,
    });
    const res = await post(euro());
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('PROVIDER_REJECTED');
    expect(await servicesCalled()).toEqual([GR4VY_SERVICE_AU]);
  });

  it('answers 502 when every route fails, and 504 when every route timed out', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'status', status: 500, remaining: 2 });
    const failed = await post(euro());
    expect(failed.status).toBe(502);
    expect(failed.body.details).toEqual([
      { routeId: ids.primary, outcome: 'server' },
      { routeId: ids.backup, outcome: 'server' },
    ]);
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'timeout', remaining: 2 });
    const timedOut = await post(euro());
    expect(timedOut.status).toBe(504);
    expect(timedOut.body.code).toBe('PROVIDER_TIMEOUT');
  });

  it('opens the circuit of a route that keeps failing, stops trying it, and tries it again after the cool-down', async () => {
    const pound = () =>
      euro({
        currency: 'GBP',
        amount: { total: 5, shipping: 0, tax: 0 },
        orderItems: [{ name: 'Pen', quantity: 1, unitPrice: 5 }],
      });
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      paymentServiceId: GR4VY_SERVICE_GB,
      mode: 'status',
      status: 503,
    });
    for (let i = 0; i < 3; i++) expect((await post(pound())).status).toBe(502);
    expect(await servicesCalled()).toHaveLength(3);

    await sandboxAdmin.clearRequests(h.sandboxUrl);
    const open = await post(pound());
    expect(open.status).toBe(422);
    expect(open.body.details).toContainEqual({ routeId: ids.solo, reason: 'circuit open' });
    expect(await servicesCalled()).toEqual([]);

    await sandboxAdmin.clearFaults(h.sandboxUrl);
    await new Promise((r) => setTimeout(r, 1600));
    const probe = await post(pound());
    expect(probe.status).toBe(201);
    expect(probe.body.routing.selectedProvider).toBe(ids.solo);
    expect((await post(pound())).status).toBe(201);
    expect(await servicesCalled()).toEqual([GR4VY_SERVICE_GB, GR4VY_SERVICE_GB]);
  });

  it('does not replay a "no provider" caused by an open circuit: the same key succeeds once the route recovers', async () => {
    const body = euro({
      currency: 'GBP',
      amount: { total: 7, shipping: 0, tax: 0 },
      orderItems: [{ name: 'Ink', quantity: 1, unitPrice: 7 }],
    });
    const key = randomUUID();
    const withKey = () =>
      request(h.url)
        .post('/api/v1/sessions')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', key)
        .send(body);
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      paymentServiceId: GR4VY_SERVICE_GB,
      mode: 'status',
      status: 503,
    });
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(502);
    const refused = await withKey();
    expect(refused.status).toBe(422);
    expect(refused.body.details).toContainEqual({ routeId: ids.solo, reason: 'circuit open' });

    await sandboxAdmin.clearFaults(h.sandboxUrl);
    await new Promise((r) => setTimeout(r, 1600));
    const retried = await withKey();
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.body.routing.selectedProvider).toBe(ids.solo);
  });

  it('replays a "no provider" that the request alone decides, for the key\'s lifetime', async () => {
    const key = randomUUID();
    const yen = sessionBody({
      currency: 'JPY',
      amount: { total: 100, shipping: 0, tax: 0 },
      orderItems: [{ name: 'Tea', quantity: 1, unitPrice: 100 }],
    });
    const send = () =>
      request(h.url)
        .post('/api/v1/sessions')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', key)
        .send(yen);
    const first = await send();
    expect(first.status).toBe(422);
    expect(first.body.code).toBe('NO_AVAILABLE_PROVIDER');
    const again = await send();
    expect(again.status).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('lets a failing route lose rank to a healthy one before its circuit opens', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      paymentServiceId: GR4VY_SERVICE_AU,
      mode: 'status',
      status: 503,
    });
    const chosen: string[] = [];
    for (let i = 0; i < 4; i++) chosen.push((await post(euro())).body.routing.selectedProvider);
    expect(chosen.every((id) => id === ids.backup)).toBe(true);
    const preview = await request(h.url)
      .post('/api/v1/routing/preview')
      .set('Authorization', `Bearer ${token}`)
      .send(euro());
    expect(preview.body.selectedProvider).toBe(ids.backup);
  });
});
