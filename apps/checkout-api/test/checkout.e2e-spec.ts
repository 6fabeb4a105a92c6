import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  CARDS,
  pay,
  postWebhook,
  providerSessionId,
  signedWebhook,
  storeCard,
} from './support/checkout-flow';
import { closeDb, db } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, sandboxAdmin, startHarness, TEST_WEBHOOK_SECRET } from './support/harness';
import { merchantToken } from './support/tokens';

describe('hosted checkout: page, payment and webhooks', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({ realCheckoutBaseUrl: true });
  });
  afterAll(async () => {
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
  });

  const create = async (overrides: Record<string, unknown> = {}) => {
    const res = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(sessionBody(overrides));
    expect(res.status).toBe(201);
    return res.body.sessionId as string;
  };
  const get = (sessionId: string) =>
    request(h.url).get(`/api/v1/sessions/${sessionId}`).set('Authorization', `Bearer ${token}`);
  const transactionsFor = async (gr4vySessionId: string) =>
    (await sandboxAdmin.requests(h.sandboxUrl, '/transactions')).filter(
      (r) => (r.body.payment_method as { id?: string } | undefined)?.id === gr4vySessionId,
    );

  describe('GET /checkout/:sessionId', () => {
    it('renders the order summary in the session’s locale and currency, with a strict CSP', async () => {
      const sessionId = await create();
      const res = await request(h.url).get(`/checkout/${sessionId}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.text).toContain('$140.76');
      expect(res.text).toContain('$9.95');
      expect(res.text).toContain('Wireless Headphones');
      expect(res.text).toMatch(/Order <strong id="order-reference">ORD-/);
      expect(res.text).toContain(`${h.sandboxUrl}/secure-fields/latest/secure-fields.js`);
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain(`script-src 'self' ${h.sandboxUrl}`);
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
    });

    it('escapes what the merchant sent', async () => {
      const sessionId = await create({
        orderItems: [{ name: '<script>alert(1)</script>', quantity: 1, unitPrice: 119 }],
      });
      const res = await request(h.url).get(`/checkout/${sessionId}`);
      expect(res.text).not.toContain('<script>alert(1)</script>');
      expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it('answers unknown 404, expired 410 and paid 409 with a clear page', async () => {
      expect((await request(h.url).get(`/checkout/${randomUUID()}`)).status).toBe(404);
      expect((await request(h.url).get('/checkout/not-a-session')).status).toBe(404);
      const expired = await create();
      await db().query(
        `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [expired],
      );
      const gone = await request(h.url).get(`/checkout/${expired}`);
      expect(gone.status).toBe(410);
      expect(gone.text).toContain('Checkout expired');
      expect(gone.text).not.toMatch(/at .*\.js:\d+/);
      const paid = await create();
      await storeCard(h.sandboxUrl, await providerSessionId(paid), CARDS.approve);
      await pay(h.url, paid);
      const done = await request(h.url).get(`/checkout/${paid}`);
      expect(done.status).toBe(409);
      expect(done.text).toContain('Already paid');
    });
  });

  describe('POST /checkout/:sessionId/pay', () => {
    it('creates the transaction from the stored session and completes it', async () => {
      const sessionId = await create();
      const gr4vySession = await providerSessionId(sessionId);
      expect(await storeCard(h.sandboxUrl, gr4vySession, CARDS.approve)).toBe(204);
      const res = await pay(h.url, sessionId, { amount: 1, currency: 'USD' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'COMPLETED',
        redirectUrl: `https://merchant.example.com/checkout/success?sessionId=${sessionId}`,
      });
      const [sent] = await transactionsFor(gr4vySession);
      expect(sent.body).toMatchObject({
        amount: 14076,
        currency: 'AUD',
        payment_method: { method: 'checkout-session', id: gr4vySession },
        intent: 'authorize',
      });
      expect(String(sent.body.external_identifier)).toMatch(/^ORD-/);
      expect(sent.headers['idempotency-key']).toMatch(/^pay_/);
      const session = await get(sessionId);
      expect(session.body.status).toBe('COMPLETED');
      expect(session.body.payment).toMatchObject({
        transactionId: expect.any(String),
        status: 'authorized',
        providerStatus: 'authorization_succeeded',
        completedAt: expect.any(String),
      });
    });

    it('fails a declined card with the decline reason and sends the buyer to the failure URL', async () => {
      const sessionId = await create();
      await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.decline);
      const res = await pay(h.url, sessionId);
      expect(res.body).toEqual({
        status: 'FAILED',
        redirectUrl: `https://merchant.example.com/checkout/failure?sessionId=${sessionId}`,
      });
      const session = await get(sessionId);
      expect(session.body.status).toBe('FAILED');
      expect(session.body.payment.declineReason).toEqual(expect.any(String));
      expect(session.body.payment.failedAt).toEqual(expect.any(String));
    });

    it('makes one transaction from two quick submits, and both get the same answer', async () => {
      await sandboxAdmin.fault(h.sandboxUrl, {
        provider: 'gr4vy',
        path: '/transactions',
        mode: 'latency',
        latencyMs: 300,
      });
      const sessionId = await create();
      const gr4vySession = await providerSessionId(sessionId);
      await storeCard(h.sandboxUrl, gr4vySession, CARDS.approve);
      const [a, b] = await Promise.all([pay(h.url, sessionId), pay(h.url, sessionId)]);
      const answers = [a, b].map((r) => r.status);
      expect(answers).toContain(200);
      const retried = a.status === 200 ? b : a;
      if (retried.status === 409) {
        expect(retried.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
        await new Promise((r) => setTimeout(r, 400));
        const again = await pay(h.url, sessionId);
        expect(again.body).toEqual((a.status === 200 ? a : b).body);
      }
      expect(await transactionsFor(gr4vySession)).toHaveLength(1);
    });

    it('refuses to pay a session that is not PENDING without calling Gr4vy', async () => {
      const sessionId = await create();
      const gr4vySession = await providerSessionId(sessionId);
      await storeCard(h.sandboxUrl, gr4vySession, CARDS.approve);
      await db().query(`UPDATE checkout_sessions SET status = 'CANCELLED' WHERE id = $1`, [sessionId]);
      const res = await pay(h.url, sessionId);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('SESSION_NOT_PAYABLE');
      expect(await transactionsFor(gr4vySession)).toHaveLength(0);
    });

    it('sends the buyer to the approval URL and settles the session when they come back', async () => {
      const sessionId = await create();
      const gr4vySession = await providerSessionId(sessionId);
      await storeCard(h.sandboxUrl, gr4vySession, CARDS.approval);
      const res = await pay(h.url, sessionId);
      expect(res.body.status).toBe('PENDING');
      expect(res.body.redirectUrl).toMatch(new RegExp(`^${h.sandboxUrl}/approve/`));
      const approve = await fetch(res.body.redirectUrl, { method: 'POST', redirect: 'manual' });
      expect(approve.status).toBe(303);
      const back = new URL(approve.headers.get('location') as string);
      expect(back.pathname).toBe(`/checkout/${sessionId}/return`);
      const returned = await request(h.url).get(`${back.pathname}${back.search}`);
      expect(returned.status).toBe(303);
      expect(returned.headers.location).toBe(
        `https://merchant.example.com/checkout/success?sessionId=${sessionId}`,
      );
      expect((await get(sessionId)).body.status).toBe('COMPLETED');
    });

    it('needs JSON: a cross-site form post is refused', async () => {
      const sessionId = await create();
      const res = await request(h.url)
        .post(`/checkout/${sessionId}/pay`)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('a=1');
      expect(res.status).toBe(415);
    });
  });

  describe('POST /webhooks/gr4vy', () => {
    const paidWithApproval = async () => {
      const sessionId = await create();
      await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.approval);
      await pay(h.url, sessionId);
      const { rows } = await db().query('SELECT transaction_id FROM checkout_sessions WHERE id = $1', [
        sessionId,
      ]);
      return { sessionId, transactionId: rows[0].transaction_id as string };
    };

    it('accepts a valid signature and completes the session from the event', async () => {
      const { sessionId, transactionId } = await paidWithApproval();
      const res = await postWebhook(
        h.url,
        signedWebhook({ type: 'transaction', id: transactionId, status: 'capture_succeeded' }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'applied' });
      expect((await get(sessionId)).body).toMatchObject({
        status: 'COMPLETED',
        payment: { status: 'captured', providerStatus: 'capture_succeeded' },
      });
    });

    it('rejects a tampered body, a wrong secret and a stale timestamp, and changes nothing', async () => {
      const { sessionId, transactionId } = await paidWithApproval();
      const target = { type: 'transaction', id: transactionId, status: 'capture_succeeded' };
      expect((await postWebhook(h.url, signedWebhook(target, { tamper: true }))).status).toBe(401);
      expect(
        (await postWebhook(h.url, signedWebhook(target, { secret: 'another-secret-0123456789' }))).status,
      ).toBe(401);
      const stale = await postWebhook(
        h.url,
        signedWebhook(target, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      );
      expect(stale.status).toBe(401);
      expect(stale.body.code).toBe('WEBHOOK_REJECTED');
      expect((await get(sessionId)).body.status).toBe('PENDING');
    });

    it('ignores a replayed event id', async () => {
      const { sessionId, transactionId } = await paidWithApproval();
      const eventId = randomUUID();
      const first = await postWebhook(
        h.url,
        signedWebhook({ type: 'transaction', id: transactionId, status: 'processing' }, { eventId }),
      );
      expect(first.body.status).toBe('applied');
      const replay = await postWebhook(
        h.url,
        signedWebhook(
          { type: 'transaction', id: transactionId, status: 'authorization_declined' },
          { eventId },
        ),
      );
      expect(replay.status).toBe(200);
      expect(replay.body.status).toBe('duplicate');
      expect((await get(sessionId)).body.status).toBe('PENDING');
    });

    it('handles events out of order: a final status never regresses', async () => {
      const { sessionId, transactionId } = await paidWithApproval();
      await postWebhook(
        h.url,
        signedWebhook({ type: 'transaction', id: transactionId, status: 'capture_succeeded' }),
      );
      const late = await postWebhook(
        h.url,
        signedWebhook({ type: 'transaction', id: transactionId, status: 'buyer_approval_pending' }),
      );
      expect(late.body.status).toBe('applied');
      const failedLater = await postWebhook(
        h.url,
        signedWebhook({ type: 'transaction', id: transactionId, status: 'authorization_failed' }),
      );
      expect(failedLater.status).toBe(200);
      const session = (await get(sessionId)).body;
      expect(session.status).toBe('COMPLETED');
      expect(session.payment).toMatchObject({ status: 'captured', providerStatus: 'capture_succeeded' });
    });

    it('settles a session from the sandbox’s own signed webhooks, slim ones included', async () => {
      const configure = await fetch(`${h.sandboxUrl}/__sandbox/webhooks`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${h.url}/webhooks/gr4vy`, secret: TEST_WEBHOOK_SECRET, slim: true }),
      });
      expect(configure.status).toBe(200);
      try {
        const { sessionId, transactionId } = await paidWithApproval();
        // The buyer approves at the provider but never comes back: the webhook alone settles the session.
        const approve = await fetch(`${h.sandboxUrl}/approve/${transactionId}`, {
          method: 'POST',
          redirect: 'manual',
        });
        expect(approve.status).toBe(303);
        let status = 'PENDING';
        for (let i = 0; i < 50 && status === 'PENDING'; i++) {
          await new Promise((r) => setTimeout(r, 50));
          status = (await get(sessionId)).body.status;
        }
        expect(status).toBe('COMPLETED');
        const deliveries = (await (
          await fetch(`${h.sandboxUrl}/__sandbox/webhooks/deliveries`)
        ).json()) as Array<{
          transactionId: string;
          httpStatus: number;
        }>;
        expect(
          deliveries.filter((d) => d.transactionId === transactionId).every((d) => d.httpStatus === 200),
        ).toBe(true);
      } finally {
        await fetch(`${h.sandboxUrl}/__sandbox/webhooks`, { method: 'DELETE' });
      }
    });

    it('re-fetches the transaction through the SDK when the event carries only its id', async () => {
      const { sessionId, transactionId } = await paidWithApproval();
      const approval = (await sandboxAdmin.requests(h.sandboxUrl, '/transactions')).length;
      expect(approval).toBeGreaterThan(0);
      const res = await postWebhook(h.url, signedWebhook({ type: 'transaction', id: transactionId }));
      expect(res.body.status).toBe('applied');
      const gets = await sandboxAdmin.requests(h.sandboxUrl, `/transactions/${transactionId}`);
      expect(gets.length).toBeGreaterThanOrEqual(1);
      expect((await get(sessionId)).body.payment).toMatchObject({
        status: 'approval_required',
        providerStatus: 'buyer_approval_pending',
      });
    });
  });
});
