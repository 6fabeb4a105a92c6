import { ProviderCallOptions, ProviderError } from '../provider.port';
import { StripeProvider } from './stripe.provider';
import { stripeRefundOutcome, toOperationResult, toStripeRefundParams } from './stripe.payments.mapper';
import {
  FakeStripe,
  OTHER_SECRET_KEY,
  replyError,
  SECRET_KEY,
  sendJson,
  startFakeStripe,
} from './test/stripe.fixtures';

const options: ProviderCallOptions = { signal: new AbortController().signal, timeoutMs: 2000 };
const route = { id: 'stripe-au', adapter: 'stripe', options: { secretKeyEnv: 'STRIPE_SECRET_KEY_AU' } };
const command = { route, transactionId: 'pi_123', currency: 'AUD', idempotencyKey: 'capture_abc' };
const refundCommand = {
  ...command,
  idempotencyKey: 'refund_abc',
  amountMinor: 2500,
  refundId: 'our-refund-1',
};

describe('Stripe money flows', () => {
  let server: FakeStripe;
  let provider: StripeProvider;

  beforeEach(async () => {
    server = await startFakeStripe();
    provider = new StripeProvider({
      apiBase: server.apiBase,
      secretKeys: { STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_SECRET_KEY_AU: OTHER_SECRET_KEY },
      defaultSecretKey: SECRET_KEY,
    });
  });
  afterEach(async () => {
    await provider.close();
    await server.close();
  });

  const flows = () => {
    const { capture, void: voidFlow, refund } = provider.flows;
    if (!capture || !voidFlow || !refund) throw new Error('the Stripe adapter lacks a money flow');
    return { capture, voidFlow, refund };
  };

  it('captures part of a PaymentIntent with amount_to_capture, the route’s key and our idempotency key', async () => {
    server.respond((_req, res) =>
      sendJson(res, 200, { id: 'pi_123', object: 'payment_intent', status: 'succeeded' }),
    );
    const result = await flows().capture.capture({ ...command, amountMinor: 6000 }, options);

    expect(result).toEqual({ status: 'captured', providerStatus: 'succeeded' });
    const [sent] = server.requests;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/payment_intents/pi_123/capture');
    expect(sent.form).toEqual({ amount_to_capture: '6000' });
    expect(sent.headers.authorization).toBe(`Bearer ${OTHER_SECRET_KEY}`);
    expect(sent.headers['idempotency-key']).toBe('capture_abc');
  });

  it('voids with paymentIntents.cancel', async () => {
    server.respond((_req, res) =>
      sendJson(res, 200, { id: 'pi_123', object: 'payment_intent', status: 'canceled' }),
    );
    const result = await flows().voidFlow.voidAuthorization(
      { ...command, idempotencyKey: 'void_abc' },
      options,
    );

    expect(result).toEqual({ status: 'voided', providerStatus: 'canceled' });
    expect(server.requests[0].url).toBe('/v1/payment_intents/pi_123/cancel');
    expect(server.requests[0].headers['idempotency-key']).toBe('void_abc');
  });

  it('refunds with refunds.create on the PaymentIntent, our refund id and reason as metadata', async () => {
    server.respond((_req, res) => sendJson(res, 200, { id: 're_1', object: 'refund', status: 'pending' }));
    const result = await flows().refund.refund({ ...refundCommand, reason: 'damaged in transit' }, options);

    expect(result).toEqual({ providerRefundId: 're_1', outcome: 'pending', providerStatus: 'pending' });
    expect(server.requests[0].url).toBe('/v1/refunds');
    expect(server.requests[0].form).toEqual({
      payment_intent: 'pi_123',
      amount: '2500',
      'metadata[refundId]': 'our-refund-1',
      'metadata[reason]': 'damaged in transit',
    });
  });

  it('classifies Stripe’s refusal as rejected and a 503 as a retryable server failure', async () => {
    server.respond(
      replyError(400, {
        type: 'invalid_request_error',
        code: 'charge_already_refunded',
        message: 'Already refunded',
      }),
    );
    await expect(flows().refund.refund(refundCommand, options)).rejects.toMatchObject({
      kind: 'rejected',
      providerCode: 'charge_already_refunded',
    });
    server.respond(replyError(503, { type: 'api_error', message: 'Try again' }));
    await expect(flows().capture.capture({ ...command, amountMinor: 1 }, options)).rejects.toMatchObject({
      kind: 'server',
      retryable: true,
    });
  });

  it('refuses, without calling Stripe, a route whose key is not configured', async () => {
    const unknown = { ...command, route: { ...route, options: { secretKeyEnv: 'STRIPE_SECRET_KEY_US' } } };
    const failure = await flows()
      .voidFlow.voidAuthorization(unknown, options)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ kind: 'rejected', providerCode: 'invalid_route_options' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('Stripe money mapping', () => {
  it.each([
    ['succeeded', 'captured'],
    ['canceled', 'voided'],
    ['requires_capture', 'authorized'],
  ] as const)('reads a PaymentIntent %s after a capture or cancel as %s', (status, ours) => {
    expect(toOperationResult({ status })).toEqual({ status: ours, providerStatus: status });
  });

  it('refuses to guess about a PaymentIntent status Stripe does not document', () => {
    expect(() => toOperationResult({ status: 'teleported' })).toThrow(ProviderError);
  });

  it.each([
    ['succeeded', 'succeeded'],
    ['pending', 'pending'],
    ['requires_action', 'pending'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ])('a refund %s at Stripe is %s for us', (status, outcome) => {
    expect(stripeRefundOutcome(status)).toBe(outcome);
  });

  it('sends refund amounts in Stripe’s unit: ISK ×100, and a KWD amount not a multiple of 10 is refused', () => {
    expect(toStripeRefundParams({ ...refundCommand, currency: 'ISK', amountMinor: 500 }).amount).toBe(50_000);
    expect(() => toStripeRefundParams({ ...refundCommand, currency: 'KWD', amountMinor: 1_005 })).toThrow(
      /multiples of 10/,
    );
  });
});
