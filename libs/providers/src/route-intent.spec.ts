import { ConfigError, EnvReader } from '@app/common';
import { parseGr4vyRouteOptions } from './gr4vy/gr4vy.mapper';
import { Gr4vyProvider } from './gr4vy/gr4vy.provider';
import { es512Keys, jsonResponse, SERVER_URL, stubHttpClient } from './gr4vy/test/gr4vy.fixtures';
import { stripeAdapter } from './stripe/stripe.definition';
import { parseStripeRouteOptions, toStripeSessionParams } from './stripe/stripe.mapper';
import { buildCommand, NOW } from './stripe/test/stripe.fixtures';

const route = (adapter: string, options: Record<string, unknown>) => ({ id: 'r1', adapter, options });

function problemsOf(read: (env: EnvReader) => unknown, env: Record<string, string>): string[] {
  const reader = new EnvReader(env);
  read(reader);
  try {
    reader.done();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('a route’s intent', () => {
  it.each([
    ['gr4vy', parseGr4vyRouteOptions],
    ['stripe', parseStripeRouteOptions],
  ] as const)(
    '%s routes accept authorize and capture, and refuse anything else naming the route',
    (adapter, parse) => {
      expect(parse(route(adapter, { intent: 'authorize' })).intent).toBe('authorize');
      expect(parse(route(adapter, { intent: 'capture' })).intent).toBe('capture');
      expect(parse(route(adapter, {})).intent).toBeUndefined();
      expect(() => parse(route(adapter, { intent: 'sale' }))).toThrow(
        `Route "r1": ${adapter} option "intent" must be one of authorize, capture`,
      );
    },
  );

  it('makes Stripe hold the funds (capture_method=manual) only when the intent is authorize', () => {
    expect(
      toStripeSessionParams(buildCommand(), { now: NOW, intent: 'authorize' }).payment_intent_data,
    ).toEqual({
      capture_method: 'manual',
    });
    expect(toStripeSessionParams(buildCommand(), { now: NOW, intent: 'capture' })).not.toHaveProperty(
      'payment_intent_data',
    );
  });

  it('defaults STRIPE_TRANSACTION_INTENT to authorize and refuses another word', () => {
    const key = { STRIPE_SECRET_KEY: 'sk_test_1' };
    expect(stripeAdapter.readConfig(new EnvReader(key))?.transactionIntent).toBe('authorize');
    expect(
      stripeAdapter.readConfig(new EnvReader({ ...key, STRIPE_TRANSACTION_INTENT: 'capture' }))
        ?.transactionIntent,
    ).toBe('capture');
    expect(
      problemsOf((env) => stripeAdapter.readConfig(env), { ...key, STRIPE_TRANSACTION_INTENT: 'sale' }),
    ).toEqual([expect.stringContaining('STRIPE_TRANSACTION_INTENT')]);
  });

  it('sends a Gr4vy transaction with the route’s intent over GR4VY_TRANSACTION_INTENT', async () => {
    const stub = stubHttpClient(() => jsonResponse(500, {}));
    const provider = new Gr4vyProvider(
      {
        gr4vyId: 'acme',
        environment: 'sandbox',
        serverUrl: SERVER_URL,
        privateKeyPem: es512Keys().privateKeyPem,
        transactionIntent: 'authorize',
      },
      { httpClient: stub.httpClient },
    );
    await provider
      .pay(
        {
          sessionId: 's1',
          providerSessionId: 'ps1',
          orderReference: 'ORDER-1',
          currency: 'AUD',
          amountMinor: 100,
          idempotencyKey: 'pay_1',
          returnUrl: 'https://checkout.example.com/return',
          route: route('gr4vy', { intent: 'capture' }),
        },
        { signal: new AbortController().signal, timeoutMs: 2000 },
      )
      .catch(() => undefined);
    expect(stub.requests[0].body).toMatchObject({ intent: 'capture' });
  });
});
