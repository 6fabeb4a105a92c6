import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { closeDb, db } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

const run = randomUUID().slice(0, 8);
const ROUTES = { eu: `stripe-eu-${run}`, au: `stripe-au-${run}` };
const DEFAULT_KEY = 'sk_test_e2e_default';
const AU_KEY = 'sk_test_e2e_account_au';
const WEBHOOK_SECRET = 'whsec_e2e_default_0123456789abcdef';
const AU_WEBHOOK_SECRET = 'whsec_e2e_account_au_fedcba9876543210';
const JSON_HEADERS = { 'content-type': 'application/json' };

interface Delivery {
  id: string;
  type: string;
  objectId: string;
  httpStatus: number | null;
  error: string | null;
}

describe('Stripe routes settle through signed webhooks', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({
      routes: [
        {
          id: ROUTES.eu,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['EUR'],
          options: {},
        },
        {
          id: ROUTES.au,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['AUD'],
          options: { secretKeyEnv: 'STRIPE_SECRET_KEY_AU', webhookSecretEnv: 'STRIPE_WEBHOOK_SECRET_AU' },
        },
      ],
      env: {
        STRIPE_SECRET_KEY: DEFAULT_KEY,
        STRIPE_SECRET_KEY_ENVS: 'STRIPE_SECRET_KEY_AU',
        STRIPE_SECRET_KEY_AU: AU_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_WEBHOOK_SECRET_ENVS: 'STRIPE_WEBHOOK_SECRET_AU',
        STRIPE_WEBHOOK_SECRET_AU: AU_WEBHOOK_SECRET,
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
    await receiveEventsSignedWith(WEBHOOK_SECRET);
  });

  /** The sandbox sends its Stripe events to our endpoint, signed with `secret`. */
  async function receiveEventsSignedWith(secret: string): Promise<void> {
    const res = await fetch(`${h.sandboxUrl}/__sandbox/stripe/webhooks`, {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ url: `${h.url}/webhooks/stripe`, secret }),
    });
    expect(res.status).toBe(200);
  }

  /** A session routed to Stripe: ours, and the Stripe Checkout Session behind it. */
  async function stripeSession(currency = 'EUR'): Promise<{ id: string; checkoutUrl: string; cs: string }> {
    const res = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(
        sessionBody({
          currency,
          amount: { total: 25, shipping: 5, tax: 0 },
          orderItems: [{ name: 'Mug', quantity: 2, unitPrice: 10 }],
        }),
      );
    expect(res.status).toBe(201);
    const cs = /\/stripe\/pay\/(cs_test_\w+)$/.exec(res.body.checkoutUrl as string)?.[1];
    if (!cs) throw new Error(`not a Stripe Checkout url: ${String(res.body.checkoutUrl)}`);
    return { id: res.body.sessionId as string, checkoutUrl: res.body.checkoutUrl as string, cs };
  }

  /** What the buyer does on Stripe's page. */
  async function buyerChooses(checkoutUrl: string, action: 'approve' | 'approve_async' | 'decline') {
    return fetch(checkoutUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action }).toString(),
    });
  }

  /** Waits until the sandbox has delivered the event of this type about this object, and returns its record. */
  async function delivered(objectId: string, type: string): Promise<Delivery> {
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${h.sandboxUrl}/__sandbox/stripe/webhooks/deliveries`);
      const found = ((await res.json()) as Delivery[]).find(
        (d) => d.objectId === objectId && d.type === type && (d.httpStatus !== null || d.error !== null),
      );
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no ${type} delivered for ${objectId}`);
  }

  async function view(sessionId: string) {
    const res = await request(h.url)
      .get(`/api/v1/sessions/${sessionId}`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return res.body as {
      status: string;
      payment?: { transactionId?: string; status?: string; providerStatus?: string };
    };
  }

  /** The Checkout Session as Stripe (the sandbox) has it, its PaymentIntent expanded. */
  async function atStripe(cs: string, key = DEFAULT_KEY) {
    const res = await fetch(`${h.sandboxUrl}/v1/checkout/sessions/${cs}?expand[0]=payment_intent`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return (await res.json()) as { status: string; payment_intent: { id: string; status: string } | null };
  }

  /** An event signed as Stripe signs it, for the cases the sandbox would never send. */
  function signedEvent(
    type: string,
    object: Record<string, unknown>,
    options: { id?: string; secret?: string; timestamp?: number } = {},
  ) {
    const payload = JSON.stringify({
      id: options.id ?? `evt_${randomUUID().replace(/-/g, '')}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type,
      data: { object },
    });
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? WEBHOOK_SECRET,
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    });
    return { payload, header };
  }

  const postEvent = (payload: string, header?: string) => {
    const req = request(h.url).post('/webhooks/stripe').set('Content-Type', 'application/json');
    return (header === undefined ? req : req.set('Stripe-Signature', header)).send(payload);
  };

  const recordedEvents = async (eventId: string) =>
    (
      await db().query('SELECT 1 FROM webhook_events WHERE adapter = $1 AND event_id = $2', [
        'stripe',
        eventId,
      ])
    ).rowCount;

  it('completes a session paid on Stripe’s page through the signed webhook, with its PaymentIntent (held: the authorize intent) read back as its transaction', async () => {
    const session = await stripeSession();
    expect((await view(session.id)).status).toBe('PENDING');

    const paid = await buyerChooses(session.checkoutUrl, 'approve');
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toContain(`sessionId=${session.id}`);
    const delivery = await delivered(session.cs, 'checkout.session.completed');

    expect(delivery.httpStatus).toBe(200);
    const intent = (await atStripe(session.cs)).payment_intent;
    expect(intent?.status).toBe('requires_capture');
    expect(await view(session.id)).toMatchObject({
      status: 'COMPLETED',
      payment: { transactionId: intent?.id, status: 'authorized', providerStatus: 'requires_capture' },
    });
    expect(await recordedEvents(delivery.id)).toBe(1);
  });

  it('refuses a tampered, stale, unsigned or foreign-signed event (401) and changes nothing', async () => {
    const session = await stripeSession();
    const paidSession = {
      id: session.cs,
      object: 'checkout.session',
      payment_status: 'paid',
      payment_intent: 'pi_forged123',
    };
    const genuine = signedEvent('checkout.session.completed', { ...paidSession, payment_status: 'unpaid' });
    const stale = signedEvent('checkout.session.completed', paidSession, {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const foreign = signedEvent('checkout.session.completed', paidSession, {
      secret: 'whsec_someone_else_012345',
    });
    const attempts: Array<[string, string, string | undefined]> = [
      ['tampered', genuine.payload.replace('"unpaid"', '"paid"'), genuine.header],
      ['stale', stale.payload, stale.header],
      ['unsigned', stale.payload, undefined],
      ['foreign-signed', foreign.payload, foreign.header],
    ];

    for (const [what, payload, header] of attempts) {
      const res = await postEvent(payload, header);
      expect({ what, status: res.status, code: res.body.code }).toEqual({
        what,
        status: 401,
        code: 'WEBHOOK_REJECTED',
      });
    }
    expect(await view(session.id)).toMatchObject({ status: 'PENDING' });
    expect((await view(session.id)).payment).toBeUndefined();
    for (const event of [genuine, stale, foreign]) {
      expect(await recordedEvents((JSON.parse(event.payload) as { id: string }).id)).toBe(0);
    }
  });

  it('answers a replayed event id with duplicate, whatever the replay says, and changes nothing; the PaymentIntent an event names is not trusted', async () => {
    const session = await stripeSession();
    const id = `evt_replay_${run}`;
    const settling = {
      id: session.cs,
      object: 'checkout.session',
      payment_status: 'unpaid',
      payment_intent: 'pi_settling1',
    };
    const first = signedEvent('checkout.session.completed', settling, { id });
    expect((await postEvent(first.payload, first.header)).body).toEqual({ status: 'applied' });
    // Read back, Stripe says the session is still open and has no payment: the claimed one is not recorded.
    expect(await view(session.id)).toMatchObject({ status: 'PENDING' });
    expect((await view(session.id)).payment).toBeUndefined();

    const replay = signedEvent(
      'checkout.session.async_payment_succeeded',
      { ...settling, payment_status: 'paid' },
      { id },
    );
    const res = await postEvent(replay.payload, replay.header);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'duplicate' });
    expect(await view(session.id)).toMatchObject({ status: 'PENDING' });
    expect((await view(session.id)).payment).toBeUndefined();
    expect(await recordedEvents(id)).toBe(1);
  });

  it('keeps a session paid with a method that settles later PENDING, then ends it FAILED when that payment fails', async () => {
    const session = await stripeSession();
    await buyerChooses(session.checkoutUrl, 'approve_async');
    expect((await delivered(session.cs, 'checkout.session.completed')).httpStatus).toBe(200);
    const intent = (await atStripe(session.cs)).payment_intent;
    expect(await view(session.id)).toMatchObject({
      status: 'PENDING',
      payment: { transactionId: intent?.id, status: 'processing' },
    });

    const settle = await fetch(`${h.sandboxUrl}/__sandbox/stripe/sessions/${session.cs}/async`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ outcome: 'failed' }),
    });
    expect(settle.status).toBe(200);
    expect((await delivered(session.cs, 'checkout.session.async_payment_failed')).httpStatus).toBe(200);

    expect(await view(session.id)).toMatchObject({
      status: 'FAILED',
      payment: { transactionId: intent?.id, status: 'failed' },
    });
  });

  it('completes a session whose async payment succeeds', async () => {
    const session = await stripeSession();
    await buyerChooses(session.checkoutUrl, 'approve_async');
    await delivered(session.cs, 'checkout.session.completed');
    await fetch(`${h.sandboxUrl}/__sandbox/stripe/sessions/${session.cs}/async`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ outcome: 'succeeded' }),
    });
    expect((await delivered(session.cs, 'checkout.session.async_payment_succeeded')).httpStatus).toBe(200);
    expect(await view(session.id)).toMatchObject({ status: 'COMPLETED', payment: { status: 'authorized' } });
  });

  it('ends a session EXPIRED when Stripe expires its Checkout Session', async () => {
    const session = await stripeSession();
    const expire = await fetch(`${h.sandboxUrl}/v1/checkout/sessions/${session.cs}/expire`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEFAULT_KEY}` },
    });
    expect(expire.status).toBe(200);
    expect((await delivered(session.cs, 'checkout.session.expired')).httpStatus).toBe(200);

    expect((await view(session.id)).status).toBe('EXPIRED');
  });

  it('acknowledges an event it does not act on (a declined card) and leaves the session PENDING', async () => {
    const session = await stripeSession();
    expect((await buyerChooses(session.checkoutUrl, 'decline')).status).toBe(402);
    const intent = (await atStripe(session.cs)).payment_intent;
    if (!intent) throw new Error('the decline made no PaymentIntent');

    expect((await delivered(intent.id, 'payment_intent.payment_failed')).httpStatus).toBe(200);
    expect(await view(session.id)).toMatchObject({ status: 'PENDING' });
    expect((await view(session.id)).payment).toBeUndefined();
  });

  it('verifies the events of a route with its own webhook secret (webhookSecretEnv) with that secret', async () => {
    await receiveEventsSignedWith(AU_WEBHOOK_SECRET);
    const session = await stripeSession('AUD');
    expect((await view(session.id)).status).toBe('PENDING');

    await buyerChooses(session.checkoutUrl, 'approve');
    expect((await delivered(session.cs, 'checkout.session.completed')).httpStatus).toBe(200);

    const intent = (await atStripe(session.cs, AU_KEY)).payment_intent;
    expect(await view(session.id)).toMatchObject({
      status: 'COMPLETED',
      payment: { transactionId: intent?.id },
    });
  });
});
