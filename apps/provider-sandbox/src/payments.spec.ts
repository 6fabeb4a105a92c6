import { startSandbox, type RunningSandbox } from './sandbox';
import {
  CARD_APPROVE,
  createSession,
  formBody,
  gr4vyHeaders,
  postJson,
  readJson,
  storeCard,
  stripeHeaders,
  stripeSessionParams,
  transactionBody,
  type JsonObject,
} from './test/helpers';

describe('after checkout', () => {
  let sandbox: RunningSandbox;
  let base: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  describe('Gr4vy: capture, void and refunds', () => {
    async function authorized(intent = 'authorize'): Promise<JsonObject> {
      const session = await createSession(base);
      await storeCard(base, String(session.id), CARD_APPROVE);
      const res = await postJson(`${base}/transactions`, transactionBody(String(session.id), { intent }));
      return readJson(res);
    }
    const op = (id: string, path: string, body?: unknown, key?: string) =>
      fetch(`${base}/transactions/${id}/${path}`, {
        method: 'POST',
        headers: gr4vyHeaders('t', key ? { 'idempotency-key': key } : {}),
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('captures part of an authorization once, then refunds in parts up to what was captured', async () => {
      const tx = await authorized();
      const captured = await op(String(tx.id), 'capture', { amount: 2000 });
      expect(captured.status).toBe(200);
      expect(await readJson(captured)).toMatchObject({ status: 'capture_succeeded', captured_amount: 2000 });
      expect((await op(String(tx.id), 'capture', { amount: 100 })).status).toBe(400);

      const first = await op(String(tx.id), 'refunds', { amount: 1500, reason: 'damaged' });
      expect(first.status).toBe(201);
      expect(await readJson(first)).toMatchObject({
        type: 'refund',
        status: 'succeeded',
        amount: 1500,
        reason: 'damaged',
      });
      const tooMuch = await op(String(tx.id), 'refunds', { amount: 501 });
      expect(tooMuch.status).toBe(400);
      expect((await op(String(tx.id), 'refunds', {})).status).toBe(201);
      const read = await fetch(`${base}/transactions/${String(tx.id)}`, { headers: gr4vyHeaders() });
      expect(await readJson(read)).toMatchObject({ captured_amount: 2000, refunded_amount: 2000 });
    });

    it('voids an authorization, and refuses to void a captured one', async () => {
      const tx = await authorized();
      const voided = await op(String(tx.id), 'void');
      expect(await readJson(voided)).toMatchObject({ status: 'authorization_voided' });
      const captured = await authorized('capture');
      expect((await op(String(captured.id), 'void')).status).toBe(400);
    });

    it('validates bodies against the document: an unknown field or a negative amount is a 422', async () => {
      const tx = await authorized();
      const extra = await op(String(tx.id), 'capture', { amount: 1, currency: 'USD' });
      expect(extra.status).toBe(422);
      expect(((await readJson(extra)).detail as JsonObject[])[0]).toMatchObject({
        type: 'extra_forbidden',
        loc: ['body', 'currency'],
      });
      expect((await op(String(tx.id), 'capture', { amount: -1 })).status).toBe(422);
      expect((await op(String(tx.id), 'refunds', { reason: 'r'.repeat(101) })).status).toBe(422);
    });

    it('replays an idempotent refund and refuses the key with another body', async () => {
      const tx = await authorized('capture');
      const first = await readJson(await op(String(tx.id), 'refunds', { amount: 100 }, 'key-1'));
      const again = await op(String(tx.id), 'refunds', { amount: 100 }, 'key-1');
      expect(again.headers.get('x-sandbox-idempotent-replayed')).toBe('true');
      expect((await readJson(again)).id).toBe(first.id);
      expect((await op(String(tx.id), 'refunds', { amount: 200 }, 'key-1')).status).toBe(409);
      expect(sandbox.findRequests({ path: `/transactions/${String(tx.id)}/refunds` })).toHaveLength(3);
    });

    it('injects faults on the operation’s route', async () => {
      const tx = await authorized('capture');
      sandbox.faults.add({
        path: '/transactions/:transaction_id/refunds',
        mode: 'status',
        status: 503,
        remaining: 1,
      });
      expect((await op(String(tx.id), 'refunds', { amount: 1 })).status).toBe(503);
      expect((await op(String(tx.id), 'refunds', { amount: 1 })).status).toBe(201);
    });
  });

  describe('Stripe: the PaymentIntent of a paid session', () => {
    const stripe = (path: string, params: Record<string, string> = {}, extra: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: stripeHeaders('sk_test_sandbox', extra),
        body: formBody(params),
      });

    async function paid(captureMethod?: string): Promise<JsonObject> {
      const params = captureMethod
        ? stripeSessionParams({ 'payment_intent_data[capture_method]': captureMethod })
        : stripeSessionParams();
      const session = await readJson(await stripe('/v1/checkout/sessions', params));
      await fetch(`${base}/stripe/pay/${String(session.id)}`, { method: 'POST', redirect: 'manual' });
      const read = await fetch(`${base}/v1/checkout/sessions/${String(session.id)}`, {
        headers: stripeHeaders(),
      });
      const intentId = String((await readJson(read)).payment_intent);
      return readJson(await fetch(`${base}/v1/payment_intents/${intentId}`, { headers: stripeHeaders() }));
    }

    it('holds the funds with capture_method=manual, then captures part of them once', async () => {
      const intent = await paid('manual');
      expect(intent).toMatchObject({
        status: 'requires_capture',
        amount_capturable: 3098,
        capture_method: 'manual',
      });
      const captured = await stripe(`/v1/payment_intents/${String(intent.id)}/capture`, {
        amount_to_capture: '2000',
      });
      expect(await readJson(captured)).toMatchObject({
        status: 'succeeded',
        amount_received: 2000,
        amount_capturable: 0,
      });
      const again = await stripe(`/v1/payment_intents/${String(intent.id)}/capture`);
      expect(again.status).toBe(400);
      expect(((await readJson(again)).error as JsonObject).code).toBe('payment_intent_unexpected_state');
    });

    it('receives the funds at once without manual capture, and refunds them in parts', async () => {
      const intent = await paid();
      expect(intent).toMatchObject({ status: 'succeeded', amount_received: 3098 });
      const refund = await stripe('/v1/refunds', {
        payment_intent: String(intent.id),
        amount: '1000',
        'metadata[refundId]': 'r1',
      });
      expect(await readJson(refund)).toMatchObject({
        object: 'refund',
        status: 'succeeded',
        amount: 1000,
        metadata: { refundId: 'r1' },
      });
      const tooMuch = await stripe('/v1/refunds', { payment_intent: String(intent.id), amount: '2099' });
      expect(((await readJson(tooMuch)).error as JsonObject).param).toBe('amount');
      expect((await stripe('/v1/refunds', { payment_intent: String(intent.id) })).status).toBe(200);
      const none = await stripe('/v1/refunds', { payment_intent: String(intent.id) });
      expect(((await readJson(none)).error as JsonObject).code).toBe('charge_already_refunded');
    });

    it('cancels a held PaymentIntent and refuses to cancel a received one', async () => {
      const held = await paid('manual');
      expect(await readJson(await stripe(`/v1/payment_intents/${String(held.id)}/cancel`))).toMatchObject({
        status: 'canceled',
      });
      const received = await paid();
      expect((await stripe(`/v1/payment_intents/${String(received.id)}/cancel`)).status).toBe(400);
    });

    it('replays an idempotent capture, refuses another account and an unknown parameter', async () => {
      const intent = await paid('manual');
      const path = `/v1/payment_intents/${String(intent.id)}/capture`;
      await stripe(path, {}, { 'idempotency-key': 'k1' });
      const again = await stripe(path, {}, { 'idempotency-key': 'k1' });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const other = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: stripeHeaders('sk_test_other'),
        body: '',
      });
      expect(other.status).toBe(404);
      const unknown = await stripe('/v1/refunds', { payment_intent: String(intent.id), currency: 'usd' });
      expect(((await readJson(unknown)).error as JsonObject).code).toBe('parameter_unknown');
    });

    it('refuses an unknown payment_intent_data parameter when the session is created', async () => {
      const res = await stripe(
        '/v1/checkout/sessions',
        stripeSessionParams({ 'payment_intent_data[capture]': 'later' }),
      );
      expect(res.status).toBe(400);
      expect(((await readJson(res)).error as JsonObject).param).toBe('payment_intent_data[capture]');
    });
  });
});
