import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SessionReconciler } from '../src/sessions/reconcile-sessions/session-reconciler';
import { CARDS, pay, providerSessionId, storeCard } from './support/checkout-flow';
import { closeDb, db } from './support/db';
import { gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, sandboxAdmin, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

const run = randomUUID().slice(0, 8);
const ROUTES = { gr4vy: `life-gr4vy-${run}`, stripe: `life-stripe-${run}` };
const STRIPE_KEY = 'sk_test_e2e_lifecycle';

const catalog = [
  gr4vyRoute(ROUTES.gr4vy, { currencies: ['AUD'] }),
  {
    id: ROUTES.stripe,
    adapter: 'stripe',
    enabled: true,
    paymentMethods: ['card'],
    currencies: ['EUR'],
    options: {},
  },
];
const env = {
  STRIPE_SECRET_KEY: STRIPE_KEY,
  STRIPE_WEBHOOK_SECRET: 'whsec_e2e_lifecycle_0123456789abcdef',
  // Passes run when a test says so; no other test's leftovers can crowd ours out of a batch.
  RECONCILE_INTERVAL_MS: '0',
  RECONCILE_BATCH_SIZE: '10000',
};

/* The sandbox sends no webhooks here (none is configured): whatever settles a session is the reconciler. */
describe('session lifecycle: reconciliation and cancel at both providers', () => {
  let a: Harness;
  let b: Harness;
  let token: string;

  beforeAll(async () => {
    a = await startHarness({ routes: catalog, env, realCheckoutBaseUrl: true });
    b = await startHarness({ routes: catalog, env, sandboxUrl: a.sandboxUrl, gr4vy: a.gr4vy });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
    await sandboxAdmin.clearFaults(a.sandboxUrl);
  });

  const create = async (currency: 'AUD' | 'EUR', overrides: Record<string, unknown> = {}) => {
    const res = await request(a.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(sessionBody({ currency, ...overrides }));
    expect(res.status).toBe(201);
    return res.body as { sessionId: string; checkoutUrl: string };
  };
  const view = async (sessionId: string) =>
    (await request(a.url).get(`/api/v1/sessions/${sessionId}`).set('Authorization', `Bearer ${token}`)).body;
  const cancel = (sessionId: string) =>
    request(a.url).post(`/api/v1/sessions/${sessionId}/cancel`).set('Authorization', `Bearer ${token}`);
  const stripeId = (checkoutUrl: string) => /\/stripe\/pay\/(cs_test_\w+)$/.exec(checkoutUrl)?.[1] as string;
  const buyerPaysAtStripe = (checkoutUrl: string) =>
    fetch(checkoutUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'approve' }).toString(),
    });
  const atStripe = async (cs: string) =>
    (await (
      await fetch(`${a.sandboxUrl}/v1/checkout/sessions/${cs}`, {
        headers: { authorization: `Bearer ${STRIPE_KEY}` },
      })
    ).json()) as { status: string; payment_status: string };
  /** A Gr4vy session the buyer approved at the provider, then never came back from. */
  const paidAtGr4vyOnly = async () => {
    const { sessionId } = await create('AUD');
    await storeCard(a.sandboxUrl, await providerSessionId(sessionId), CARDS.approval);
    expect((await pay(a.url, sessionId)).status).toBe(200);
    const { rows } = await db().query('SELECT transaction_id FROM checkout_sessions WHERE id = $1', [
      sessionId,
    ]);
    const transactionId = rows[0].transaction_id as string;
    const approve = await fetch(`${a.sandboxUrl}/approve/${transactionId}`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(approve.status).toBe(303);
    return { sessionId, transactionId };
  };
  const makeStale = (...ids: string[]) =>
    db().query(
      `UPDATE checkout_sessions SET updated_at = now() - interval '10 minutes' WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  const passOnBothInstances = () =>
    Promise.all([a.app.get(SessionReconciler).runPass(), b.app.get(SessionReconciler).runPass()]);

  it('settles a paid Stripe session and a paid Gr4vy session through the reconciler alone, asking each provider once per pass on two instances', async () => {
    const stripe = await create('EUR');
    expect((await buyerPaysAtStripe(stripe.checkoutUrl)).status).toBe(303);
    const gr4vy = await paidAtGr4vyOnly();
    expect((await view(stripe.sessionId)).status).toBe('PENDING');
    expect((await view(gr4vy.sessionId)).status).toBe('PENDING');

    await makeStale(stripe.sessionId, gr4vy.sessionId);
    await sandboxAdmin.clearRequests(a.sandboxUrl);
    await passOnBothInstances();

    const paidStripe = await view(stripe.sessionId);
    expect(paidStripe.status).toBe('COMPLETED');
    expect(paidStripe.payment.transactionId).toMatch(/^pi_/);
    expect((await view(gr4vy.sessionId)).status).toBe('COMPLETED');
    const stripeReads = await sandboxAdmin.requests(
      a.sandboxUrl,
      `/v1/checkout/sessions/${stripeId(stripe.checkoutUrl)}`,
    );
    const gr4vyReads = await sandboxAdmin.requests(a.sandboxUrl, `/transactions/${gr4vy.transactionId}`);
    expect(stripeReads).toHaveLength(1);
    expect(gr4vyReads).toHaveLength(1);

    await passOnBothInstances();
    expect(
      await sandboxAdmin.requests(a.sandboxUrl, `/v1/checkout/sessions/${stripeId(stripe.checkoutUrl)}`),
    ).toHaveLength(1);
  });

  it('leaves a fresh PENDING session alone, and backs off one that teaches nothing', async () => {
    const fresh = await create('EUR');
    const stale = await create('EUR');
    await makeStale(stale.sessionId);
    await sandboxAdmin.clearRequests(a.sandboxUrl);
    await passOnBothInstances();
    await passOnBothInstances();
    expect(
      await sandboxAdmin.requests(a.sandboxUrl, `/v1/checkout/sessions/${stripeId(fresh.checkoutUrl)}`),
    ).toEqual([]);
    // Asked once: the second pass finds it backing off.
    expect(
      await sandboxAdmin.requests(a.sandboxUrl, `/v1/checkout/sessions/${stripeId(stale.checkoutUrl)}`),
    ).toHaveLength(1);
    expect((await view(stale.sessionId)).status).toBe('PENDING');
  });

  it('expires at the provider a session past its expiry, and completes one the buyer paid: paid wins over EXPIRED', async () => {
    const unpaid = await create('EUR');
    const paid = await create('EUR');
    expect((await buyerPaysAtStripe(paid.checkoutUrl)).status).toBe(303);
    await db().query(
      `UPDATE checkout_sessions SET expires_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`,
      [[unpaid.sessionId, paid.sessionId]],
    );
    await passOnBothInstances();

    expect((await view(unpaid.sessionId)).status).toBe('EXPIRED');
    expect((await atStripe(stripeId(unpaid.checkoutUrl))).status).toBe('expired');
    expect((await view(paid.sessionId)).status).toBe('COMPLETED');
  });

  it('cancels a Gr4vy session at the provider first: the page answers 410 and the order is free again', async () => {
    const orderReference = `ORD-${randomUUID()}`;
    const { sessionId } = await create('AUD', { orderReference });
    await sandboxAdmin.clearRequests(a.sandboxUrl);
    const res = await cancel(sessionId);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');
    const deletes = (
      await sandboxAdmin.requests(a.sandboxUrl, `/checkout/sessions/${await providerSessionId(sessionId)}`)
    ).length;
    expect(deletes).toBeGreaterThanOrEqual(1);
    expect((await request(a.url).get(`/checkout/${sessionId}`)).status).toBe(410);
    expect((await cancel(sessionId)).status).toBe(200);
    await create('AUD', { orderReference });
  });

  it('cancels a Stripe session by expiring it at Stripe', async () => {
    const { sessionId, checkoutUrl } = await create('EUR');
    const res = await cancel(sessionId);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');
    expect((await atStripe(stripeId(checkoutUrl))).status).toBe('expired');
  });

  it('refuses to cancel a session the buyer paid at Stripe, whose webhook was lost, and records the payment', async () => {
    const { sessionId, checkoutUrl } = await create('EUR');
    expect((await buyerPaysAtStripe(checkoutUrl)).status).toBe(303);
    const res = await cancel(sessionId);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'SESSION_NOT_CANCELLABLE', details: { status: 'COMPLETED' } });
    expect((await view(sessionId)).status).toBe('COMPLETED');
  });

  it('refuses to cancel a COMPLETED, FAILED or EXPIRED session, with its status', async () => {
    for (const status of ['COMPLETED', 'FAILED', 'EXPIRED']) {
      const { sessionId } = await create('AUD');
      await db().query('UPDATE checkout_sessions SET status = $2 WHERE id = $1', [sessionId, status]);
      const res = await cancel(sessionId);
      expect(res.status).toBe(409);
      expect(res.body.details).toEqual({ status });
    }
  });

  it('answers 404 to a cancel of another merchant’s session', async () => {
    const { sessionId } = await create('AUD');
    const stranger = await merchantToken(`merchant_${randomUUID()}`);
    const res = await request(a.url)
      .post(`/api/v1/sessions/${sessionId}/cancel`)
      .set('Authorization', `Bearer ${stranger}`);
    expect(res.status).toBe(404);
    expect((await view(sessionId)).status).toBe('PENDING');
  });

  it('ends the same cancel sent twice at once in one CANCELLED session, both answered 200', async () => {
    const { sessionId } = await create('AUD');
    const [first, second] = await Promise.all([cancel(sessionId), cancel(sessionId)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await view(sessionId)).status).toBe('CANCELLED');
  });

  it('ends a cancel racing a payment in one consistent state', async () => {
    const { sessionId } = await create('AUD');
    await storeCard(a.sandboxUrl, await providerSessionId(sessionId), CARDS.approve);
    // Hold the payment at the provider so that the cancel arrives while it is in flight.
    await sandboxAdmin.fault(a.sandboxUrl, {
      provider: 'gr4vy',
      method: 'POST',
      path: '/transactions',
      mode: 'latency',
      latencyMs: 400,
      remaining: 1,
    });
    const paying = pay(a.url, sessionId);
    await new Promise((r) => setTimeout(r, 100));
    const cancelled = await cancel(sessionId);
    const paid = await paying;
    const final = (await view(sessionId)).status;
    if (cancelled.status === 200) {
      expect(final).toBe('CANCELLED');
      expect(paid.body.status).not.toBe('COMPLETED');
    } else {
      expect(cancelled.status).toBe(409);
      expect(final).toBe('COMPLETED');
      expect(cancelled.body.details.status).toBe('COMPLETED');
    }
  });
});
