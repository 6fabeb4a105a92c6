import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { getToken } from '@gr4vy/sdk';
import { ProviderError, ProviderCallOptions } from '../provider.port';
import { Gr4vyAdapterConfig, Gr4vyProvider, Gr4vyProviderDeps } from './gr4vy.provider';
import type { Gr4vyTokenSigner } from './gr4vy.token-cache';
import {
  buildCommand,
  createdSession,
  decodeJwt,
  es512Keys,
  GR4VY_SESSION_ID,
  hangingUntilAborted,
  jsonResponse,
  PAYMENT_SERVICE_ID,
  SERVER_URL,
  stubHttpClient,
} from './test/gr4vy.fixtures';

const { privateKeyPem, publicKey } = es512Keys();

function config(overrides: Partial<Gr4vyAdapterConfig> = {}): Gr4vyAdapterConfig {
  return { gr4vyId: 'acme', environment: 'sandbox', serverUrl: SERVER_URL, privateKeyPem, ...overrides };
}

function callOptions(timeoutMs = 2000, signal = new AbortController().signal): ProviderCallOptions {
  return { signal, timeoutMs };
}

/** A signer that counts its calls and really signs (the SDK's getToken). */
function spySigner(): jest.MockedFunction<Gr4vyTokenSigner> {
  return jest.fn<ReturnType<Gr4vyTokenSigner>, Parameters<Gr4vyTokenSigner>>((options) => getToken(options));
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw new Error(`expected a ProviderError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

function provider(
  respond: (req: Request) => Response | Promise<Response>,
  deps: Gr4vyProviderDeps = {},
  cfg = config(),
) {
  const stub = stubHttpClient(respond);
  return {
    adapter: new Gr4vyProvider(cfg, { httpClient: stub.httpClient, ...deps }),
    requests: stub.requests,
  };
}

describe('Gr4vyProvider', () => {
  it('has kind "gr4vy"', () => {
    expect(new Gr4vyProvider(config()).kind).toBe('gr4vy');
  });

  describe('createSession request', () => {
    it('POSTs the snake_case JSON body to ${serverUrl}/checkout/sessions and returns the Gr4vy session id', async () => {
      const { adapter, requests } = provider(() => createdSession());
      const command = buildCommand();
      const result = await adapter.createSession(command, callOptions());

      expect(result).toEqual({ providerSessionId: GR4VY_SESSION_ID, checkoutUrl: command.hostedCheckoutUrl });
      expect(requests).toHaveLength(1);
      const [req] = requests;
      expect(req.method).toBe('POST');
      expect(req.url).toBe(`${SERVER_URL}/checkout/sessions`);
      expect(req.headers.get('content-type')).toBe('application/json');
      expect(req.body).toEqual({
        amount: 3449,
        currency: 'EUR',
        expires_in: 3600,
        payment_service_id: PAYMENT_SERVICE_ID,
        metadata: { channel: 'web', orderReference: 'ORDER-42', sessionId: command.sessionId },
        cart_items: [
          { name: 'Blue mug', sku: 'MUG-BLUE', quantity: 2, unit_amount: 1250 },
          { name: 'Tea', quantity: 1, unit_amount: 499 },
          { name: 'Shipping', quantity: 1, unit_amount: 300, product_type: 'shipping_fee' },
          { name: 'Tax', quantity: 1, unit_amount: 150, product_type: 'sales_tax' },
        ],
        buyer: {
          billing_details: {
            first_name: 'Ada',
            last_name: 'Lovelace',
            email_address: 'ada@example.com',
            phone_number: '+442071838750',
            address: { line1: '10 Downing St', city: 'London', postal_code: 'SW1A 2AA', country: 'GB' },
          },
        },
      });
    });

    it('sends a Bearer ES512 JWT, signed by our key, whose scopes are exactly [checkout-sessions.write]', async () => {
      const { adapter, requests } = provider(() => createdSession());
      await adapter.createSession(buildCommand(), callOptions());

      const authorization = requests[0].headers.get('authorization') ?? '';
      expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      const jwt = decodeJwt(authorization.slice('Bearer '.length), publicKey);
      expect(jwt.signatureValid).toBe(true);
      expect(jwt.header.alg).toBe('ES512');
      expect(typeof jwt.header.kid).toBe('string');
      expect(jwt.payload.scopes).toEqual(['checkout-sessions.write']);
      expect(Number(jwt.payload.exp) - Number(jwt.payload.iat)).toBe(300);
    });

    it('honours tokenTtlSeconds in the signed token', async () => {
      const { adapter, requests } = provider(() => createdSession(), {}, config({ tokenTtlSeconds: 900 }));
      await adapter.createSession(buildCommand(), callOptions());
      const jwt = decodeJwt((requests[0].headers.get('authorization') ?? '').slice(7), publicKey);
      expect(Number(jwt.payload.exp) - Number(jwt.payload.iat)).toBe(900);
    });

    it('sends the route merchantAccountId as x-gr4vy-merchant-account-id, over the config default', async () => {
      const { adapter, requests } = provider(
        () => createdSession(),
        {},
        config({ defaultMerchantAccountId: 'default' }),
      );
      await adapter.createSession(
        buildCommand({
          route: { id: 'gr4vy-eu', adapter: 'gr4vy', options: { merchantAccountId: 'eu-shop' } },
        }),
        callOptions(),
      );
      expect(requests[0].headers.get('x-gr4vy-merchant-account-id')).toBe('eu-shop');
    });

    it('falls back to defaultMerchantAccountId when the route has none', async () => {
      const { adapter, requests } = provider(
        () => createdSession(),
        {},
        config({ defaultMerchantAccountId: 'default' }),
      );
      await adapter.createSession(buildCommand(), callOptions());
      expect(requests[0].headers.get('x-gr4vy-merchant-account-id')).toBe('default');
    });

    it('passes requestId as X-Request-Id, and drops one that cannot be a header value', async () => {
      const { adapter, requests } = provider(() => createdSession());
      await adapter.createSession(buildCommand({ requestId: 'req-abc' }), callOptions());
      await adapter.createSession(buildCommand({ requestId: 'bad\r\nX-Evil: 1' }), callOptions());
      expect(requests[0].headers.get('x-request-id')).toBe('req-abc');
      expect(requests[1].headers.get('x-request-id')).toBeNull();
      expect(requests[1].headers.get('x-evil')).toBeNull();
    });

    it('derives the sandbox and production URLs from gr4vyId when there is no serverUrl', async () => {
      for (const [environment, expected] of [
        ['sandbox', 'https://api.sandbox.acme.gr4vy.app/checkout/sessions'],
        ['production', 'https://api.acme.gr4vy.app/checkout/sessions'],
      ] as const) {
        const { adapter, requests } = provider(
          () => createdSession(),
          {},
          config({ serverUrl: undefined, environment }),
        );
        await adapter.createSession(buildCommand(), callOptions());
        expect(requests[0].url).toBe(expected);
      }
    });
  });

  describe('token caching', () => {
    it('signs the token once across many sequential and concurrent calls', async () => {
      const signToken = spySigner();
      const { adapter, requests } = provider(() => createdSession(), { signToken });
      for (let i = 0; i < 5; i += 1) await adapter.createSession(buildCommand(), callOptions());
      await Promise.all(
        Array.from({ length: 20 }, () => adapter.createSession(buildCommand(), callOptions())),
      );

      expect(signToken).toHaveBeenCalledTimes(1);
      expect(new Set(requests.map((r) => r.headers.get('authorization'))).size).toBe(1);
    });

    it('re-signs once the cached token has less than 60 s left', async () => {
      const signToken = spySigner();
      let now = Date.now();
      const { adapter, requests } = provider(() => createdSession(), { signToken, now: () => now });
      await adapter.createSession(buildCommand(), callOptions());
      now += 230_000;
      await adapter.createSession(buildCommand(), callOptions());
      expect(signToken).toHaveBeenCalledTimes(1);
      now += 20_000; // 250 s into a 300 s token
      await adapter.createSession(buildCommand(), callOptions());
      expect(signToken).toHaveBeenCalledTimes(2);
      expect(requests[2].headers.get('authorization')).not.toBe(requests[1].headers.get('authorization'));
    });

    it('drops the cached token after a 401 so the next call signs a fresh one', async () => {
      const signToken = spySigner();
      let status = 401;
      const { adapter } = provider(
        () =>
          status === 401
            ? jsonResponse(401, {
                type: 'error',
                code: 'unauthorized',
                status: 401,
                message: 'No valid API authentication found',
              })
            : createdSession(),
        { signToken },
      );
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('rejected');
      status = 201;
      await adapter.createSession(buildCommand(), callOptions());
      expect(signToken).toHaveBeenCalledTimes(2);
    });
  });

  describe('timeouts and aborts', () => {
    it('fails with kind timeout and aborts the request when Gr4vy never answers', async () => {
      let fetcherSawAbort = false;
      let calls = 0;
      const { adapter } = provider((req) => {
        if (calls++ === 0) return createdSession();
        req.signal.addEventListener('abort', () => (fetcherSawAbort = true));
        return hangingUntilAborted(req);
      });
      // A first call signs and caches the token (ES512, slow on a loaded machine), so the timed call
      // reaches the fetcher at once and its deadline is spent waiting on Gr4vy.
      await adapter.createSession(buildCommand(), callOptions(30_000));
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions(2000)));

      expect(failure.kind).toBe('timeout');
      expect(failure.retryable).toBe(true);
      expect(fetcherSawAbort).toBe(true);
    });

    it('stops waiting at the deadline even if the HTTP client ignores the abort signal', async () => {
      const { adapter } = provider(() => new Promise<Response>(() => undefined));
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions(80)));
      expect(failure.kind).toBe('timeout');
    });

    it('a caller abort stops the call and is classified network, not timeout', async () => {
      const controller = new AbortController();
      const { adapter } = provider((req) => {
        setTimeout(() => controller.abort(), 20);
        return hangingUntilAborted(req);
      });
      const failure = await failureOf(
        adapter.createSession(buildCommand(), callOptions(5000, controller.signal)),
      );
      expect(failure.kind).toBe('network');
    });

    it('does not call Gr4vy when the caller signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const { adapter, requests } = provider(() => createdSession());
      const failure = await failureOf(
        adapter.createSession(buildCommand(), callOptions(5000, controller.signal)),
      );
      expect(failure.kind).toBe('network');
      expect(requests).toHaveLength(0);
    });
  });

  describe('failures', () => {
    it('503 → server, retryable, sent once (no SDK retries)', async () => {
      const { adapter, requests } = provider(() =>
        jsonResponse(503, { type: 'error', code: 'service_unavailable', message: 'Down for maintenance' }),
      );
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('server');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(503);
      expect(requests).toHaveLength(1);
    });

    it('429 → rate_limited', async () => {
      const { adapter, requests } = provider(() =>
        jsonResponse(429, {
          type: 'error',
          code: 'too_many_requests',
          status: 429,
          message: 'Too many requests',
        }),
      );
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('rate_limited');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(429);
      expect(failure.providerCode).toBe('too_many_requests');
      expect(requests).toHaveLength(1);
    });

    it('400 → rejected, not retryable, with Gr4vy code and message but no buyer data', async () => {
      const { adapter } = provider(() =>
        jsonResponse(400, {
          type: 'error',
          code: 'bad_request',
          status: 400,
          message: 'Request failed validation',
          details: [
            { location: 'body', pointer: '/currency', message: 'Invalid currency', type: 'value_error' },
          ],
        }),
      );
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.providerStatus).toBe(400);
      expect(failure.providerCode).toBe('bad_request');
      expect(failure.message).toContain('Request failed validation');
      expect(failure.message).not.toContain('ada@example.com');
    });

    it('a network failure from fetch → network', async () => {
      const { adapter } = provider(() => {
        throw new TypeError('fetch failed');
      });
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('network');
      expect(failure.retryable).toBe(true);
    });

    it('a refused TCP connection with the real fetch → network', async () => {
      const port = await new Promise<number>((resolve) => {
        const server = createServer();
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
      });
      const adapter = new Gr4vyProvider(config({ serverUrl: `http://127.0.0.1:${port}` }));
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('network');
    });

    it('a 201 whose body is not a checkout session → server', async () => {
      const { adapter } = provider(() => jsonResponse(201, { unexpected: true }));
      const failure = await failureOf(adapter.createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('server');
      expect(failure.providerStatus).toBe(201);
    });

    it('a 201 with malformed JSON → server', async () => {
      const { adapter } = provider(
        () => new Response('{"id": ', { status: 201, headers: { 'content-type': 'application/json' } }),
      );
      expect((await failureOf(adapter.createSession(buildCommand(), callOptions()))).kind).toBe('server');
    });

    it('leaves no unhandled promise rejection behind when the SDK throws (malformed JSON, failed signing)', async () => {
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        const malformed = provider(
          () => new Response('{"id": ', { status: 201, headers: { 'content-type': 'application/json' } }),
        ).adapter;
        await failureOf(malformed.createSession(buildCommand(), callOptions()));
        const signingFails = provider(() => createdSession(), {
          signToken: () => Promise.reject(new Error('signing failed')),
        }).adapter;
        const failure = await failureOf(signingFails.createSession(buildCommand(), callOptions()));
        expect(failure.retryable).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    });
  });

  describe('readSession and cancelSession', () => {
    const route = { id: 'gr4vy-eu', adapter: 'gr4vy', options: { merchantAccountId: 'eu-shop' } };
    const TX = 'b5c8f3d0-2c9e-4a51-9e1f-6d0a7b3c2e14';
    const transaction = (status: string, overrides: Record<string, unknown> = {}) => ({
      type: 'transaction',
      id: TX,
      reconciliation_id: 'abc',
      merchant_account_id: 'eu-shop',
      currency: 'EUR',
      amount: 3449,
      status,
      authorized_amount: 0,
      captured_amount: 0,
      refunded_amount: 0,
      settled_amount: 0,
      settled: false,
      intent: 'authorize',
      gift_card_redemptions: [],
      created_at: '2030-01-01T00:00:00Z',
      updated_at: '2030-01-01T00:00:00Z',
      disputed: false,
      checkout_session_id: GR4VY_SESSION_ID,
      ...overrides,
    });
    /** GET /transactions/:id answers a full Transaction (a list answers summaries). */
    const fullTransaction = (status: string) => ({
      ...transaction(status),
      payment_source: 'ecommerce',
      merchant_initiated: false,
      is_subsequent_payment: false,
      intent_outcome: 'pending',
      multi_tender: false,
      account_funding_transaction: false,
    });
    const list = (...items: unknown[]) => jsonResponse(200, { items, limit: 20, next_cursor: null });
    const notFound = () =>
      jsonResponse(404, { type: 'error', code: 'not_found', status: 404, message: 'not found', details: [] });
    /** Answers by method and path; anything else is a test bug. */
    const byRoute =
      (routes: Record<string, () => Response>) =>
      (req: Request): Response => {
        const { pathname } = new URL(req.url);
        const answer = routes[`${req.method} ${pathname}`];
        if (!answer) throw new Error(`unexpected ${req.method} ${pathname}`);
        return answer();
      };
    const scopesOf = (req: { headers: Headers }) =>
      decodeJwt((req.headers.get('authorization') ?? '').slice(7), publicKey).payload.scopes;

    it('reads the transaction we stored, with the route’s merchant account and a transactions.read token', async () => {
      const { adapter, requests } = provider(
        byRoute({
          [`GET /transactions/${TX}`]: () => jsonResponse(200, fullTransaction('capture_succeeded')),
        }),
      );
      expect(
        await adapter.readSession(
          route,
          { providerSessionId: GR4VY_SESSION_ID, transactionId: TX },
          callOptions(),
        ),
      ).toEqual({
        state: 'paid',
        transaction: {
          transactionId: TX,
          status: 'captured',
          providerStatus: 'capture_succeeded',
          providerSessionId: GR4VY_SESSION_ID,
        },
      });
      expect(requests).toHaveLength(1);
      expect(requests[0].headers.get('x-gr4vy-merchant-account-id')).toBe('eu-shop');
      expect(scopesOf(requests[0])).toEqual(['transactions.read']);
    });

    it('without a stored transaction, lists the session’s own (GET /transactions?checkout_session_id=)', async () => {
      const { adapter, requests } = provider(
        byRoute({
          'GET /transactions': () =>
            list(
              transaction('authorization_declined', {
                id: 'c3f1a9e2-0b4d-4e6f-8a7b-1c2d3e4f5a6b',
                error_code: 'insufficient_funds',
              }),
              transaction('buyer_approval_pending'),
              // Not this session's, should the filter not hold: never settles it.
              transaction('capture_succeeded', {
                id: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70',
                checkout_session_id: PAYMENT_SERVICE_ID,
              }),
            ),
        }),
      );
      const status = await adapter.readSession(route, { providerSessionId: GR4VY_SESSION_ID }, callOptions());
      expect(status).toMatchObject({
        state: 'open',
        transaction: { transactionId: TX, status: 'approval_required' },
      });
      const url = new URL(requests[0].url);
      expect(url.searchParams.get('checkout_session_id')).toBe(GR4VY_SESSION_ID);
      expect(url.searchParams.get('limit')).toBe('20');
      expect(requests[0].headers.get('x-gr4vy-merchant-account-id')).toBe('eu-shop');
    });

    it('with no transaction at all, asks whether Gr4vy still has the session: open, or expired once gone', async () => {
      let session = () =>
        jsonResponse(200, {
          type: 'checkout-session',
          id: GR4VY_SESSION_ID,
          expires_at: '2030-01-01T01:00:00Z',
        });
      const { adapter, requests } = provider(
        byRoute({
          'GET /transactions': () => list(),
          [`GET /checkout/sessions/${GR4VY_SESSION_ID}`]: () => session(),
        }),
      );
      expect(
        await adapter.readSession(route, { providerSessionId: GR4VY_SESSION_ID }, callOptions()),
      ).toEqual({ state: 'open' });
      expect(scopesOf(requests[1])).toEqual(['checkout-sessions.read']);
      session = notFound;
      expect(
        await adapter.readSession(route, { providerSessionId: GR4VY_SESSION_ID }, callOptions()),
      ).toEqual({ state: 'expired' });
    });

    it('a read that fails for another reason is the caller’s to handle', async () => {
      const { adapter } = provider(
        byRoute({
          'GET /transactions': () =>
            jsonResponse(503, { type: 'error', code: 'unavailable', message: 'down' }),
        }),
      );
      expect(
        (await failureOf(adapter.readSession(route, { providerSessionId: GR4VY_SESSION_ID }, callOptions())))
          .kind,
      ).toBe('server');
    });

    it('cancels: DELETEs the session with a checkout-sessions.write token, then finds nothing paid', async () => {
      const { adapter, requests } = provider(
        byRoute({
          [`DELETE /checkout/sessions/${GR4VY_SESSION_ID}`]: () => new Response(null, { status: 204 }),
          'GET /transactions': () => list(transaction('authorization_declined')),
        }),
      );
      expect(await adapter.cancelSession(route, GR4VY_SESSION_ID, callOptions())).toEqual({
        outcome: 'cancelled',
      });
      expect(requests.map((r) => r.method)).toEqual(['DELETE', 'GET']);
      expect(scopesOf(requests[0])).toEqual(['checkout-sessions.write']);
      expect(requests[0].headers.get('x-gr4vy-merchant-account-id')).toBe('eu-shop');
    });

    it('a session with a successful or in-flight transaction is already_paid, even once deleted', async () => {
      for (const status of ['authorization_succeeded', 'buyer_approval_pending']) {
        const { adapter } = provider(
          byRoute({
            [`DELETE /checkout/sessions/${GR4VY_SESSION_ID}`]: () => new Response(null, { status: 204 }),
            'GET /transactions': () => list(transaction(status)),
          }),
        );
        expect(await adapter.cancelSession(route, GR4VY_SESSION_ID, callOptions())).toEqual({
          outcome: 'already_paid',
        });
      }
    });

    it('a session Gr4vy no longer has (404), unpaid, is already_closed', async () => {
      const { adapter } = provider(
        byRoute({
          [`DELETE /checkout/sessions/${GR4VY_SESSION_ID}`]: notFound,
          'GET /transactions': () => list(),
        }),
      );
      expect(await adapter.cancelSession(route, GR4VY_SESSION_ID, callOptions())).toEqual({
        outcome: 'already_closed',
      });
    });

    it('a delete that fails for another reason is the caller’s to handle, and nothing more is asked', async () => {
      const { adapter, requests } = provider(
        byRoute({
          [`DELETE /checkout/sessions/${GR4VY_SESSION_ID}`]: () =>
            jsonResponse(500, { type: 'error', code: 'server_error', message: 'boom' }),
        }),
      );
      expect((await failureOf(adapter.cancelSession(route, GR4VY_SESSION_ID, callOptions()))).kind).toBe(
        'server',
      );
      expect(requests).toHaveLength(1);
    });
  });

  describe('validateRouteOptions', () => {
    const adapter = new Gr4vyProvider(config());
    const route = (options: Record<string, unknown>) => ({ id: 'gr4vy-us', adapter: 'gr4vy', options });

    it('accepts no options, a UUID paymentServiceId and a merchantAccountId', () => {
      expect(() => adapter.validateRouteOptions(route({}))).not.toThrow();
      expect(() =>
        adapter.validateRouteOptions(
          route({ paymentServiceId: PAYMENT_SERVICE_ID, merchantAccountId: 'us' }),
        ),
      ).not.toThrow();
    });

    it('throws naming the route and the option for bad or unknown options', () => {
      expect(() => adapter.validateRouteOptions(route({ paymentServiceId: 'abc' }))).toThrow(
        /gr4vy-us.*paymentServiceId/,
      );
      expect(() => adapter.validateRouteOptions(route({ merchantAccountId: '' }))).toThrow(
        /gr4vy-us.*merchantAccountId/,
      );
      expect(() => adapter.validateRouteOptions(route({ privateKey: 'x' }))).toThrow(/gr4vy-us.*privateKey/);
    });
  });

  describe('config', () => {
    it('refuses a key that is not P-521 (ES512)', () => {
      const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      expect(() => new Gr4vyProvider(config({ privateKeyPem: p256 }))).toThrow(/P-521/);
      expect(() => new Gr4vyProvider(config({ privateKeyPem: 'not a key' }))).toThrow(/privateKeyPem/);
    });

    it('refuses an invalid gr4vyId, serverUrl or tokenTtlSeconds', () => {
      expect(() => new Gr4vyProvider(config({ gr4vyId: '' }))).toThrow(/gr4vyId/);
      expect(() => new Gr4vyProvider(config({ gr4vyId: 'evil.com/x' }))).toThrow(/gr4vyId/);
      expect(() => new Gr4vyProvider(config({ serverUrl: 'ftp://x' }))).toThrow(/serverUrl/);
      expect(() => new Gr4vyProvider(config({ tokenTtlSeconds: 5 }))).toThrow(/tokenTtlSeconds/);
    });
  });
});
