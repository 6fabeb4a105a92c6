import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from './sandbox';
import {
  formBody,
  readJson,
  startWebhookReceiver,
  stripeHeaders,
  stripeSessionParams,
  type JsonObject,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './test/helpers';

const SECRET = 'whsec_sandbox_stripe_0123456789';
const JSON_HEADERS = { 'content-type': 'application/json' };

interface StripeEvent {
  id: string;
  object: string;
  type: string;
  created: number;
  api_version: string;
  livemode: boolean;
  data: { object: JsonObject };
}

/** What a receiver does: the official SDK verifies Stripe-Signature and reads the event. */
function verified(hook: ReceivedWebhook, secret = SECRET): StripeEvent {
  const header = hook.headers['stripe-signature'];
  if (typeof header !== 'string') throw new Error('no Stripe-Signature');
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  return Stripe.webhooks.constructEvent(hook.rawBody, header, secret) as unknown as StripeEvent;
}

describe('Stripe simulator: paying, reading, expiring and signed events', () => {
  let sandbox: RunningSandbox;
  let endpoint: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    endpoint = `${sandbox.url}/v1/checkout/sessions`;
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    // Events of the previous test must not land in this one's receiver.
    await sandbox.stripeWebhooks.idle();
    sandbox.reset();
    sandbox.stripeWebhooks.configure({ url: receiver.url, secret: SECRET });
    receiver.received.length = 0;
  });

  async function create(
    overrides: Record<string, string> = {},
    key = 'sk_test_sandbox',
  ): Promise<JsonObject> {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: stripeHeaders(key, { 'stripe-version': '2026-10-28.endive' }),
      body: formBody(stripeSessionParams(overrides)),
    });
    expect(res.status).toBe(200);
    return readJson(res);
  }
  const pay = (session: JsonObject, action?: string) =>
    fetch(String(session.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: action === undefined ? '' : formBody({ action }),
    });
  const retrieve = async (id: unknown, query = '', key = 'sk_test_sandbox') =>
    fetch(`${endpoint}/${String(id)}${query}`, { headers: stripeHeaders(key) });
  const expire = (id: unknown, key = 'sk_test_sandbox') =>
    fetch(`${endpoint}/${String(id)}/expire`, { method: 'POST', headers: stripeHeaders(key) });
  const settleAsync = (id: unknown, outcome: string) =>
    fetch(`${sandbox.url}/__sandbox/stripe/sessions/${String(id)}/async`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ outcome }),
    });
  const expanded = async (id: unknown) => readJson(await retrieve(id, '?expand[0]=payment_intent'));

  describe('the pay page', () => {
    it('offers Approve, Decline and a method that settles later while the session is open', async () => {
      const session = await create();
      const page = await (await fetch(String(session.url))).text();
      for (const action of ['approve', 'decline', 'approve_async']) {
        expect(page).toContain(`name="action" value="${action}"`);
      }
    });

    it('approve: complete and paid, a succeeded PaymentIntent, then 303 to success_url', async () => {
      const session = await create();
      const paid = await pay(session, 'approve');
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(
        `https://shop.example/success?session_id=${String(session.id)}`,
      );

      const after = await expanded(session.id);
      expect(after).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
      expect(after.payment_intent).toMatchObject({
        object: 'payment_intent',
        status: 'succeeded',
        amount: after.amount_total,
        amount_received: after.amount_total,
        capture_method: 'automatic',
      });
      expect(String((after.payment_intent as JsonObject).id)).toMatch(/^pi_/);
      // Without expand, the PaymentIntent is its id.
      expect((await readJson(await retrieve(session.id))).payment_intent).toBe(
        (after.payment_intent as JsonObject).id,
      );
    });

    it('approve with payment_intent_data[capture_method]=manual: paid, the PaymentIntent requires_capture', async () => {
      const session = await create({ 'payment_intent_data[capture_method]': 'manual' });
      await pay(session, 'approve');
      const after = await expanded(session.id);
      expect(after.payment_status).toBe('paid');
      expect(after.payment_intent).toMatchObject({
        status: 'requires_capture',
        amount_received: 0,
        capture_method: 'manual',
      });
    });

    it('decline: the session stays open for another try, its PaymentIntent back at requires_payment_method', async () => {
      const session = await create();
      const declined = await pay(session, 'decline');
      expect(declined.status).toBe(402);
      expect(await declined.text()).toContain('Your card was declined.');
      const after = await expanded(session.id);
      expect(after).toMatchObject({ status: 'open', payment_status: 'unpaid' });
      expect(after.payment_intent).toMatchObject({
        status: 'requires_payment_method',
        last_payment_error: { code: 'card_declined' },
      });
      expect((await pay(session, 'approve')).status).toBe(303);
    });

    it('a method that settles later: complete and unpaid while it processes, then settled by the admin API', async () => {
      const succeeds = await create();
      const fails = await create();
      for (const session of [succeeds, fails]) {
        expect((await pay(session, 'approve_async')).status).toBe(303);
        const pending = await expanded(session.id);
        expect(pending).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
        expect(pending.payment_intent).toMatchObject({ status: 'processing' });
      }

      expect((await settleAsync(succeeds.id, 'succeeded')).status).toBe(200);
      expect((await settleAsync(fails.id, 'failed')).status).toBe(200);

      const paid = await expanded(succeeds.id);
      expect(paid.payment_status).toBe('paid');
      expect(paid.payment_intent).toMatchObject({ status: 'succeeded' });
      const failed = await expanded(fails.id);
      expect(failed).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
      expect(failed.payment_intent).toMatchObject({ status: 'requires_payment_method' });
      // Nothing is settling any more.
      expect((await settleAsync(succeeds.id, 'failed')).status).toBe(409);
    });

    it('refuses to pay a session that is no longer open (409), and an unknown action (400)', async () => {
      const session = await create();
      expect((await pay(session, 'steal')).status).toBe(400);
      await pay(session, 'approve');
      expect((await pay(session, 'approve')).status).toBe(409);
    });
  });

  describe('GET /v1/checkout/sessions/:id and POST /v1/checkout/sessions/:id/expire', () => {
    it('expires an open session (200), then refuses it as Stripe does: 400, not open', async () => {
      const session = await create();
      const expired = await expire(session.id);
      expect(expired.status).toBe(200);
      expect(await readJson(expired)).toMatchObject({ status: 'expired', url: null });

      const again = await expire(session.id);
      expect(again.status).toBe(400);
      expect((await readJson(again)).error).toMatchObject({
        type: 'invalid_request_error',
        message:
          'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of `expired`.',
      });
    });

    it('refuses to expire a completed session, naming its status', async () => {
      const session = await create();
      await pay(session, 'approve');
      const res = await expire(session.id);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await readJson(res))).toContain('has a status of `complete`');
    });

    it('shows and expires a session to the account that created it only (404 resource_missing)', async () => {
      const session = await create();
      for (const res of [
        await retrieve(session.id, '', 'sk_test_other'),
        await expire(session.id, 'sk_test_other'),
      ]) {
        expect(res.status).toBe(404);
        expect((await readJson(res)).error).toMatchObject({ code: 'resource_missing' });
      }
    });

    it('refuses to expand what it cannot (400, param expand)', async () => {
      const session = await create();
      const res = await retrieve(session.id, '?expand[0]=customer');
      expect(res.status).toBe(400);
      expect((await readJson(res)).error).toMatchObject({ param: 'expand' });
    });

    it('speaks to the official SDK: retrieve with expand, and expire', async () => {
      const url = new URL(sandbox.url);
      const stripe = new Stripe('sk_test_sandbox', {
        host: url.hostname,
        port: Number(url.port),
        protocol: 'http',
        maxNetworkRetries: 0,
        telemetry: false,
      });
      const session = await create();
      await pay(session, 'approve');
      const read = await stripe.checkout.sessions.retrieve(String(session.id), {
        expand: ['payment_intent'],
      });
      expect(read.status).toBe('complete');
      expect(typeof read.payment_intent === 'object' && read.payment_intent?.status).toBe('succeeded');

      const open = await create();
      expect((await stripe.checkout.sessions.expire(String(open.id))).status).toBe('expired');
      await expect(stripe.checkout.sessions.expire(String(session.id))).rejects.toMatchObject({
        statusCode: 400,
        type: 'StripeInvalidRequestError',
      });
    });
  });

  describe('signed events', () => {
    it('sends checkout.session.completed when the buyer pays, signed in Stripe’s t=…,v1=… format', async () => {
      const session = await create();
      await pay(session, 'approve');
      const [hook] = await receiver.waitFor(1);
      const event = verified(hook);
      expect(event).toMatchObject({
        object: 'event',
        type: 'checkout.session.completed',
        api_version: '2026-10-28.endive',
        livemode: false,
        data: {
          object: { id: session.id, object: 'checkout.session', status: 'complete', payment_status: 'paid' },
        },
      });
      expect(event.id).toMatch(/^evt_/);
      expect(String(event.data.object.payment_intent)).toMatch(/^pi_/);
    });

    it.each([
      ['a decline', 'payment_intent.payment_failed', async (s: JsonObject) => pay(s, 'decline')],
      ['an expiry', 'checkout.session.expired', async (s: JsonObject) => expire(s.id)],
    ])('sends %s as %s', async (_name, type, act) => {
      const session = await create();
      await act(session);
      const [hook] = await receiver.waitFor(1);
      expect(verified(hook).type).toBe(type);
    });

    it('sends completed (unpaid), then async_payment_succeeded or async_payment_failed, for a method that settles later', async () => {
      const succeeds = await create();
      const fails = await create();
      await pay(succeeds, 'approve_async');
      await pay(fails, 'approve_async');
      await receiver.waitFor(2);
      await settleAsync(succeeds.id, 'succeeded');
      await settleAsync(fails.id, 'failed');
      const events = (await receiver.waitFor(4)).map((hook) => verified(hook));
      expect(events.map((e) => [e.type, e.data.object.id, e.data.object.payment_status])).toEqual([
        ['checkout.session.completed', succeeds.id, 'unpaid'],
        ['checkout.session.completed', fails.id, 'unpaid'],
        ['checkout.session.async_payment_succeeded', succeeds.id, 'paid'],
        ['checkout.session.async_payment_failed', fails.id, 'unpaid'],
      ]);
    });

    it('sends nothing while paused, and resumes without the secret being given again', async () => {
      const pause = await fetch(`${sandbox.url}/__sandbox/stripe/webhooks`, {
        method: 'PATCH',
        headers: JSON_HEADERS,
        body: JSON.stringify({ enabled: false }),
      });
      expect(await readJson(pause)).toEqual({
        url: receiver.url,
        secretSet: true,
        enabled: false,
        timeoutMs: 3000,
      });
      await pay(await create(), 'approve');
      await sandbox.stripeWebhooks.idle();
      expect(receiver.received).toHaveLength(0);

      sandbox.stripeWebhooks.setEnabled(true);
      await pay(await create(), 'approve');
      expect(verified((await receiver.waitFor(1))[0]).type).toBe('checkout.session.completed');
    });

    it('replays an event id and signs with a given timestamp on an admin send', async () => {
      const session = await create();
      const send = (body: JsonObject) =>
        fetch(`${sandbox.url}/__sandbox/stripe/webhooks/send`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(body),
        });
      const stale = Math.floor(Date.now() / 1000) - 3600;

      const res = await send({
        sessionId: session.id,
        type: 'checkout.session.expired',
        eventId: 'evt_replayed',
        timestamp: stale,
      });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toMatchObject({
        id: 'evt_replayed',
        type: 'checkout.session.expired',
        timestamp: stale,
        httpStatus: 200,
      });
      const [hook] = await receiver.waitFor(1);
      expect(hook.headers['stripe-signature']).toMatch(new RegExp(`^t=${stale},`));
      expect(() => verified(hook)).toThrow(/tolerance/);
      expect((await send({ sessionId: 'cs_test_unknown', type: 'checkout.session.expired' })).status).toBe(
        404,
      );
      expect((await send({ sessionId: session.id, type: 'charge.refunded' })).status).toBe(400);
    });

    it('configures the receiver over the admin API, never showing the secret', async () => {
      const put = (body: unknown) =>
        fetch(`${sandbox.url}/__sandbox/stripe/webhooks`, {
          method: 'PUT',
          headers: JSON_HEADERS,
          body: JSON.stringify(body),
        });
      const configured = await put({ url: receiver.url, secret: 'whsec_other_0123456789' });
      expect(await readJson(configured)).toEqual({
        url: receiver.url,
        secretSet: true,
        enabled: true,
        timeoutMs: 3000,
      });
      expect((await put({ url: 'ftp://nope', secret: 'x' })).status).toBe(400);
      expect((await put({ url: receiver.url })).status).toBe(400);
      await pay(await create(), 'approve');
      expect(verified((await receiver.waitFor(1))[0], 'whsec_other_0123456789').type).toBe(
        'checkout.session.completed',
      );

      expect((await fetch(`${sandbox.url}/__sandbox/stripe/webhooks`, { method: 'DELETE' })).status).toBe(
        204,
      );
      expect(sandbox.stripeWebhooks.config).toMatchObject({ url: null, secretSet: false });
    });
  });
});
