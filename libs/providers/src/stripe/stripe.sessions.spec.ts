import Stripe from 'stripe';
import { PAYMENT_STATUSES, ProviderError, WebhookRejected } from '../provider.port';
import {
  stripeEventSubject,
  stripePaymentStatus,
  stripeSessionStatus,
  StripeSessionLike,
  verifyStripeWebhook,
} from './stripe.sessions';

const SESSION_ID = 'cs_test_a1B2c3D4e5';
const PI_ID = 'pi_3Abc123Def456';
const SECRET = 'whsec_primary_0123456789abcdef';
const OTHER_SECRET = 'whsec_account_au_fedcba9876543210';
const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;

/** A checkout session as events carry it, with fields we must not trust beside the ones we read. */
function eventSession(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: SESSION_ID,
    object: 'checkout.session',
    amount_total: 1,
    currency: 'usd',
    metadata: { sessionId: '00000000-0000-4000-8000-000000000000', orderReference: 'SOMEONE-ELSES' },
    payment_intent: PI_ID,
    payment_status: 'paid',
    status: 'complete',
    ...overrides,
  };
}

function session(overrides: Partial<StripeSessionLike> = {}): StripeSessionLike {
  return { id: SESSION_ID, status: 'complete', payment_status: 'paid', payment_intent: PI_ID, ...overrides };
}

function event(type: string, object: unknown = eventSession(), id = 'evt_1NdZ3x'): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: NOW_S,
    livemode: false,
    type,
    data: { object },
  });
}

function signed(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    timestamp: options.timestamp ?? NOW_S,
  });
  return { headers: { 'stripe-signature': header }, rawBody: Buffer.from(payload) };
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookRejected) return error.reason;
    throw error;
  }
  throw new Error('expected a WebhookRejected');
}

describe('stripeEventSubject', () => {
  const subject = (outcome: unknown) => ({ kind: 'session', providerSessionId: SESSION_ID, outcome });
  const readBack = (state: string) => ({ ...subject({ state }), readBack: true });

  it.each([
    [
      'checkout.session.completed, paid → paid; how its PaymentIntent stands (captured or held) is read back',
      'checkout.session.completed',
      { payment_status: 'paid' },
      readBack('paid'),
    ],
    [
      'checkout.session.completed, no_payment_required → paid, the session itself being the payment',
      'checkout.session.completed',
      { payment_status: 'no_payment_required', payment_intent: null },
      {
        state: 'paid',
        transaction: { transactionId: SESSION_ID, status: 'captured', providerStatus: 'no_payment_required' },
      },
    ],
    [
      'checkout.session.completed, unpaid → open; its PaymentIntent (held, or processing) is read back',
      'checkout.session.completed',
      { payment_status: 'unpaid' },
      readBack('open'),
    ],
    [
      'checkout.session.async_payment_succeeded → paid, its PaymentIntent read back',
      'checkout.session.async_payment_succeeded',
      { payment_status: 'paid' },
      readBack('paid'),
    ],
    [
      'checkout.session.async_payment_failed → failed',
      'checkout.session.async_payment_failed',
      { payment_status: 'unpaid' },
      {
        state: 'failed',
        transaction: {
          transactionId: PI_ID,
          status: 'failed',
          providerStatus: 'unpaid',
          declineReason: 'async_payment_failed',
        },
      },
    ],
    [
      'checkout.session.expired → expired',
      'checkout.session.expired',
      { payment_status: 'unpaid', payment_intent: null, status: 'expired' },
      { state: 'expired' },
    ],
  ])('%s', (_name, type, overrides, expected) => {
    const found = stripeEventSubject(type, eventSession(overrides));
    expect(found).toEqual('readBack' in expected ? expected : subject(expected));
  });

  it('keeps an unpaid completed session open without a payment when Stripe made no PaymentIntent yet', () => {
    expect(
      stripeEventSubject(
        'checkout.session.completed',
        eventSession({ payment_status: 'unpaid', payment_intent: null }),
      ),
    ).toEqual(subject({ state: 'open' }));
  });

  it('reads only the PaymentIntent id from an event, even when the object is expanded: the status it claims is not trusted', () => {
    const expanded = eventSession({ payment_intent: { id: PI_ID, status: 'succeeded', amount: 1 } });
    expect(stripeEventSubject('checkout.session.completed', expanded)).toEqual(readBack('paid'));
  });

  it.each(['payment_intent.succeeded', 'charge.refunded', 'checkout.session.updated', 'customer.created'])(
    'ignores %s',
    (type) => {
      expect(stripeEventSubject(type, { id: 'pi_1', object: 'payment_intent' })).toBeNull();
    },
  );

  it.each([
    ['not a checkout session', { id: PI_ID, object: 'payment_intent', payment_status: 'paid' }],
    ['a session id that is not cs_…', eventSession({ id: 'pi_123' })],
    ['an undocumented payment_status', eventSession({ payment_status: 'refunded' })],
    ['a PaymentIntent that is not pi_…', eventSession({ payment_intent: 'ch_123' })],
    ['a PaymentIntent of the wrong type', eventSession({ payment_intent: 42 })],
  ])('refuses a session event carrying %s', (_name, object) => {
    expect(rejection(() => stripeEventSubject('checkout.session.completed', object))).toBe('payload');
  });
});

describe('stripeSessionStatus', () => {
  it.each([
    [
      'open → open',
      session({ status: 'open', payment_status: 'unpaid', payment_intent: null }),
      { state: 'open' },
    ],
    [
      'expired → expired',
      session({ status: 'expired', payment_status: 'unpaid', payment_intent: null }),
      { state: 'expired' },
    ],
    [
      'complete and paid with an automatic-capture PaymentIntent → paid, captured',
      session({ payment_intent: { id: PI_ID, status: 'succeeded' } }),
      { state: 'paid', transaction: { transactionId: PI_ID, status: 'captured', providerStatus: 'paid' } },
    ],
    [
      'complete and paid with a manual-capture PaymentIntent → paid, authorized',
      session({ payment_intent: { id: PI_ID, status: 'requires_capture' } }),
      {
        state: 'paid',
        transaction: { transactionId: PI_ID, status: 'authorized', providerStatus: 'requires_capture' },
      },
    ],
    [
      'complete, no payment required → paid',
      session({ payment_status: 'no_payment_required', payment_intent: null }),
      {
        state: 'paid',
        transaction: { transactionId: SESSION_ID, status: 'captured', providerStatus: 'no_payment_required' },
      },
    ],
    [
      'complete, unpaid, PaymentIntent processing → open',
      session({ payment_status: 'unpaid', payment_intent: { id: PI_ID, status: 'processing' } }),
      {
        state: 'open',
        transaction: { transactionId: PI_ID, status: 'processing', providerStatus: 'processing' },
      },
    ],
    [
      'complete, unpaid, PaymentIntent back at requires_payment_method → failed',
      session({ payment_status: 'unpaid', payment_intent: { id: PI_ID, status: 'requires_payment_method' } }),
      {
        state: 'failed',
        transaction: {
          transactionId: PI_ID,
          status: 'failed',
          providerStatus: 'requires_payment_method',
          declineReason: 'requires_payment_method',
        },
      },
    ],
    [
      'complete, unpaid, PaymentIntent requires_capture (manual capture, not yet reported paid) → paid',
      session({ payment_status: 'unpaid', payment_intent: { id: PI_ID, status: 'requires_capture' } }),
      {
        state: 'paid',
        transaction: { transactionId: PI_ID, status: 'authorized', providerStatus: 'requires_capture' },
      },
    ],
  ])('%s', (_name, input, expected) => {
    expect(stripeSessionStatus(input)).toEqual(expected);
  });

  it.each([
    ['an undocumented session status', session({ status: 'teleported' })],
    ['a session without status', session({ status: null })],
    ['an undocumented payment_status', session({ payment_status: 'refunded' })],
    [
      'an undocumented PaymentIntent status',
      session({ payment_status: 'unpaid', payment_intent: { id: PI_ID, status: 'requires_magic' } }),
    ],
  ])('does not guess from %s: server failure', (_name, input) => {
    expect(() => stripeSessionStatus(input)).toThrow(ProviderError);
  });
});

describe('stripePaymentStatus', () => {
  it.each([
    ['succeeded', 'captured'],
    ['requires_capture', 'authorized'],
    ['processing', 'processing'],
    ['requires_confirmation', 'processing'],
    ['requires_action', 'approval_required'],
    ['requires_payment_method', 'failed'],
    ['canceled', 'voided'],
  ])('maps PaymentIntent %s to our %s', (stripe, ours) => {
    expect(stripePaymentStatus(stripe)).toBe(ours);
    expect(PAYMENT_STATUSES).toContain(ours);
  });

  it('has no word for an undocumented status', () => {
    expect(stripePaymentStatus('requires_magic')).toBeUndefined();
  });
});

describe('verifyStripeWebhook', () => {
  const completed = event('checkout.session.completed');

  it('accepts an event signed with the secret and reads its session', () => {
    const { headers, rawBody } = signed(completed);
    expect(verifyStripeWebhook(headers, rawBody, NOW, [SECRET], 300)).toEqual({
      eventId: 'evt_1NdZ3x',
      subject: {
        kind: 'session',
        providerSessionId: SESSION_ID,
        outcome: { state: 'paid' },
        readBack: true,
      },
    });
  });

  it('accepts an event signed with any configured secret (a second account’s)', () => {
    const { headers, rawBody } = signed(completed, { secret: OTHER_SECRET });
    expect(verifyStripeWebhook(headers, rawBody, NOW, [SECRET, OTHER_SECRET], 300).eventId).toBe(
      'evt_1NdZ3x',
    );
  });

  it('refuses a tampered body', () => {
    const { headers } = signed(completed);
    const tampered = Buffer.from(completed.replace('"paid"', '"unpaid"'));
    expect(rejection(() => verifyStripeWebhook(headers, tampered, NOW, [SECRET], 300))).toBe('signature');
  });

  it('refuses an event signed with a secret that is not configured', () => {
    const { headers, rawBody } = signed(completed, { secret: 'whsec_someone_else_0123456789' });
    expect(rejection(() => verifyStripeWebhook(headers, rawBody, NOW, [SECRET, OTHER_SECRET], 300))).toBe(
      'signature',
    );
  });

  it('refuses a stale event, signed with the right secret, older than the tolerance', () => {
    const { headers, rawBody } = signed(completed, { timestamp: NOW_S - 301 });
    expect(rejection(() => verifyStripeWebhook(headers, rawBody, NOW, [OTHER_SECRET, SECRET], 300))).toBe(
      'timestamp',
    );
    expect(verifyStripeWebhook(headers, rawBody, NOW, [SECRET], 600).eventId).toBe('evt_1NdZ3x');
  });

  it.each([
    ['no Stripe-Signature header', {}],
    ['an empty header', { 'stripe-signature': '' }],
    ['a header without a v1 signature', { 'stripe-signature': `t=${NOW_S}` }],
    ['a header that is not Stripe’s format', { 'stripe-signature': 'sha256=abc' }],
    ['two headers', { 'stripe-signature': ['t=1,v1=a', 't=1,v1=b'] }],
  ])('refuses an unsigned event: %s', (_name, headers) => {
    expect(rejection(() => verifyStripeWebhook(headers, Buffer.from(completed), NOW, [SECRET], 300))).toBe(
      'signature',
    );
  });

  it('refuses every event while no secret is configured', () => {
    const { headers, rawBody } = signed(completed);
    expect(rejection(() => verifyStripeWebhook(headers, rawBody, NOW, [], 300))).toBe('not_configured');
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['an event without an id', JSON.stringify({ object: 'event', type: 'checkout.session.completed' })],
    ['an object that is not an event', JSON.stringify({ id: 'evt_1', object: 'charge', type: 'x' })],
    [
      'a session event without data',
      JSON.stringify({ id: 'evt_1', object: 'event', type: 'checkout.session.expired' }),
    ],
  ])('refuses a genuinely signed body that is %s as a bad payload', (_name, payload) => {
    const { headers, rawBody } = signed(payload);
    expect(rejection(() => verifyStripeWebhook(headers, rawBody, NOW, [SECRET], 300))).toBe('payload');
  });

  it('acknowledges a genuine event about something else with no subject', () => {
    const { headers, rawBody } = signed(
      event('payment_intent.succeeded', { id: PI_ID, object: 'payment_intent' }, 'evt_other'),
    );
    expect(verifyStripeWebhook(headers, rawBody, NOW, [SECRET], 300)).toEqual({
      eventId: 'evt_other',
      subject: null,
    });
  });
});
