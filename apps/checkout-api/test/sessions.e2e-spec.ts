import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { sessionBody, GR4VY_SERVICE_AU } from './support/fixtures';
import { Harness, sandboxAdmin, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

describe('POST and GET /api/v1/sessions', () => {
  let h: Harness;
  let merchant: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    merchant = `merchant_${randomUUID()}`;
    token = await merchantToken(merchant);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
  });

  const post = (body: unknown, key: string | null = randomUUID(), auth: string | null = token) => {
    let req = request(h.url).post('/api/v1/sessions').set('Content-Type', 'application/json');
    if (auth !== null) req = req.set('Authorization', `Bearer ${auth}`);
    if (key !== null) req = req.set('Idempotency-Key', key);
    return req.send(typeof body === 'string' ? body : JSON.stringify(body));
  };

  describe('201', () => {
    it('creates a PENDING session routed to the sandbox and returns the documented fields', async () => {
      const res = await post(sessionBody());
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(
        ['checkoutUrl', 'createdAt', 'expiresAt', 'routing', 'sessionId', 'status'].sort(),
      );
      expect(res.body.status).toBe('PENDING');
      expect(res.body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.checkoutUrl).toBe(`http://checkout.test/checkout/${res.body.sessionId}`);
      expect(res.body.routing.selectedProvider).toBe('gr4vy-card');
      expect(res.body.routing.score).toBeGreaterThan(0);
      expect(res.body.routing.score).toBeLessThanOrEqual(100);
      const ttl = Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt);
      expect(ttl).toBeGreaterThanOrEqual(3600_000 - 5000);
      expect(ttl).toBeLessThanOrEqual(3600_000 + 5000);
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('sends Gr4vy a cart in minor units that sums to the amount, with buyer, metadata and payment service', async () => {
      const orderReference = `ORD-${randomUUID()}`;
      const res = await post(sessionBody({ orderReference }));
      expect(res.status).toBe(201);
      const creates = await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions');
      const sent = creates.find(
        (r) => (r.body.metadata as Record<string, string>)?.orderReference === orderReference,
      );
      expect(sent).toBeDefined();
      const body = sent!.body as {
        amount: number;
        currency: string;
        cart_items: Array<{ unit_amount: number; quantity: number; product_type?: string }>;
        metadata: Record<string, string>;
        payment_service_id: string;
        expires_in: number;
        buyer: { billing_details: { email_address: string; address: { country: string } } };
      };
      expect(body.amount).toBe(14076);
      expect(body.currency).toBe('AUD');
      expect(body.cart_items.reduce((sum, item) => sum + item.unit_amount * item.quantity, 0)).toBe(14076);
      expect(body.cart_items.map((i) => i.product_type ?? null)).toEqual([null, 'shipping_fee', 'sales_tax']);
      expect(body.metadata).toMatchObject({
        orderReference,
        campaignId: 'summer-sale-2024',
        referralCode: 'REF-ABC',
      });
      expect(body.payment_service_id).toBe(GR4VY_SERVICE_AU);
      expect(body.expires_in).toBe(3600);
      expect(body.buyer.billing_details.email_address).toBe('jane.smith@example.com');
      expect(body.buyer.billing_details.address.country).toBe('AU');
    });

    it('holds 0.1 × 3 + 0.2 = 0.5 exactly', async () => {
      const res = await post(
        sessionBody({
          currency: 'USD',
          amount: { total: 0.5, shipping: 0.2, tax: 0 },
          orderItems: [{ name: 'Sticker', quantity: 3, unitPrice: 0.1 }],
        }),
      );
      expect(res.status).toBe(201);
    });

    it('converts with the currency exponent: JPY has no decimals and KWD has three', async () => {
      const jpy = await post(
        sessionBody({
          currency: 'JPY',
          amount: { total: 1500 },
          orderItems: [{ name: 'Tea', quantity: 3, unitPrice: 500 }],
        }),
      );
      expect(jpy.status).toBe(201);
      const kwd = await post(
        sessionBody({
          currency: 'KWD',
          amount: { total: 2.469, tax: 0.001 },
          orderItems: [{ name: 'Dates', quantity: 2, unitPrice: 1.234 }],
        }),
      );
      expect(kwd.status).toBe(201);
      const get = await request(h.url)
        .get(`/api/v1/sessions/${kwd.body.sessionId}`)
        .set('Authorization', `Bearer ${token}`);
      expect(get.body.amount).toEqual({ total: 2.469, shipping: 0, tax: 0.001 });
    });

    it('replays the first answer for the same key and body', async () => {
      const key = randomUUID();
      const body = sessionBody();
      const first = await post(body, key);
      const second = await post(body, key);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('GET /api/v1/sessions/:id', () => {
    it('returns the caller’s session with order reference, currency, amounts and routing candidates', async () => {
      const body = sessionBody();
      const created = await post(body);
      const res = await request(h.url)
        .get(`/api/v1/sessions/${created.body.sessionId}`)
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        sessionId: created.body.sessionId,
        checkoutUrl: created.body.checkoutUrl,
        status: 'PENDING',
        orderReference: body.orderReference,
        currency: 'AUD',
        amount: { total: 140.76, shipping: 9.95, tax: 11.81 },
        routing: { selectedProvider: 'gr4vy-card', score: created.body.routing.score },
        expiresAt: created.body.expiresAt,
        createdAt: created.body.createdAt,
      });
      expect(res.body.routing.candidates[0]).toMatchObject({ routeId: 'gr4vy-card', eligible: true });
    });

    it('answers 404 for another merchant’s session and for unknown ids', async () => {
      const created = await post(sessionBody());
      const other = await merchantToken(`merchant_${randomUUID()}`);
      const res = await request(h.url)
        .get(`/api/v1/sessions/${created.body.sessionId}`)
        .set('Authorization', `Bearer ${other}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
      const unknown = await request(h.url)
        .get(`/api/v1/sessions/${randomUUID()}`)
        .set('Authorization', `Bearer ${token}`);
      expect(unknown.status).toBe(404);
      const junk = await request(h.url)
        .get('/api/v1/sessions/not-a-uuid')
        .set('Authorization', `Bearer ${token}`);
      expect(junk.status).toBe(404);
    });

    it('answers 401 without a token', async () => {
      const res = await request(h.url).get(`/api/v1/sessions/${randomUUID()}`);
      expect(res.status).toBe(401);
    });
  });

  describe('400', () => {
    it('refuses a missing Idempotency-Key with the documented message', async () => {
      const res = await post(sessionBody(), null);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Missing required header: Idempotency-Key',
        code: 'IDEMPOTENCY_KEY_MISSING',
      });
    });

    it('refuses a key longer than 255 characters or with non-ASCII characters', async () => {
      expect((await post(sessionBody(), 'k'.repeat(256))).body.code).toBe('IDEMPOTENCY_KEY_INVALID');
      expect((await post(sessionBody(), 'k'.repeat(255))).status).toBe(201);
    });

    it('refuses a total that does not match with the documented message', async () => {
      const res = await post(sessionBody({ amount: { total: 140.75, shipping: 9.95, tax: 11.81 } }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('AMOUNT_MISMATCH');
      expect(res.body.message).toBe('amount.total does not match the sum of line items, shipping, and tax');
      expect(res.body.details).toMatchObject({ expectedMinor: '14076', declaredMinor: '14075' });
    });

    it.each([
      ['an unknown currency', { currency: 'ABC' }],
      ['a lower-case currency', { currency: 'aud' }],
      ['a fractional quantity', { orderItems: [{ name: 'x', quantity: 1.5, unitPrice: 119 }] }],
      ['a zero quantity', { orderItems: [{ name: 'x', quantity: 0, unitPrice: 119 }] }],
      ['more decimals than AUD allows', { amount: { total: 140.761, shipping: 9.951, tax: 11.81 } }],
      [
        'decimals in JPY',
        { currency: 'JPY', amount: { total: 1.5 }, orderItems: [{ name: 'x', quantity: 1, unitPrice: 1.5 }] },
      ],
      ['an amount as a string', { amount: { total: '140.76', shipping: 9.95, tax: 11.81 } }],
      ['a negative price', { orderItems: [{ name: 'x', quantity: 1, unitPrice: -1 }] }],
      ['no order items', { orderItems: [] }],
      ['an unknown payment method', { paymentMethod: 'bitcoin' }],
      ['an unknown field', { surprise: true }],
      ['a missing orderReference', { orderReference: undefined }],
      ['an invalid redirect URL', { redirectUrls: { success: 'javascript:alert(1)' } }],
    ])('refuses %s', async (_name, overrides) => {
      const res = await post(sessionBody(overrides));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.statusCode).toBe(400);
      expect(Array.isArray(res.body.details)).toBe(true);
    });

    it('refuses an invalid email and an invalid country', async () => {
      const body = sessionBody();
      const customer = body.customer as Record<string, unknown>;
      const badEmail = await post({ ...body, customer: { ...customer, email: 'not-an-email' } });
      expect(badEmail.status).toBe(400);
      expect(JSON.stringify(badEmail.body.details)).toContain('customer.email');
      const badCountry = await post({
        ...body,
        customer: { ...customer, billingAddress: { ...(customer.billingAddress as object), country: 'XX' } },
      });
      expect(badCountry.status).toBe(400);
      expect(JSON.stringify(badCountry.body.details)).toContain('customer.billingAddress.country');
    });

    it('refuses a total above 99,999,999 minor units', async () => {
      const res = await post(
        sessionBody({
          currency: 'USD',
          amount: { total: 1000000 },
          orderItems: [{ name: 'x', quantity: 1, unitPrice: 1000000 }],
        }),
      );
      expect(res.status).toBe(400);
    });

    it('refuses malformed JSON and an empty body as MALFORMED_JSON, with the documented message', async () => {
      for (const raw of ['{"orderReference": ', '']) {
        const res = await post(raw);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: 'Request body is not valid JSON',
          code: 'MALFORMED_JSON',
        });
      }
    });

    it('refuses JSON that is not an object (an array, null) as VALIDATION_FAILED', async () => {
      for (const raw of ['[1,2]', 'null']) {
        const res = await post(raw);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Request validation failed' });
      }
    });
  });

  describe('401', () => {
    const documented = {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Authentication required. Please provide a valid API token',
      code: 'UNAUTHORIZED',
    };

    it('refuses a missing token with the documented message', async () => {
      const res = await post(sessionBody(), randomUUID(), null);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(documented);
    });

    it.each([
      ['a token signed with another secret', () => merchantToken('m1', { secret: 'x'.repeat(40) })],
      ['an expired token', () => merchantToken('m1', { expiresIn: '-1m' })],
      ['a token not valid yet', () => merchantToken('m1', { notBefore: '10m' })],
      [
        'an alg:none token',
        async () =>
          `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
            JSON.stringify({ sub: 'm1', exp: Math.floor(Date.now() / 1000) + 600 }),
          ).toString('base64url')}.`,
      ],
      ['garbage', async () => 'not.a.jwt'],
    ])('refuses %s', async (_name, makeToken) => {
      const res = await post(sessionBody(), randomUUID(), await makeToken());
      expect(res.status).toBe(401);
      expect(res.body).toEqual(documented);
    });
  });

  describe('413', () => {
    it('refuses a body over 1 MB', async () => {
      const res = await post(sessionBody({ orderReference: 'x'.repeat(1024 * 1024 + 10) }));
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('422', () => {
    it('refuses the same key with another body with the documented message', async () => {
      const key = randomUUID();
      expect((await post(sessionBody(), key)).status).toBe(201);
      const res = await post(sessionBody(), key);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'This idempotency key was already used with different request parameters',
        code: 'IDEMPOTENCY_KEY_MISMATCH',
      });
    });

    it('answers NO_AVAILABLE_PROVIDER with the reason for each route', async () => {
      const res = await post(sessionBody({ currency: 'CHF' }));
      expect(res.status).toBe(422);
      expect(res.body.message).toBe('No eligible providers found for the given request parameters');
      expect(res.body.code).toBe('NO_AVAILABLE_PROVIDER');
      expect(res.body.details).toEqual([{ routeId: 'gr4vy-card', reason: 'currency CHF not supported' }]);
    });
  });

  describe('502 and 504', () => {
    it('answers 502 with the documented message when the provider fails with 5xx', async () => {
      await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'status', status: 503 });
      const res = await post(sessionBody());
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({
        message: 'Service temporarily unavailable.',
        code: 'PROVIDER_UNAVAILABLE',
      });
    });

    it('answers 502 PROVIDER_REJECTED when the provider refuses the request', async () => {
      await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'status', status: 400 });
      const res = await post(sessionBody());
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('PROVIDER_REJECTED');
    });

    it('answers 504 with the documented message when the provider times out', async () => {
      await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'timeout' });
      const res = await post(sessionBody());
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ message: 'Request timed out.', code: 'PROVIDER_TIMEOUT' });
    });

    it('lets a retry with the same key run again after a transient failure', async () => {
      const key = randomUUID();
      const body = sessionBody();
      await sandboxAdmin.fault(h.sandboxUrl, {
        provider: 'gr4vy',
        mode: 'status',
        status: 500,
        remaining: 1,
      });
      expect((await post(body, key)).status).toBe(502);
      const retry = await post(body, key);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('health', () => {
    it('reports live and ready', async () => {
      expect((await request(h.url).get('/health/live')).status).toBe(200);
      const ready = await request(h.url).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ postgres: 'up', redis: 'up' });
    });

    it('answers unknown routes with a 404 envelope', async () => {
      const res = await request(h.url).get('/nope');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });
  });
});
