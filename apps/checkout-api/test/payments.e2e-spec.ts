import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CARDS, pay, providerSessionId, storeCard } from './support/checkout-flow';
import { closeDb } from './support/db';
import { GR4VY_SERVICE_AU, gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, sandboxAdmin, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

const run = randomUUID().slice(0, 8);
const ids = {
  authorize: `gr4vy-auth-${run}`,
  capture: `gr4vy-capture-${run}`,
  stripe: `stripe-auth-${run}`,
  stripeCapture: `stripe-capture-${run}`,
};
const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_payments_0123456789abcdef';

/** An order of `total` major units: one line, no shipping or tax. */
const order = (currency: string, total: number) =>
  sessionBody({
    currency,
    amount: { total, shipping: 0, tax: 0 },
    orderItems: [{ name: 'Item', quantity: 1, unitPrice: total }],
  });

describe('after checkout: capture, void and refund', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({
      routes: [
        gr4vyRoute(ids.authorize, { currencies: ['AUD'] }),
        gr4vyRoute(ids.capture, {
          currencies: ['NZD'],
          options: { paymentServiceId: GR4VY_SERVICE_AU, intent: 'capture' },
        }),
        {
          id: ids.stripe,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['USD'],
          options: { intent: 'authorize' },
        },
        {
          id: ids.stripeCapture,
          adapter: 'stripe',
          enabled: true,
          paymentMethods: ['card'],
          currencies: ['EUR'],
          options: { intent: 'capture' },
        },
      ],
      env: { STRIPE_WEBHOOK_SECRET },
    });
    // The sandbox sends its signed Stripe events to our endpoint: Stripe sessions settle as in production.
    const res = await fetch(`${h.sandboxUrl}/__sandbox/stripe/webhooks`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${h.url}/webhooks/stripe`, secret: STRIPE_WEBHOOK_SECRET }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
  });

  const create = async (body: Record<string, unknown>, as = token) => {
    const res = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${as}`)
      .set('Idempotency-Key', randomUUID())
      .send(body);
    expect(res.status).toBe(201);
    return res.body.sessionId as string;
  };
  const get = (sessionId: string) =>
    request(h.url).get(`/api/v1/sessions/${sessionId}`).set('Authorization', `Bearer ${token}`);
  const operate = (
    sessionId: string,
    path: 'capture' | 'void' | 'refunds',
    body?: Record<string, unknown>,
    key: string = randomUUID(),
    as = token,
  ) => {
    const req = request(h.url)
      .post(`/api/v1/sessions/${sessionId}/${path}`)
      .set('Authorization', `Bearer ${as}`)
      .set('Idempotency-Key', key);
    return body === undefined ? req : req.send(body);
  };
  const refunds = (sessionId: string) =>
    request(h.url).get(`/api/v1/sessions/${sessionId}/refunds`).set('Authorization', `Bearer ${token}`);
  const failNextGr4vyRefund = (fault: Record<string, unknown>) =>
    sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      path: '/transactions/:transaction_id/refunds',
      remaining: 1,
      ...fault,
    });
  /** What the sandbox was asked at a path (the provider calls a test may count). */
  const calls = async (path: string) => sandboxAdmin.requests(h.sandboxUrl, path);

  /** A Gr4vy session paid on our hosted page: authorized, or captured at once on the capture route. */
  const paidGr4vy = async (currency: 'AUD' | 'NZD', total: number) => {
    const sessionId = await create(order(currency, total));
    await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.approve);
    expect((await pay(h.url, sessionId)).body.status).toBe('COMPLETED');
    const transactionId = (await get(sessionId)).body.payment.transactionId as string;
    return { sessionId, transactionId };
  };

  describe('on a Gr4vy route', () => {
    it('tells the merchant of each settled money movement, in the same transaction: payment.captured, payment.refunded, payment.voided and refund.failed', async () => {
      const events = async (sessionId: string) => {
        const res = await request(h.url)
          .get('/api/v1/events')
          .set('Authorization', `Bearer ${token}`)
          .query({ sessionId });
        expect(res.status).toBe(200);
        return (
          res.body.data as Array<{
            type: string;
            data: { session: { payment: Record<string, unknown> }; refund?: Record<string, unknown> };
          }>
        ).reverse();
      };
      const captured = await paidGr4vy('AUD', 100);
      expect((await operate(captured.sessionId, 'capture')).status).toBe(200);
      expect((await operate(captured.sessionId, 'refunds', { amount: 25 })).status).toBe(201);
      await failNextGr4vyRefund({ mode: 'status', status: 400 });
      expect((await operate(captured.sessionId, 'refunds', { amount: 5 })).status).toBe(502);
      const moved = await events(captured.sessionId);
      expect(moved.map((e) => e.type)).toEqual([
        'session.completed',
        'payment.captured',
        'payment.refunded',
        'refund.failed',
      ]);
      expect(moved[1].data.session.payment).toMatchObject({ capturedAmount: 100, refundedAmount: 0 });
      expect(moved[2].data.session.payment).toMatchObject({ capturedAmount: 100, refundedAmount: 25 });
      expect(moved[2].data.refund).toMatchObject({ amount: 25, status: 'succeeded' });
      expect(moved[3].data.refund).toMatchObject({ amount: 5, status: 'failed' });

      const voided = await paidGr4vy('AUD', 40);
      expect((await operate(voided.sessionId, 'void')).status).toBe(200);
      expect((await events(voided.sessionId)).map((e) => e.type)).toEqual([
        'session.completed',
        'payment.voided',
      ]);
    });

    it('captures part of an authorization, refunds it twice, and refuses a third refund that would exceed with no provider call', async () => {
      const { sessionId, transactionId } = await paidGr4vy('AUD', 100);
      expect((await get(sessionId)).body.payment).toMatchObject({
        status: 'authorized',
        authorizedAmount: 100,
        capturedAmount: 0,
        refundedAmount: 0,
        refunds: [],
      });

      const captured = await operate(sessionId, 'capture', { amount: 60 });
      expect(captured.status).toBe(200);
      expect(captured.body).toMatchObject({
        transactionId,
        status: 'captured',
        providerStatus: 'capture_succeeded',
        authorizedAmount: 100,
        capturedAmount: 60,
        refundedAmount: 0,
      });
      const [capture] = await calls(`/transactions/${transactionId}/capture`);
      expect(capture.body).toEqual({ amount: 6000 });
      expect(capture.headers['idempotency-key']).toMatch(/^capture_[0-9a-f]{48}$/);

      const first = await operate(sessionId, 'refunds', { amount: 20, reason: 'Damaged in transit' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        refundId: expect.any(String),
        amount: 20,
        status: 'succeeded',
        createdAt: expect.any(String),
      });
      expect((await operate(sessionId, 'refunds', { amount: 30 })).status).toBe(201);
      expect(await calls(`/transactions/${transactionId}/refunds`)).toHaveLength(2);

      const third = await operate(sessionId, 'refunds', { amount: 20 });
      expect(third.status).toBe(409);
      expect(third.body).toMatchObject({
        code: 'REFUND_EXCEEDS_CAPTURED',
        details: { requestedAmount: 20, refundableAmount: 10, capturedAmount: 60, refundedAmount: 50 },
      });
      expect(await calls(`/transactions/${transactionId}/refunds`)).toHaveLength(2);

      const again = await operate(sessionId, 'capture', { amount: 40 });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('PAYMENT_NOT_CAPTURABLE');
      expect(await calls(`/transactions/${transactionId}/capture`)).toHaveLength(1);

      const session = await get(sessionId);
      expect(session.body.payment).toMatchObject({ capturedAmount: 60, refundedAmount: 50 });
      expect(session.body.payment.refunds).toEqual([
        expect.objectContaining({
          refundId: first.body.refundId,
          amount: 20,
          status: 'succeeded',
          reason: 'Damaged in transit',
        }),
        expect.objectContaining({ amount: 30, status: 'succeeded' }),
      ]);
      const listed = await refunds(sessionId);
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((r: { amount: number }) => r.amount)).toEqual([20, 30]);
    });

    it('voids an authorization, after which neither a capture nor another void reaches the provider', async () => {
      const { sessionId, transactionId } = await paidGr4vy('AUD', 140.76);
      const voided = await operate(sessionId, 'void');
      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({
        status: 'voided',
        providerStatus: 'authorization_voided',
        capturedAmount: 0,
      });
      expect(await calls(`/transactions/${transactionId}/void`)).toHaveLength(1);

      expect((await operate(sessionId, 'capture')).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
      expect((await operate(sessionId, 'void')).body.code).toBe('PAYMENT_NOT_VOIDABLE');
      expect(await calls(`/transactions/${transactionId}/capture`)).toHaveLength(0);
      expect(await calls(`/transactions/${transactionId}/void`)).toHaveLength(1);
    });

    it('refuses a void after a capture with 409 PAYMENT_NOT_VOIDABLE and no provider call', async () => {
      const { sessionId, transactionId } = await paidGr4vy('NZD', 50);
      expect((await get(sessionId)).body.payment).toMatchObject({ status: 'captured', capturedAmount: 50 });
      const res = await operate(sessionId, 'void');
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'PAYMENT_NOT_VOIDABLE',
        details: { paymentStatus: 'captured' },
      });
      expect(await calls(`/transactions/${transactionId}/void`)).toHaveLength(0);
    });

    it('refuses every operation on a session that is not COMPLETED, without calling the provider', async () => {
      const sessionId = await create(order('AUD', 10));
      const before = (await calls('/transactions')).length;
      for (const [path, code] of [
        ['capture', 'PAYMENT_NOT_CAPTURABLE'],
        ['void', 'PAYMENT_NOT_VOIDABLE'],
        ['refunds', 'PAYMENT_NOT_REFUNDABLE'],
      ] as const) {
        const res = await operate(sessionId, path);
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ code, details: { sessionStatus: 'PENDING' } });
      }
      expect(await calls('/transactions')).toHaveLength(before);
    });

    it('lets 10 of 20 concurrent refunds of 10.00 against 100.00 captured succeed, and the provider sees exactly 10', async () => {
      const { sessionId, transactionId } = await paidGr4vy('NZD', 100);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => operate(sessionId, 'refunds', { amount: 10 })),
      );
      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(10);
      expect(statuses.filter((status) => status === 409)).toHaveLength(10);
      expect(
        answers
          .filter((res) => res.status === 409)
          .every((res) => res.body.code === 'REFUND_EXCEEDS_CAPTURED'),
      ).toBe(true);
      expect(await calls(`/transactions/${transactionId}/refunds`)).toHaveLength(10);
      expect((await get(sessionId)).body.payment).toMatchObject({ capturedAmount: 100, refundedAmount: 100 });
      expect((await refunds(sessionId)).body.data).toHaveLength(10);
    });

    it('gives the same refund to a replay with the same key, with one provider call', async () => {
      const { sessionId, transactionId } = await paidGr4vy('NZD', 100);
      const key = randomUUID();
      const first = await operate(sessionId, 'refunds', { amount: 25 }, key);
      const replay = await operate(sessionId, 'refunds', { amount: 25 }, key);
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(await calls(`/transactions/${transactionId}/refunds`)).toHaveLength(1);

      const otherBody = await operate(sessionId, 'refunds', { amount: 30 }, key);
      expect(otherBody.status).toBe(422);
      expect(otherBody.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
      expect((await get(sessionId)).body.payment.refundedAmount).toBe(25);
    });

    it('never replays another endpoint’s answer for a reused key', async () => {
      const createKey = randomUUID();
      const created = await request(h.url)
        .post('/api/v1/sessions')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', createKey)
        .send(order('NZD', 10));
      expect(created.status).toBe(201);
      const { sessionId } = await paidGr4vy('NZD', 10);
      const res = await operate(sessionId, 'refunds', {}, createKey);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    });

    it('answers a provider 503 during a refund with 502 and frees the reserved amount', async () => {
      const { sessionId, transactionId } = await paidGr4vy('NZD', 100);
      await failNextGr4vyRefund({ mode: 'status', status: 503 });
      const failed = await operate(sessionId, 'refunds', { amount: 40 });
      expect(failed.status).toBe(502);
      expect(failed.body.code).toBe('PROVIDER_UNAVAILABLE');
      expect((await get(sessionId)).body.payment).toMatchObject({
        refundedAmount: 0,
        refunds: [expect.objectContaining({ amount: 40, status: 'failed' })],
      });

      const whole = await operate(sessionId, 'refunds', {});
      expect(whole.status).toBe(201);
      expect(whole.body).toMatchObject({ amount: 100, status: 'succeeded' });
      expect(await calls(`/transactions/${transactionId}/refunds`)).toHaveLength(2);
    });

    it('keeps the money held when a refund times out, and settles it when the same key is retried', async () => {
      const { sessionId, transactionId } = await paidGr4vy('NZD', 100);
      await failNextGr4vyRefund({ mode: 'timeout' });
      const key = randomUUID();
      const timedOut = await operate(sessionId, 'refunds', { amount: 40 }, key);
      expect(timedOut.status).toBe(504);
      expect((await refunds(sessionId)).body.data).toEqual([
        expect.objectContaining({ amount: 40, status: 'pending' }),
      ]);
      const meanwhile = await operate(sessionId, 'refunds', { amount: 70 });
      expect(meanwhile.body).toMatchObject({
        code: 'REFUND_EXCEEDS_CAPTURED',
        details: { refundableAmount: 60 },
      });

      const retried = await operate(sessionId, 'refunds', { amount: 40 }, key);
      expect(retried.status).toBe(201);
      expect(retried.body).toMatchObject({ amount: 40, status: 'succeeded' });
      const sent = await calls(`/transactions/${transactionId}/refunds`);
      expect(sent).toHaveLength(2);
      expect(sent[1].headers['idempotency-key']).toBe(sent[0].headers['idempotency-key']);
      expect((await get(sessionId)).body.payment.refundedAmount).toBe(40);
    });

    it('scopes every operation to the merchant and checks the request before claiming the key', async () => {
      const { sessionId } = await paidGr4vy('AUD', 100);
      const stranger = await merchantToken(`merchant_${randomUUID()}`);
      for (const path of ['capture', 'void', 'refunds'] as const) {
        expect((await operate(sessionId, path, undefined, randomUUID(), stranger)).status).toBe(404);
      }
      const list = await request(h.url)
        .get(`/api/v1/sessions/${sessionId}/refunds`)
        .set('Authorization', `Bearer ${stranger}`);
      expect(list.status).toBe(404);
      expect(
        (
          await request(h.url)
            .post(`/api/v1/sessions/${sessionId}/capture`)
            .set('Authorization', `Bearer ${token}`)
        ).body.code,
      ).toBe('IDEMPOTENCY_KEY_MISSING');
      const precise = await operate(sessionId, 'capture', { amount: 10.001 });
      expect(precise.status).toBe(400);
      expect(precise.body.code).toBe('VALIDATION_FAILED');
      expect((await operate(sessionId, 'capture', { amount: -1 })).status).toBe(400);
      expect((await operate(sessionId, 'void', { amount: 1 })).status).toBe(400);
      expect((await get(sessionId)).body.payment).toMatchObject({ status: 'authorized', capturedAmount: 0 });
    });
  });

  describe('on Stripe routes', () => {
    /** A Stripe session paid on the sandbox's page, COMPLETED by Stripe's signed webhook. */
    const paidStripe = async (currency: 'USD' | 'EUR', total: number) => {
      const sessionId = await create(order(currency, total));
      const checkout = (await get(sessionId)).body.checkoutUrl as string;
      const paid = await fetch(checkout, { method: 'POST', redirect: 'manual' });
      expect(paid.status).toBe(303);
      for (let i = 0; i < 200 && (await get(sessionId)).body.status !== 'COMPLETED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const payment = (await get(sessionId)).body.payment as { transactionId: string; status: string };
      return { sessionId, intentId: payment.transactionId, paymentStatus: payment.status };
    };

    it('holds the funds on an authorize route (capture_method=manual) and takes them at once on a capture route', async () => {
      await create(order('USD', 10));
      expect((await calls('/v1/checkout/sessions')).slice(-1)[0].body.payment_intent_data).toEqual({
        capture_method: 'manual',
      });
      await create(order('EUR', 10));
      expect((await calls('/v1/checkout/sessions')).slice(-1)[0].body).not.toHaveProperty(
        'payment_intent_data',
      );

      expect((await paidStripe('USD', 10)).paymentStatus).toBe('authorized');
      const captured = await paidStripe('EUR', 10);
      expect(captured.paymentStatus).toBe('captured');
      expect((await get(captured.sessionId)).body.payment).toMatchObject({ capturedAmount: 10 });
      const refund = await operate(captured.sessionId, 'refunds');
      expect(refund.body).toMatchObject({ amount: 10, status: 'succeeded' });
      expect(
        (await calls('/v1/refunds')).filter((r) => r.body.payment_intent === captured.intentId),
      ).toHaveLength(1);
    });

    it('captures part of the PaymentIntent, refunds it twice, and refuses a third refund that would exceed with no provider call', async () => {
      const { sessionId, intentId } = await paidStripe('USD', 100);
      const captured = await operate(sessionId, 'capture', { amount: 60 });
      expect(captured.status).toBe(200);
      expect(captured.body).toMatchObject({
        transactionId: intentId,
        status: 'captured',
        providerStatus: 'succeeded',
        capturedAmount: 60,
      });
      const [capture] = await calls(`/v1/payment_intents/${intentId}/capture`);
      expect(capture.body).toEqual({ amount_to_capture: '6000' });
      expect(capture.headers['idempotency-key']).toMatch(/^capture_/);

      expect((await operate(sessionId, 'refunds', { amount: 20 })).body).toMatchObject({
        amount: 20,
        status: 'succeeded',
      });
      expect((await operate(sessionId, 'refunds', { amount: 30 })).body).toMatchObject({
        amount: 30,
        status: 'succeeded',
      });
      const stripeRefunds = async () =>
        (await calls('/v1/refunds')).filter((r) => r.body.payment_intent === intentId);
      expect((await stripeRefunds()).map((r) => r.body.amount)).toEqual(['2000', '3000']);

      const third = await operate(sessionId, 'refunds', { amount: 10.01 });
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('REFUND_EXCEEDS_CAPTURED');
      expect(await stripeRefunds()).toHaveLength(2);
      expect((await get(sessionId)).body.payment).toMatchObject({ capturedAmount: 60, refundedAmount: 50 });
    });

    it('voids the PaymentIntent with paymentIntents.cancel', async () => {
      const { sessionId, intentId } = await paidStripe('USD', 30);
      const voided = await operate(sessionId, 'void');
      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({ status: 'voided', providerStatus: 'canceled' });
      expect(await calls(`/v1/payment_intents/${intentId}/cancel`)).toHaveLength(1);
      expect((await operate(sessionId, 'refunds')).body.code).toBe('PAYMENT_NOT_REFUNDABLE');
    });
  });
});
