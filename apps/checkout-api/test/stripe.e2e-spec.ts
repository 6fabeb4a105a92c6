import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { closeDb, db } from './support/db';
import { GR4VY_SERVICE_AU, gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, requiredEnv, sandboxAdmin, startHarness, resetRouteHealth } from './support/harness';
import { merchantToken } from './support/tokens';

const run = randomUUID().slice(0, 8);
const ids = {
  gr4vy: `gr4vy-${run}`,
  stripe: `stripe-${run}`,
  stripeOnly: `stripe-eu-${run}`,
  stripeFirst: `stripe-gb-${run}`,
  gr4vySecond: `gr4vy-gb-${run}`,
};

describe('Stripe Checkout route', () => {
  let h: Harness;
  let redis: Redis;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({
      routes: [
        gr4vyRoute(ids.gr4vy, {
          currencies: ['USD'],
          priority: 80,
          options: { paymentServiceId: GR4VY_SERVICE_AU },
        }),
        {
          id: ids.stripe,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['USD'],
          priority: 40,
          options: { secretKeyEnv: 'STRIPE_SECRET_KEY' },
        },
        {
          id: ids.stripeOnly,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['EUR', 'JPY', 'KWD'],
          options: {},
        },
        {
          id: ids.stripeFirst,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['GBP'],
          priority: 90,
          options: {},
        },
        gr4vyRoute(ids.gr4vySecond, {
          currencies: ['GBP'],
          priority: 10,
          options: { paymentServiceId: GR4VY_SERVICE_AU },
        }),
      ],
    });
    redis = new Redis(requiredEnv('REDIS_URL'));
  });
  afterAll(async () => {
    await h.close();
    redis.disconnect();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
    await sandboxAdmin.clearRequests(h.sandboxUrl);
    await resetRouteHealth(redis, Object.values(ids));
  });

  const post = (body: Record<string, unknown>) =>
    request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const order = (currency: string, overrides: Record<string, unknown> = {}) =>
    sessionBody({
      currency,
      amount: { total: 25, shipping: 5, tax: 0 },
      orderItems: [{ name: 'Mug', quantity: 2, unitPrice: 10 }],
      ...overrides,
    });
  const stripeCreates = async () =>
    (await sandboxAdmin.requests(h.sandboxUrl, '/v1/checkout/sessions')) as Array<{
      body: Record<string, unknown>;
      headers: Record<string, string>;
    }>;
  const attempts = async (sessionId: string) =>
    (
      await db().query(
        'SELECT route_id, outcome FROM provider_attempts WHERE session_id = $1 ORDER BY attempt_no',
        [sessionId],
      )
    ).rows;

  it('returns the Stripe Checkout url of a session routed to Stripe, with the amounts as line items', async () => {
    const res = await post(order('EUR'));
    expect(res.status).toBe(201);
    expect(res.body.routing.selectedProvider).toBe(ids.stripeOnly);
    expect(res.body.checkoutUrl).toMatch(new RegExp(`^${h.sandboxUrl}/stripe/pay/cs_test_`));
    const [sent] = await stripeCreates();
    const body = sent.body as {
      mode: string;
      line_items: Array<{ quantity: string; price_data: { currency: string; unit_amount: string } }>;
      metadata: Record<string, string>;
      success_url: string;
    };
    expect(body.mode).toBe('payment');
    expect(
      body.line_items.reduce((sum, li) => sum + Number(li.price_data.unit_amount) * Number(li.quantity), 0),
    ).toBe(2500);
    expect(body.line_items.every((li) => li.price_data.currency === 'eur')).toBe(true);
    expect(body.metadata.sessionId).toBe(res.body.sessionId);
    expect(body.success_url).toContain(`sessionId=${res.body.sessionId}`);
    expect(sent.headers['idempotency-key']).toMatch(/^co_/);
  });

  it('sends JPY and KWD in Stripe’s minor units', async () => {
    const jpy = await post(
      order('JPY', { amount: { total: 1500 }, orderItems: [{ name: 'Tea', quantity: 3, unitPrice: 500 }] }),
    );
    expect(jpy.status).toBe(201);
    const kwd = await post(
      order('KWD', {
        amount: { total: 2.46 },
        orderItems: [{ name: 'Dates', quantity: 2, unitPrice: 1.23 }],
      }),
    );
    expect(kwd.status).toBe(201);
    const sent = (await stripeCreates()).map(
      (r) => (r.body.line_items as Array<{ price_data: { unit_amount: string } }>)[0].price_data.unit_amount,
    );
    expect(sent).toEqual(['500', '1230']);
  });

  it('makes a Stripe route ineligible without redirect URLs, and says why', async () => {
    const res = await post(order('EUR', { redirectUrls: undefined }));
    expect(res.status).toBe(422);
    expect(res.body.details).toContainEqual({
      routeId: ids.stripeOnly,
      reason: expect.stringContaining('redirect URLs required'),
    });
  });

  it('fails over from a failing Gr4vy route to Stripe', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'status', status: 503, remaining: 1 });
    const res = await post(order('USD'));
    expect(res.status).toBe(201);
    expect(res.body.routing.selectedProvider).toBe(ids.stripe);
    expect(res.body.checkoutUrl).toContain('/stripe/pay/cs_test_');
    expect(await attempts(res.body.sessionId)).toEqual([
      { route_id: ids.gr4vy, outcome: 'server' },
      { route_id: ids.stripe, outcome: 'succeeded' },
    ]);
  });

  it('fails over from a failing Stripe route to Gr4vy', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'stripe', mode: 'status', status: 500, remaining: 1 });
    const res = await post(order('GBP'));
    expect(res.status).toBe(201);
    expect(res.body.routing.selectedProvider).toBe(ids.gr4vySecond);
    expect(res.body.checkoutUrl).toBe(`http://checkout.test/checkout/${res.body.sessionId}`);
    expect(await attempts(res.body.sessionId)).toEqual([
      { route_id: ids.stripeFirst, outcome: 'server' },
      { route_id: ids.gr4vySecond, outcome: 'succeeded' },
    ]);
  });
});
