import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SecretBox } from '@app/webhooks';
import { CARDS, pay, providerSessionId, storeCard } from './support/checkout-flow';
import { closeDb, db } from './support/db';
import { gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, startHarness } from './support/harness';
import { EVENTS_ENV, merchantApi, SECRETS_KEY } from './support/merchant-events';
import { merchantToken } from './support/tokens';
import { WebhookReceiver } from './support/webhook-receiver';

const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_events_0123456789abcdef';

describe('merchant events, delivered as signed webhooks', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let merchant: string;
  let api: ReturnType<typeof merchantApi>;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await startHarness({
      routes: [
        gr4vyRoute('gr4vy-card', { currencies: ['AUD'] }),
        {
          id: 'stripe-card',
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['EUR'],
          options: {},
        },
      ],
      env: { ...EVENTS_ENV, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', STRIPE_WEBHOOK_SECRET },
    });
    // The sandbox's Stripe sends its signed events to our Stripe webhook, as Stripe would.
    const res = await fetch(`${h.sandboxUrl}/__sandbox/stripe/webhooks`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${h.url}/webhooks/stripe`, secret: STRIPE_WEBHOOK_SECRET }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
    await closeDb();
  });
  beforeEach(async () => {
    merchant = `merchant_${randomUUID()}`;
    api = merchantApi(h.url, await merchantToken(merchant));
  });

  /** Registers an endpoint at a fresh receiver path that trusts the secret it was given. */
  const register = async (answers: Array<number | 'hang'> = [], body: Record<string, unknown> = {}) => {
    const url = receiver.endpoint(randomUUID(), answers);
    const res = await api.createEndpoint({ url, ...body });
    expect(res.status).toBe(201);
    receiver.trust(url, res.body.secret as string);
    return { url, id: res.body.id as string, secret: res.body.secret as string };
  };

  it('sends one verified session.completed when a Gr4vy session is paid', async () => {
    const endpoint = await register();
    const sessionId = await api.createSession();
    await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.approve);
    expect((await pay(h.url, sessionId)).body.status).toBe('COMPLETED');

    const event = await api.eventOf(sessionId, 'session.completed');
    const settled = await api.settled(event.id);
    expect(settled.deliveries).toEqual([
      expect.objectContaining({
        endpointId: endpoint.id,
        status: 'delivered',
        attempts: [expect.objectContaining({ outcome: 'delivered', statusCode: 200 })],
      }),
    ]);
    const [delivery] = receiver.deliveriesTo(endpoint.url);
    expect(receiver.deliveriesTo(endpoint.url)).toHaveLength(1);
    expect(delivery.verifiedWith).toEqual([endpoint.secret]);
    expect(delivery.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': event.id });
    expect(delivery.event).toMatchObject({
      id: event.id,
      type: 'session.completed',
      data: {
        session: {
          sessionId,
          status: 'COMPLETED',
          payment: expect.objectContaining({ status: 'authorized' }),
        },
      },
    });
    const session = (
      await request(h.url)
        .get(`/api/v1/sessions/${sessionId}`)
        .set('Authorization', `Bearer ${await merchantToken(merchant)}`)
    ).body;
    expect(delivery.event?.data.session).toEqual(session);

    const metrics = (await request(h.url).get('/metrics')).text;
    expect(metrics).toMatch(/webhook_events_total\{type="session.completed"\} [1-9]/);
    expect(metrics).toMatch(/webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/webhook_delivery_duration_seconds_count\{outcome="delivered"\} [1-9]/);
    expect(metrics).toContain('webhook_queue_backlog ');
    expect(metrics).toContain('webhook_oldest_undelivered_age_seconds ');
  });

  it('sends one verified session.completed when a Stripe session is paid on Stripe’s page', async () => {
    const endpoint = await register();
    const token = await merchantToken(merchant);
    const created = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(
        sessionBody({
          currency: 'EUR',
          amount: { total: 25, shipping: 5, tax: 0 },
          orderItems: [{ name: 'Mug', quantity: 2, unitPrice: 10 }],
        }),
      );
    expect(created.body.routing.selectedProvider).toBe('stripe-card');
    const sessionId = created.body.sessionId as string;
    const paid = await fetch(created.body.checkoutUrl as string, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'approve' }).toString(),
    });
    expect(paid.status).toBe(303);

    const event = await api.eventOf(sessionId, 'session.completed');
    expect((await api.settled(event.id)).deliveries.map((d) => d.status)).toEqual(['delivered']);
    const deliveries = receiver.deliveriesTo(endpoint.url);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].verifiedWith).toEqual([endpoint.secret]);
    expect(deliveries[0].event).toMatchObject({
      id: event.id,
      type: 'session.completed',
      data: { session: { sessionId, status: 'COMPLETED', routing: { selectedProvider: 'stripe-card' } } },
    });
  });

  it('sends session.cancelled when the merchant cancels a session', async () => {
    const endpoint = await register();
    const sessionId = await api.createSession();
    const cancelled = await request(h.url)
      .post(`/api/v1/sessions/${sessionId}/cancel`)
      .set('Authorization', `Bearer ${await merchantToken(merchant)}`);
    expect(cancelled.body.status).toBe('CANCELLED');

    const event = await api.eventOf(sessionId, 'session.cancelled');
    await api.settled(event.id);
    const [delivery] = receiver.deliveriesTo(endpoint.url);
    expect(delivery.verifiedWith).toEqual([endpoint.secret]);
    expect(delivery.event).toMatchObject({
      type: 'session.cancelled',
      data: { session: { sessionId, status: 'CANCELLED' } },
    });
  });

  it('commits a status change and its event together: when the event cannot be written, the session does not move', async () => {
    await register();
    const sessionId = await api.createSession();
    await db().query(`
      CREATE OR REPLACE FUNCTION refuse_event_of_${merchant.replace(/-/g, '_')}() RETURNS trigger AS $$
      BEGIN IF NEW.merchant_id = '${merchant}' THEN RAISE EXCEPTION 'outbox refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    const trigger = `refuse_${merchant.replace(/-/g, '_')}`;
    await db().query(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON merchant_events FOR EACH ROW EXECUTE FUNCTION refuse_event_of_${merchant.replace(/-/g, '_')}()`,
    );
    try {
      const cancelled = await request(h.url)
        .post(`/api/v1/sessions/${sessionId}/cancel`)
        .set('Authorization', `Bearer ${await merchantToken(merchant)}`);
      expect(cancelled.status).toBe(500);
      const { rows } = await db().query('SELECT status FROM checkout_sessions WHERE id = $1', [sessionId]);
      expect(rows[0].status).toBe('PENDING');
    } finally {
      await db().query(`DROP TRIGGER ${trigger} ON merchant_events`);
      await db().query(`DROP FUNCTION refuse_event_of_${merchant.replace(/-/g, '_')}()`);
    }
    const retried = await request(h.url)
      .post(`/api/v1/sessions/${sessionId}/cancel`)
      .set('Authorization', `Bearer ${await merchantToken(merchant)}`);
    expect(retried.body.status).toBe('CANCELLED');
    expect((await api.eventOf(sessionId, 'session.cancelled')).type).toBe('session.cancelled');
  });

  it('sends session.failed for a declined payment, and nothing to an endpoint not subscribed to it', async () => {
    const subscribed = await register([], { events: ['session.failed'] });
    const other = await register([], { events: ['session.completed'] });
    const sessionId = await api.createSession();
    await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.decline);
    expect((await pay(h.url, sessionId)).body.status).toBe('FAILED');

    const event = await api.eventOf(sessionId, 'session.failed');
    expect(event.deliveries.map((d) => d.endpointId)).toEqual([subscribed.id]);
    await api.settled(event.id);
    expect(receiver.deliveriesTo(subscribed.url)[0].event?.type).toBe('session.failed');
    expect(receiver.deliveriesTo(other.url)).toHaveLength(0);
  });

  it('retries a receiver that answers 500 twice with the same webhook-id, and ends delivered', async () => {
    const endpoint = await register([500, 500, 200]);
    const sessionId = await api.createSession();
    await api.expireSession(sessionId);

    const event = await api.eventOf(sessionId, 'session.expired');
    const settled = await api.settled(event.id);
    expect(settled.deliveries[0].status).toBe('delivered');
    expect(settled.deliveries[0].attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['failed', 500],
      ['failed', 500],
      ['delivered', 200],
    ]);
    const deliveries = receiver.deliveriesTo(endpoint.url);
    expect(deliveries.map((d) => d.headers['webhook-id'])).toEqual([event.id, event.id, event.id]);
    expect(deliveries.every((d) => d.verifiedWith.length === 1)).toBe(true);
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(1);
  });

  it('marks the delivery failed when the schedule is spent', async () => {
    const endpoint = await register([503, 503, 503]);
    const sessionId = await api.createSession();
    await api.expireSession(sessionId);

    const settled = await api.settled((await api.eventOf(sessionId, 'session.expired')).id);
    expect(settled.deliveries[0]).toMatchObject({ status: 'failed', failureReason: 'schedule_spent' });
    expect(settled.deliveries[0].attempts).toHaveLength(3);
    expect(receiver.deliveriesTo(endpoint.url)).toHaveLength(3);
    expect((await request(h.url).get('/metrics')).text).toMatch(
      /webhook_deliveries_total\{outcome="failed"\} [1-9]/,
    );
  });

  it('stops at once when the receiver answers 410, and disables the endpoint', async () => {
    const endpoint = await register([410]);
    const sessionId = await api.createSession();
    await api.expireSession(sessionId);

    const settled = await api.settled((await api.eventOf(sessionId, 'session.expired')).id);
    expect(settled.deliveries[0]).toMatchObject({ status: 'failed', failureReason: 'gone' });
    expect(settled.deliveries[0].attempts).toEqual([
      expect.objectContaining({ outcome: 'failed', statusCode: 410 }),
    ]);
    expect(receiver.deliveriesTo(endpoint.url)).toHaveLength(1);
    expect((await api.endpoint(endpoint.id)).body).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect((await request(h.url).get('/metrics')).text).toMatch(
      /webhook_endpoints_disabled_total\{reason="gone"\} [1-9]/,
    );

    const next = await api.createSession();
    await api.expireSession(next);
    expect((await api.eventOf(next, 'session.expired')).deliveries).toEqual([]);
    expect((await api.updateEndpoint(endpoint.id, { enabled: true })).body).toMatchObject({
      enabled: true,
      disabledReason: null,
    });
  });

  it('signs with both secrets during a rotation’s overlap, so either verifies', async () => {
    const endpoint = await register();
    const rotated = await api.rotate(endpoint.id);
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    receiver.trust(endpoint.url, newSecret);

    const sessionId = await api.createSession();
    await api.expireSession(sessionId);
    await api.settled((await api.eventOf(sessionId, 'session.expired')).id);
    const [delivery] = receiver.deliveriesTo(endpoint.url);
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(delivery.verifiedWith.sort()).toEqual([endpoint.secret, newSecret].sort());
  });

  it('lists events newest first, page by page, and redelivers one with the same webhook-id', async () => {
    const endpoint = await register();
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sessionId = await api.createSession();
      await api.expireSession(sessionId);
      sessions.push(sessionId);
    }
    const first = await api.events({ limit: '2' });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    const second = await api.events({ limit: '2', cursor: first.body.nextCursor });
    expect(second.body).toMatchObject({ nextCursor: null });
    const listed = [...first.body.data, ...second.body.data].map(
      (e: { data: { session: { sessionId: string } } }) => e.data.session.sessionId,
    );
    expect(listed).toEqual([...sessions].reverse());

    const event = await api.eventOf(sessions[0], 'session.expired');
    await api.settled(event.id);
    const redelivery = await api.redeliver(event.id, { endpointId: endpoint.id });
    expect(redelivery.status).toBe(202);
    expect(redelivery.body.deliveries).toEqual([{ id: expect.any(String), endpointId: endpoint.id }]);
    const received = await receiver.waitFor(endpoint.url, 4);
    const ofEvent = received.filter((d) => d.headers['webhook-id'] === event.id);
    expect(ofEvent).toHaveLength(2);
    expect(ofEvent.every((d) => d.verifiedWith.length === 1)).toBe(true);
    const after = await api.settled(event.id);
    expect(after.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);

    expect((await api.redeliver(event.id)).status).toBe(202);
    expect((await api.redeliver(`evt_${'0'.repeat(32)}`)).status).toBe(404);
    expect((await api.redeliver(event.id, { endpointId: randomUUID() })).status).toBe(404);
    expect((await api.redeliver(event.id, { endpointId: 'nope' })).status).toBe(400);
  });

  it('names a bad filter or cursor in a 400', async () => {
    const res = await api.events({ type: 'session.paid', cursor: 'x', limit: '500' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'cursor',
      'limit',
      'type',
    ]);
  });

  it('manages endpoints per merchant: create, list, read, change, delete, and nothing of another merchant', async () => {
    const url = receiver.endpoint(randomUUID());
    const created = await api.createEndpoint({ url, description: 'orders' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url,
      events: [
        'session.completed',
        'session.failed',
        'session.expired',
        'session.cancelled',
        'payment.captured',
        'payment.voided',
        'payment.refunded',
        'refund.failed',
      ],
      description: 'orders',
      enabled: true,
      disabledReason: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const id = created.body.id as string;
    const stored = await db().query('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [id]);
    expect(stored.rows[0].secret_sealed).not.toContain(created.body.secret.slice(6));

    expect((await api.endpoint(id)).body).not.toHaveProperty('secret');
    expect((await api.listEndpoints()).body.data.map((e: { id: string }) => e.id)).toEqual([id]);
    const changed = await api.updateEndpoint(id, {
      events: ['session.expired'],
      description: null,
      enabled: false,
    });
    expect(changed.body).toMatchObject({
      events: ['session.expired'],
      description: null,
      enabled: false,
      disabledReason: 'merchant',
    });

    const stranger = merchantApi(h.url, await merchantToken(`merchant_${randomUUID()}`));
    expect((await stranger.endpoint(id)).status).toBe(404);
    expect((await stranger.updateEndpoint(id, { enabled: true })).status).toBe(404);
    expect((await stranger.deleteEndpoint(id)).status).toBe(404);
    expect((await stranger.listEndpoints()).body.data).toEqual([]);

    expect((await api.deleteEndpoint(id)).status).toBe(204);
    expect((await api.endpoint(id)).status).toBe(404);
    expect((await api.endpoint('not-a-uuid')).status).toBe(404);
    expect((await request(h.url).get('/api/v1/webhook-endpoints')).status).toBe(401);
  });

  it('refuses bad endpoint bodies, and credentials in the URL even with private targets allowed', async () => {
    const credentials = await api.createEndpoint({ url: 'http://user:pw@127.0.0.1/hook' });
    expect(credentials.status).toBe(400);
    expect(credentials.body).toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
      details: { field: 'url', rule: 'no_credentials' },
    });
    const long = await api.createEndpoint({ url: `https://shop.example.com/${'a'.repeat(2048)}` });
    expect(long.body).toMatchObject({ code: 'WEBHOOK_URL_REFUSED', details: { rule: 'max_length' } });
    expect(
      (await api.createEndpoint({ url: 'https://shop.example.com', events: ['order.shipped'] })).body.code,
    ).toBe('VALIDATION_FAILED');
    expect((await api.createEndpoint({ url: 'https://shop.example.com', events: [] })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await api.createEndpoint({ events: ['session.failed'] })).body.code).toBe('VALIDATION_FAILED');
  });
});

describe('merchant events without WEBHOOK_ALLOW_PRIVATE_TARGETS', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let merchant: string;
  let api: ReturnType<typeof merchantApi>;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await startHarness({ env: EVENTS_ENV });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
    await closeDb();
  });
  beforeEach(async () => {
    merchant = `merchant_${randomUUID()}`;
    api = merchantApi(h.url, await merchantToken(merchant));
  });

  it.each([
    ['http://127.0.0.1:8080/hook', '127.0.0.1 is a loopback address'],
    ['http://2130706433/hook', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/hook', '127.0.0.1 is a loopback address'],
    ['http://[::1]/hook', '::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/hook', 'is a loopback address'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a cloud-metadata address'],
    ['http://10.0.0.5/hook', '10.0.0.5 is a private address'],
    ['http://localhost:8080/hook', 'localhost is a loopback address'],
  ])('refuses %s when the endpoint is created, naming the rule', async (url, reason) => {
    const res = await api.createEndpoint({ url });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
      details: { field: 'url', rule: 'public_address' },
    });
    expect(res.body.details.reason).toContain(reason);
  });

  it('refuses a private address on update too', async () => {
    const created = await api.createEndpoint({ url: 'https://shop.example.com/hooks' });
    expect(created.status).toBe(201);
    const res = await api.updateEndpoint(created.body.id, { url: 'http://192.168.1.10/hook' });
    expect(res.body).toMatchObject({ code: 'WEBHOOK_URL_REFUSED', details: { rule: 'public_address' } });
  });

  it('never connects to a host name that resolves to loopback: the address is checked at delivery', async () => {
    // Stored as an earlier deployment with the flag on would have: a name, not an address, so only delivery can tell.
    const url = `http://localhost:${new URL(receiver.url).port}/${randomUUID()}`;
    const id = randomUUID();
    const sealed = new SecretBox(SECRETS_KEY).seal('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id);
    await db().query(
      `INSERT INTO webhook_endpoints (id, merchant_id, url, events, enabled, secret_sealed, created_at, updated_at)
       VALUES ($1, $2, $3, '{session.expired}', true, $4, now(), now())`,
      [id, merchant, url, sealed],
    );
    const sessionId = await api.createSession();
    await api.expireSession(sessionId);

    const event = await api.eventOf(sessionId, 'session.expired');
    const settled = await api.settled(event.id);
    expect(settled.deliveries[0].status).toBe('failed');
    for (const attempt of settled.deliveries[0].attempts) {
      expect(attempt).toMatchObject({ outcome: 'failed', statusCode: null });
      expect(attempt.error).toMatch(/^address not allowed: (127\.0\.0\.1|::1) is a loopback address$/);
    }
    expect(receiver.deliveriesTo(url)).toHaveLength(0);
  });
});
