import type { ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { ProviderCallOptions, ProviderError } from '../provider.port';
import { STRIPE_REDIRECT_URLS_REQUIRED } from './stripe.mapper';
import {
  STRIPE_API_VERSION,
  StripeAdapterConfig,
  StripeProvider,
  StripeProviderDeps,
} from './stripe.provider';
import {
  buildCommand,
  closedPort,
  FakeStripe,
  neverAnswer,
  NOW,
  OTHER_SECRET_KEY,
  RecordedRequest,
  replyCheckoutSession,
  replyError,
  SECRET_KEY,
  sendJson,
  startFakeStripe,
} from './test/stripe.fixtures';

function callOptions(timeoutMs = 2000, signal = new AbortController().signal): ProviderCallOptions {
  return { signal, timeoutMs };
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records every `unhandledRejection` while `body` runs (and `settleMs` after it). */
async function unhandledRejectionsDuring(body: () => Promise<void>, settleMs: number): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    await sleep(settleMs);
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('StripeProvider', () => {
  let server: FakeStripe;
  const providers: StripeProvider[] = [];

  beforeEach(async () => {
    server = await startFakeStripe();
  });

  afterEach(async () => {
    for (const p of providers.splice(0)) await p.close();
    await server.close();
  });

  function provider(
    config: Partial<StripeAdapterConfig> = {},
    deps: StripeProviderDeps = {},
  ): StripeProvider {
    const adapter = new StripeProvider(
      {
        apiBase: server.apiBase,
        secretKeys: { STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_SECRET_KEY_AU: OTHER_SECRET_KEY },
        defaultSecretKey: SECRET_KEY,
        ...config,
      },
      { now: () => NOW, ...deps },
    );
    providers.push(adapter);
    return adapter;
  }

  it('has kind "stripe" and every flow but the hosted payment (Stripe hosts the page)', () => {
    const adapter = provider();
    expect(adapter.kind).toBe('stripe');
    expect(Object.keys(adapter.flows).sort()).toEqual([
      'cancel',
      'capture',
      'createSession',
      'refund',
      'sessionRead',
      'void',
      'webhook',
    ]);
  });

  describe('createSession request', () => {
    it('POSTs form-encoded /v1/checkout/sessions to the apiBase (http, host, port) and maps the session', async () => {
      const command = buildCommand();
      const result = await provider().createSession(command, callOptions());

      expect(result).toEqual({
        providerSessionId: 'cs_test_1',
        checkoutUrl: `http://127.0.0.1:${server.port}/pay/cs_test_1`,
      });
      expect(server.requests).toHaveLength(1);
      const [req] = server.requests;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/v1/checkout/sessions');
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
      expect(req.headers['idempotency-key']).toBe(command.idempotencyKey);
      expect(req.headers['stripe-version']).toBe(STRIPE_API_VERSION);
      expect(req.form).toEqual({
        mode: 'payment',
        'payment_intent_data[capture_method]': 'manual',
        'line_items[0][quantity]': '2',
        'line_items[0][price_data][currency]': 'usd',
        'line_items[0][price_data][unit_amount]': '1250',
        'line_items[0][price_data][product_data][name]': 'Blue mug',
        'line_items[0][price_data][product_data][metadata][sku]': 'MUG-BLUE',
        'line_items[1][quantity]': '1',
        'line_items[1][price_data][currency]': 'usd',
        'line_items[1][price_data][unit_amount]': '499',
        'line_items[1][price_data][product_data][name]': 'Tea',
        'line_items[2][quantity]': '1',
        'line_items[2][price_data][currency]': 'usd',
        'line_items[2][price_data][unit_amount]': '300',
        'line_items[2][price_data][product_data][name]': 'Shipping',
        'line_items[3][quantity]': '1',
        'line_items[3][price_data][currency]': 'usd',
        'line_items[3][price_data][unit_amount]': '150',
        'line_items[3][price_data][product_data][name]': 'Tax',
        success_url: `https://shop.example.com/done?order=42&sessionId=${command.sessionId}`,
        cancel_url: `https://shop.example.com/cart?sessionId=${command.sessionId}`,
        expires_at: String(NOW.getTime() / 1000 + 3600),
        'metadata[sessionId]': command.sessionId,
        'metadata[orderReference]': 'ORDER-42',
        'metadata[channel]': 'web',
        client_reference_id: 'ORDER-42',
        customer_email: 'ada@example.com',
        locale: 'en',
      });
      const sum = [0, 1, 2, 3].reduce(
        (s, i) =>
          s +
          Number(req.form[`line_items[${i}][quantity]`]) *
            Number(req.form[`line_items[${i}][price_data][unit_amount]`]),
        0,
      );
      expect(sum).toBe(command.totalMinor);
    });

    it('builds one SDK client per (key, apiBase), with retries off, telemetry off and our API version', async () => {
      const created: { key: string; config: Stripe.StripeConfig }[] = [];
      const adapter = provider(
        {},
        {
          createClient: (key, config) => {
            created.push({ key, config });
            return new Stripe(key, config);
          },
        },
      );
      const au = { id: 'stripe-au', adapter: 'stripe', options: { secretKeyEnv: 'STRIPE_SECRET_KEY_AU' } };
      await adapter.createSession(buildCommand(), callOptions());
      await adapter.createSession(buildCommand(), callOptions());
      await adapter.createSession(buildCommand({ route: au }), callOptions());
      await adapter.createSession(buildCommand({ route: au }), callOptions());

      expect(created.map((c) => c.key)).toEqual([SECRET_KEY, OTHER_SECRET_KEY]);
      expect(created[0].config).toMatchObject({
        apiVersion: STRIPE_API_VERSION,
        maxNetworkRetries: 0,
        telemetry: false,
        host: '127.0.0.1',
        port: server.port,
        protocol: 'http',
      });
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([
        `Bearer ${SECRET_KEY}`,
        `Bearer ${SECRET_KEY}`,
        `Bearer ${OTHER_SECRET_KEY}`,
        `Bearer ${OTHER_SECRET_KEY}`,
      ]);
    });

    it('reuses the connection between calls (keep-alive agent)', async () => {
      const adapter = provider();
      await adapter.createSession(buildCommand(), callOptions());
      await adapter.createSession(buildCommand(), callOptions());
      expect(server.requests[0].remotePort).toBeDefined();
      expect(server.requests[1].remotePort).toBe(server.requests[0].remotePort);
    });

    it('sends a route with its own apiBase there, not to the adapter apiBase', async () => {
      const other = await startFakeStripe(replyCheckoutSession('cs_test_other'));
      try {
        const result = await provider().createSession(
          buildCommand({
            route: { id: 'stripe-eu', adapter: 'stripe', options: { apiBase: other.apiBase } },
          }),
          callOptions(),
        );
        expect(result.providerSessionId).toBe('cs_test_other');
        expect(other.requests).toHaveLength(1);
        expect(server.requests).toHaveLength(0);
      } finally {
        await other.close();
      }
    });

    it('refuses an amount Stripe cannot take (KWD, last digit not 0) without calling Stripe', async () => {
      const failure = await failureOf(
        provider().createSession(
          buildCommand({
            currency: 'KWD',
            items: [{ name: 'Dates', quantity: 1, unitPriceMinor: 12_345 }],
            shippingMinor: 0,
            taxMinor: 0,
            totalMinor: 12_345,
          }),
          callOptions(),
        ),
      );
      expect(failure.kind).toBe('rejected');
      expect(failure.providerCode).toBe('amount_not_supported');
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('createSession failures', () => {
    it('HTTP 500 → server, retryable', async () => {
      server.respond(replyError(500, { type: 'api_error', message: 'An unknown error occurred' }));
      const failure = await failureOf(provider().createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('server');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(500);
      expect(server.requests).toHaveLength(1); // no SDK retry: the core fails over
    });

    it('HTTP 429 → rate_limited, retryable', async () => {
      server.respond(
        replyError(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many' }),
      );
      const failure = await failureOf(provider().createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('rate_limited');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(429);
      expect(server.requests).toHaveLength(1);
    });

    it('HTTP 400 invalid_request_error → rejected, not retryable, with Stripe message and param', async () => {
      server.respond(
        replyError(400, {
          type: 'invalid_request_error',
          code: 'parameter_invalid_integer',
          message: 'Invalid integer: abc',
          param: 'line_items[0][quantity]',
        }),
      );
      const failure = await failureOf(provider().createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.providerStatus).toBe(400);
      expect(failure.providerCode).toBe('parameter_invalid_integer');
      expect(failure.message).toContain('Invalid integer: abc');
      expect(failure.message).toContain('line_items[0][quantity]');
    });

    it('a session without url → server', async () => {
      server.respond((_req, res) =>
        sendJson(res, 200, { id: 'cs_test_1', object: 'checkout.session', url: null }),
      );
      const failure = await failureOf(provider().createSession(buildCommand(), callOptions()));
      expect(failure.kind).toBe('server');
      expect(failure.providerCode).toBe('missing_checkout_url');
    });

    it('a server that never answers → timeout', async () => {
      server.respond(neverAnswer);
      const failure = await failureOf(provider().createSession(buildCommand(), callOptions(200)));
      expect(failure.kind).toBe('timeout');
      expect(failure.retryable).toBe(true);
    });

    it('a closed port → network, retryable', async () => {
      const port = await closedPort();
      const failure = await failureOf(
        provider({ apiBase: `http://127.0.0.1:${port}` }).createSession(buildCommand(), callOptions()),
      );
      expect(failure.kind).toBe('network');
      expect(failure.retryable).toBe(true);
      expect(failure.message).toContain('ECONNREFUSED');
    });

    it('stops waiting when the caller aborts: network, or timeout when the abort reason is a timeout', async () => {
      server.respond(neverAnswer);
      const adapter = provider();

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const aborted = await failureOf(
        adapter.createSession(buildCommand(), callOptions(10_000, controller.signal)),
      );
      expect(aborted.kind).toBe('network');

      const failure = await failureOf(
        adapter.createSession(buildCommand(), callOptions(10_000, AbortSignal.timeout(30))),
      );
      expect(failure.kind).toBe('timeout');
    });

    it('does not call Stripe when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const failure = await failureOf(
        provider().createSession(buildCommand(), callOptions(2000, controller.signal)),
      );
      expect(failure.kind).toBe('network');
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('readSession', () => {
    const au = { id: 'stripe-au', adapter: 'stripe', options: { secretKeyEnv: 'STRIPE_SECRET_KEY_AU' } };

    it('GETs the session with its PaymentIntent expanded, with the route’s key, and says where it stands', async () => {
      server.respond((_req, res) =>
        sendJson(res, 200, {
          id: 'cs_test_1',
          object: 'checkout.session',
          status: 'complete',
          payment_status: 'paid',
          payment_intent: { id: 'pi_1', object: 'payment_intent', status: 'requires_capture' },
        }),
      );
      const status = await provider().readSession(au, { providerSessionId: 'cs_test_1' }, callOptions());

      expect(status).toEqual({
        state: 'paid',
        transaction: { transactionId: 'pi_1', status: 'authorized', providerStatus: 'requires_capture' },
      });
      const [req] = server.requests;
      expect(req.method).toBe('GET');
      expect(decodeURIComponent(req.url)).toBe('/v1/checkout/sessions/cs_test_1?expand[0]=payment_intent');
      expect(req.headers.authorization).toBe(`Bearer ${OTHER_SECRET_KEY}`);
    });

    it('an open session is open', async () => {
      server.respond((_req, res) =>
        sendJson(res, 200, {
          id: 'cs_test_1',
          object: 'checkout.session',
          status: 'open',
          payment_status: 'unpaid',
          payment_intent: null,
        }),
      );
      expect(await provider().readSession(au, { providerSessionId: 'cs_test_1' }, callOptions())).toEqual({
        state: 'open',
      });
    });

    it('a session the key cannot see (404) → rejected; one that never answers → timeout', async () => {
      server.respond(
        replyError(404, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: "No such checkout.session: 'cs_test_x'",
        }),
      );
      const missing = await failureOf(
        provider().readSession(au, { providerSessionId: 'cs_test_x' }, callOptions()),
      );
      expect(missing.kind).toBe('rejected');
      expect(missing.providerStatus).toBe(404);

      server.respond(neverAnswer);
      expect(
        (await failureOf(provider().readSession(au, { providerSessionId: 'cs_test_1' }, callOptions(150))))
          .kind,
      ).toBe('timeout');
    });
  });

  describe('cancelSession', () => {
    const route = { id: 'stripe-us', adapter: 'stripe', options: {} };
    const notOpen = (status: string) =>
      replyError(400, {
        type: 'invalid_request_error',
        message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${status}\`.`,
      });
    /** Refuses the expire as Stripe does for a session that is not open, then answers the read with it. */
    const refusedThenRead =
      (session: Record<string, unknown>) => (req: RecordedRequest, res: ServerResponse) =>
        req.method === 'POST'
          ? notOpen(String(session.status))(req, res)
          : sendJson(res, 200, { id: 'cs_test_1', object: 'checkout.session', ...session });

    it('expires an open session: cancelled', async () => {
      server.respond((_req, res) =>
        sendJson(res, 200, { id: 'cs_test_1', object: 'checkout.session', status: 'expired' }),
      );
      expect(await provider().cancelSession(route, 'cs_test_1', callOptions())).toEqual({
        outcome: 'cancelled',
      });
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /v1/checkout/sessions/cs_test_1/expire',
      ]);
    });

    it('a session Stripe refuses to expire because it is complete: already_paid', async () => {
      server.respond(
        refusedThenRead({
          status: 'complete',
          payment_status: 'paid',
          payment_intent: { id: 'pi_1', object: 'payment_intent', status: 'succeeded' },
        }),
      );
      expect(await provider().cancelSession(route, 'cs_test_1', callOptions())).toEqual({
        outcome: 'already_paid',
      });
      expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    });

    it('a complete session whose async payment is still settling cannot be cancelled either: already_paid', async () => {
      server.respond(
        refusedThenRead({
          status: 'complete',
          payment_status: 'unpaid',
          payment_intent: { id: 'pi_1', object: 'payment_intent', status: 'processing' },
        }),
      );
      expect((await provider().cancelSession(route, 'cs_test_1', callOptions())).outcome).toBe(
        'already_paid',
      );
    });

    it('a session Stripe refuses to expire because it already expired: already_closed', async () => {
      server.respond(refusedThenRead({ status: 'expired', payment_status: 'unpaid', payment_intent: null }));
      expect(await provider().cancelSession(route, 'cs_test_1', callOptions())).toEqual({
        outcome: 'already_closed',
      });
    });

    it('any other failure is the caller’s to handle (a 404, a 500)', async () => {
      server.respond(
        replyError(404, { type: 'invalid_request_error', code: 'resource_missing', message: 'No such' }),
      );
      expect(
        (await failureOf(provider().cancelSession(route, 'cs_test_x', callOptions()))).providerStatus,
      ).toBe(404);
      server.respond(replyError(500, { type: 'api_error', message: 'boom' }));
      expect((await failureOf(provider().cancelSession(route, 'cs_test_1', callOptions()))).kind).toBe(
        'server',
      );
    });
  });

  describe('verifyWebhook', () => {
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'checkout.session.expired',
      data: {
        object: {
          id: 'cs_test_1',
          object: 'checkout.session',
          payment_status: 'unpaid',
          payment_intent: null,
        },
      },
    });
    const signedWith = (secret: string, timestamp = Math.floor(Date.now() / 1000)) => ({
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
    });

    it('accepts an event signed with the default or a route’s secret, and refuses all when none is configured', () => {
      const adapter = provider({
        webhookSecrets: {
          STRIPE_WEBHOOK_SECRET: 'whsec_default_0123456789',
          STRIPE_WEBHOOK_SECRET_AU: 'whsec_account_au_0123456789',
        },
      });
      for (const secret of ['whsec_default_0123456789', 'whsec_account_au_0123456789']) {
        expect(adapter.verifyWebhook(signedWith(secret), Buffer.from(payload), new Date()).subject).toEqual({
          kind: 'session',
          providerSessionId: 'cs_test_1',
          outcome: { state: 'expired' },
        });
      }
      expect(() =>
        provider().verifyWebhook(signedWith('whsec_default_0123456789'), Buffer.from(payload), new Date()),
      ).toThrow(expect.objectContaining({ reason: 'not_configured' }));
    });

    it('applies the configured tolerance', () => {
      const adapter = provider({
        webhookSecrets: { STRIPE_WEBHOOK_SECRET: 'whsec_default_0123456789' },
        webhookToleranceSeconds: 60,
      });
      const headers = signedWith('whsec_default_0123456789', Math.floor(Date.now() / 1000) - 90);
      expect(() => adapter.verifyWebhook(headers, Buffer.from(payload), new Date())).toThrow(
        expect.objectContaining({ reason: 'timestamp' }),
      );
    });
  });

  describe('no unhandled promise rejection (regression)', () => {
    it('when the race is lost: the SDK call rejects later, after we gave up', async () => {
      server.respond(neverAnswer);
      const adapter = provider();
      const seen = await unhandledRejectionsDuring(async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 20);
        // The SDK keeps waiting until its own socket timeout (timeoutMs = 150) fires and rejects.
        const failure = await failureOf(
          adapter.createSession(buildCommand(), callOptions(150, controller.signal)),
        );
        expect(failure.kind).toBe('network');
      }, 400);
      expect(seen).toEqual([]);
    });

    it.each([['42'], ['"ok"'], ['true'], ['null'], ['[]'], ['{"error": 7}']])(
      'when a 200 body is JSON but not a session object (%s): server failure, not a hang',
      async (body) => {
        server.respond((_req, res) => sendJson(res, 200, body));
        const adapter = provider();
        const seen = await unhandledRejectionsDuring(async () => {
          const failure = await failureOf(adapter.createSession(buildCommand(), callOptions(3000)));
          expect(failure.kind).toBe('server');
        }, 50);
        expect(seen).toEqual([]);
      },
    );
  });

  describe('ineligibilityReason', () => {
    const route = { id: 'stripe-us', adapter: 'stripe', options: {} };

    it('requires both redirect URLs', () => {
      const adapter = provider();
      expect(adapter.ineligibilityReason(route, { ttlSeconds: 3600 })).toBe(STRIPE_REDIRECT_URLS_REQUIRED);
      expect(
        adapter.ineligibilityReason(route, {
          ttlSeconds: 3600,
          redirectUrls: { success: 'https://a.example/ok' },
        }),
      ).toBe('redirect URLs required by stripe (redirectUrls.success and redirectUrls.failure)');
      expect(
        adapter.ineligibilityReason(route, {
          ttlSeconds: 3600,
          redirectUrls: { failure: 'https://a.example/ko' },
        }),
      ).toBe(STRIPE_REDIRECT_URLS_REQUIRED);
      expect(
        adapter.ineligibilityReason(route, {
          ttlSeconds: 3600,
          redirectUrls: { success: 'https://a.example/ok', failure: '  ' },
        }),
      ).toBe(STRIPE_REDIRECT_URLS_REQUIRED);
      expect(
        adapter.ineligibilityReason(route, {
          ttlSeconds: 3600,
          redirectUrls: { success: 'https://a.example/ok', failure: 'https://a.example/ko' },
        }),
      ).toBeNull();
    });
  });

  describe('validateRouteOptions', () => {
    const route = (options: Record<string, unknown>) => ({ id: 'stripe-au', adapter: 'stripe', options });

    it('accepts a configured secretKeyEnv, no options when a default key exists, and an apiBase', () => {
      const adapter = provider();
      expect(() =>
        adapter.validateRouteOptions(route({ secretKeyEnv: 'STRIPE_SECRET_KEY_AU' })),
      ).not.toThrow();
      expect(() => adapter.validateRouteOptions(route({}))).not.toThrow();
      expect(() => adapter.validateRouteOptions(route({ apiBase: 'https://api.stripe.com' }))).not.toThrow();
    });

    it('throws for a secretKeyEnv that is not configured, naming it but no key value', () => {
      let message = '';
      try {
        provider().validateRouteOptions(route({ secretKeyEnv: 'STRIPE_SECRET_KEY_NZ' }));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/stripe-au.*secretKeyEnv.*STRIPE_SECRET_KEY_NZ/);
      expect(message).not.toContain(SECRET_KEY);
      expect(message).not.toContain(OTHER_SECRET_KEY);
    });

    it('requires secretKeyEnv when there is no default key', () => {
      const adapter = provider({ defaultSecretKey: undefined });
      expect(() => adapter.validateRouteOptions(route({}))).toThrow(/stripe-au.*secretKeyEnv.*required/);
    });

    it('throws for an unknown option, naming it', () => {
      expect(() => provider().validateRouteOptions(route({ stripeAccount: 'acct_1' }))).toThrow(
        /stripe-au.*"stripeAccount"/,
      );
    });

    it('refuses to send a live key over http', () => {
      const adapter = provider({ secretKeys: { STRIPE_SECRET_KEY_LIVE: 'sk_live_abcdef' } });
      let message = '';
      try {
        adapter.validateRouteOptions(route({ secretKeyEnv: 'STRIPE_SECRET_KEY_LIVE' }));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/live Stripe key.*https/);
      expect(message).not.toContain('sk_live_abcdef');
    });
  });

  describe('config', () => {
    it('refuses an apiBase the SDK cannot use, without echoing it', () => {
      expect(() => provider({ apiBase: 'http://u:sk_test_x@127.0.0.1:1' })).toThrow(/apiBase/);
      try {
        provider({ apiBase: 'http://u:sk_test_x@127.0.0.1:1' });
      } catch (error) {
        expect((error as Error).message).not.toContain('sk_test_x');
      }
      expect(() => provider({ apiBase: 'http://127.0.0.1:4010/v1' })).toThrow(/apiBase/);
    });
  });
});
