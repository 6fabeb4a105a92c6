import { startSandbox, type RunningSandbox } from './sandbox';
import {
  CARD_APPROVE,
  CARD_DECLINE,
  CARD_FAIL,
  createSession,
  gr4vyHeaders,
  postJson,
  readJson,
  storeCard,
  transactionBody,
  validSessionBody,
  type JsonObject,
} from './test/helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHECKOUT_SESSION_KEYS = [
  'airline',
  'amount',
  'buyer',
  'cart_items',
  'currency',
  'expires_at',
  'id',
  'metadata',
  'payment_method',
  'payment_service_id',
  'type',
];

type Detail = { loc: (string | number)[]; type: string; msg: string };

async function details(res: Response): Promise<Detail[]> {
  const body = (await res.json()) as { detail: Detail[] };
  return body.detail;
}

describe('Gr4vy simulator', () => {
  let sandbox: RunningSandbox;
  let base: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  describe('POST /checkout/sessions', () => {
    it('creates a session: 201 with a CheckoutSession body', async () => {
      const before = Date.now();
      const res = await postJson(
        `${base}/checkout/sessions`,
        validSessionBody(),
        gr4vyHeaders('t', { 'x-gr4vy-merchant-account-id': 'acme' }),
      );
      expect(res.status).toBe(201);
      const body = await readJson(res);
      expect(Object.keys(body).sort()).toEqual(CHECKOUT_SESSION_KEYS);
      expect(body.type).toBe('checkout-session');
      expect(body.id).toMatch(UUID);
      expect(body).toMatchObject({
        amount: 2598,
        currency: 'USD',
        metadata: { orderId: 'order-1' },
        payment_service_id: '6a1f2d7e-1b7c-4c1e-9a43-2f1d7b0c9e11',
        payment_method: null,
        cart_items: [
          { name: 'T-shirt', quantity: 2, unit_amount: 1299, sku: 'TS-1', product_type: 'physical' },
        ],
        buyer: { display_name: 'Ada Lovelace', billing_details: { address: { country: 'GB' } } },
      });
      const expiresAt = Date.parse(String(body.expires_at));
      expect(expiresAt).toBeGreaterThanOrEqual(before + 7200 * 1000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7200 * 1000 + 1000);
    });

    it('defaults expires_in to 3600 seconds and accepts an empty body', async () => {
      const res = await fetch(`${base}/checkout/sessions`, {
        method: 'POST',
        headers: { authorization: 'Bearer t' },
      });
      expect(res.status).toBe(201);
      const body = await readJson(res);
      const ttl = Date.parse(String(body.expires_at)) - Date.now();
      expect(ttl).toBeGreaterThan(3590 * 1000);
      expect(ttl).toBeLessThanOrEqual(3600 * 1000);
      expect(body.amount).toBeNull();
    });

    it('rejects an unknown top-level property with 422 extra_forbidden', async () => {
      const res = await postJson(`${base}/checkout/sessions`, validSessionBody({ colour: 'red' }));
      expect(res.status).toBe(422);
      expect(await details(res)).toEqual([
        expect.objectContaining({
          loc: ['body', 'colour'],
          type: 'extra_forbidden',
          msg: 'Extra inputs are not permitted',
        }),
      ]);
    });

    it('rejects an unknown nested property (cart item, address)', async () => {
      const body = validSessionBody();
      body.cart_items = [{ name: 'x', quantity: 1, unit_amount: 1, colour: 'red' }];
      (((body.buyer as JsonObject).billing_details as JsonObject).address as JsonObject).planet = 'Earth';
      const res = await postJson(`${base}/checkout/sessions`, body);
      expect(res.status).toBe(422);
      const locs = (await details(res)).map((d) => d.loc.join('.'));
      expect(locs).toEqual(
        expect.arrayContaining(['body.cart_items.0.colour', 'body.buyer.billing_details.address.planet']),
      );
    });

    it.each([
      ['lowercase currency', { currency: 'usd' }, ['body', 'currency'], 'string_pattern_mismatch'],
      ['negative amount', { amount: -1 }, ['body', 'amount'], 'greater_than_equal'],
      ['amount above the maximum', { amount: 100000000 }, ['body', 'amount'], 'less_than_equal'],
      ['fractional amount', { amount: 12.5 }, ['body', 'amount'], 'int_from_float'],
      ['expires_in too short', { expires_in: 3599 }, ['body', 'expires_in'], 'greater_than_equal'],
      ['expires_in too long', { expires_in: 86401 }, ['body', 'expires_in'], 'less_than_equal'],
      [
        'payment_service_id not a uuid',
        { payment_service_id: 'ps-1' },
        ['body', 'payment_service_id'],
        'uuid_parsing',
      ],
      ['metadata with a non-string value', { metadata: { n: 1 } }, ['body', 'metadata', 'n'], 'string_type'],
      [
        'cart item quantity 0',
        { cart_items: [{ name: 'x', quantity: 0, unit_amount: 1 }] },
        ['body', 'cart_items', 0, 'quantity'],
        'greater_than',
      ],
      [
        'cart item without name',
        { cart_items: [{ quantity: 1, unit_amount: 1 }] },
        ['body', 'cart_items', 0, 'name'],
        'missing',
      ],
      [
        'unknown product_type',
        { cart_items: [{ name: 'x', quantity: 1, unit_amount: 1, product_type: 'car' }] },
        ['body', 'cart_items', 0, 'product_type'],
        'enum',
      ],
      [
        'phone number not E.164',
        { buyer: { billing_details: { phone_number: '07700900123' } } },
        ['body', 'buyer', 'billing_details', 'phone_number'],
        'string_pattern_mismatch',
      ],
      [
        'email longer than 320',
        { buyer: { billing_details: { email_address: `${'a'.repeat(320)}@x.io` } } },
        ['body', 'buyer', 'billing_details', 'email_address'],
        'string_too_long',
      ],
      [
        'bad state_code',
        { buyer: { billing_details: { address: { state_code: 'CA' } } } },
        ['body', 'buyer', 'billing_details', 'address', 'state_code'],
        'string_pattern_mismatch',
      ],
    ])('rejects %s with 422', async (_name, overrides, loc, type) => {
      const res = await postJson(`${base}/checkout/sessions`, validSessionBody(overrides));
      expect(res.status).toBe(422);
      const found = await details(res);
      expect(found).toContainEqual(expect.objectContaining({ loc, type }));
    });

    it('answers undecodable JSON with 422 json_invalid', async () => {
      const res = await fetch(`${base}/checkout/sessions`, {
        method: 'POST',
        headers: gr4vyHeaders(),
        body: '{"amount":',
      });
      expect(res.status).toBe(422);
      expect((await details(res))[0]).toMatchObject({
        type: 'json_invalid',
        loc: ['body', expect.any(Number)],
      });
    });

    it('requires a bearer token: 401 Error401', async () => {
      const res = await fetch(`${base}/checkout/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(validSessionBody()),
      });
      expect(res.status).toBe(401);
      expect(await readJson(res)).toEqual({
        type: 'error',
        code: 'unauthorized',
        status: 401,
        message: expect.any(String),
        details: [],
      });
      const basic = await postJson(
        `${base}/checkout/sessions`,
        {},
        { authorization: 'Basic abc', 'content-type': 'application/json' },
      );
      expect(basic.status).toBe(401);
    });
  });

  describe('GET /checkout/sessions/:id', () => {
    it('returns the stored session', async () => {
      const created = await createSession(base);
      const res = await fetch(`${base}/checkout/sessions/${String(created.id)}`, { headers: gr4vyHeaders() });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual(created);
    });

    it('answers 404 Error404 for an unknown id and 422 for a malformed one', async () => {
      const res = await fetch(`${base}/checkout/sessions/6f1d3a2b-0c4e-4b8a-9d7f-1e2c3b4a5d6e`, {
        headers: gr4vyHeaders(),
      });
      expect(res.status).toBe(404);
      expect(await readJson(res)).toMatchObject({
        type: 'error',
        code: 'not_found',
        status: 404,
        details: [],
      });
      const bad = await fetch(`${base}/checkout/sessions/not-a-uuid`, { headers: gr4vyHeaders() });
      expect(bad.status).toBe(422);
      expect((await details(bad))[0]).toMatchObject({ loc: ['path', 'session_id'], type: 'uuid_parsing' });
    });

    it('needs a token', async () => {
      const created = await createSession(base);
      const res = await fetch(`${base}/checkout/sessions/${String(created.id)}`);
      expect(res.status).toBe(401);
    });
  });

  describe('PUT and DELETE /checkout/sessions/:id', () => {
    it('updates the given fields (200) and deletes the session (204)', async () => {
      const created = await createSession(base);
      const url = `${base}/checkout/sessions/${String(created.id)}`;
      const updated = await postJson(url, { amount: 100, metadata: { step: '2' } }, gr4vyHeaders(), 'PUT');
      expect(updated.status).toBe(200);
      expect(await readJson(updated)).toMatchObject({
        id: created.id,
        amount: 100,
        currency: 'USD',
        metadata: { step: '2' },
      });
      const noBody = await fetch(url, { method: 'PUT', headers: { authorization: 'Bearer t' } });
      expect(noBody.status).toBe(422);
      expect((await details(noBody))[0]).toMatchObject({ loc: ['body'], type: 'missing' });

      expect((await fetch(url, { method: 'DELETE', headers: gr4vyHeaders() })).status).toBe(204);
      expect((await fetch(url, { headers: gr4vyHeaders() })).status).toBe(404);
    });
  });

  describe('PUT /checkout/sessions/:id/fields', () => {
    it('stores only derived card data and answers 204', async () => {
      const session = await createSession(base);
      const res = await storeCard(base, String(session.id), CARD_APPROVE);
      expect(res.status).toBe(204);
      const got = await readJson(
        await fetch(`${base}/checkout/sessions/${String(session.id)}`, { headers: gr4vyHeaders() }),
      );
      expect(got.payment_method).toMatchObject({
        type: 'payment-method',
        method: 'card',
        scheme: 'visa',
        label: '1111',
        details: { bin: '41111111' },
      });
      const text = JSON.stringify(got);
      expect(text).not.toContain(CARD_APPROVE);
      expect(text).not.toContain('"123"');
    });

    it('validates the CheckoutSessionSecureFields body', async () => {
      const session = await createSession(base);
      const url = `${base}/checkout/sessions/${String(session.id)}/fields`;
      const headers = { 'content-type': 'application/json' };
      const short = await postJson(
        url,
        { payment_method: { method: 'card', number: '4111', expiration_date: '12/39' } },
        headers,
        'PUT',
      );
      expect(short.status).toBe(422);
      expect((await details(short))[0]).toMatchObject({
        loc: ['body', 'payment_method', 'card', 'number'],
        type: 'string_too_short',
      });
      const tag = await postJson(url, { payment_method: { method: 'paypal' } }, headers, 'PUT');
      expect(tag.status).toBe(422);
      expect((await details(tag))[0]).toMatchObject({ type: 'union_tag_invalid' });
      const luhn = await postJson(
        url,
        { payment_method: { method: 'card', number: '4111111111111112', expiration_date: '12/39' } },
        headers,
        'PUT',
      );
      expect(luhn.status).toBe(400);
      expect(await readJson(luhn)).toMatchObject({ type: 'error', code: 'bad_request', status: 400 });
    });

    it('answers 404 for an unknown session', async () => {
      const res = await storeCard(base, '6f1d3a2b-0c4e-4b8a-9d7f-1e2c3b4a5d6e', CARD_APPROVE);
      expect(res.status).toBe(404);
    });
  });

  describe('POST /transactions', () => {
    async function sessionWithCard(number: string): Promise<string> {
      const session = await createSession(base);
      const stored = await storeCard(base, String(session.id), number);
      expect(stored.status).toBe(204);
      return String(session.id);
    }

    it('captures an approved card: 201 capture_succeeded', async () => {
      const id = await sessionWithCard(CARD_APPROVE);
      const res = await postJson(`${base}/transactions`, transactionBody(id));
      expect(res.status).toBe(201);
      const tx = await readJson(res);
      expect(tx).toMatchObject({
        type: 'transaction',
        status: 'capture_succeeded',
        amount: 2598,
        currency: 'USD',
        external_identifier: 'order-1',
        intent: 'capture',
        checkout_session_id: id,
        error_code: null,
        captured_amount: 2598,
        payment_service: { type: 'payment-service', id: '6a1f2d7e-1b7c-4c1e-9a43-2f1d7b0c9e11' },
        payment_method: { method: 'card', scheme: 'visa', label: '1111' },
      });
      expect(tx.id).toMatch(UUID);
      expect(Date.parse(String(tx.created_at))).not.toBeNaN();
      expect(tx.updated_at).toBe(tx.created_at);

      const fetched = await fetch(`${base}/transactions/${String(tx.id)}`, { headers: gr4vyHeaders() });
      expect(fetched.status).toBe(200);
      expect(await readJson(fetched)).toEqual(tx);
    });

    it('authorizes with intent authorize', async () => {
      const id = await sessionWithCard(CARD_APPROVE);
      const tx = await readJson(
        await postJson(`${base}/transactions`, transactionBody(id, { intent: 'authorize' })),
      );
      expect(tx).toMatchObject({
        status: 'authorization_succeeded',
        authorized_amount: 2598,
        captured_amount: 0,
      });
    });

    it('declines 4000000000000002 and fails 4000000000009995', async () => {
      const declined = await readJson(
        await postJson(`${base}/transactions`, transactionBody(await sessionWithCard(CARD_DECLINE))),
      );
      expect(declined).toMatchObject({
        status: 'authorization_declined',
        error_code: expect.any(String),
        intent_outcome: 'failed',
      });
      expect(declined.error_code).not.toBeNull();
      const failed = await readJson(
        await postJson(`${base}/transactions`, transactionBody(await sessionWithCard(CARD_FAIL))),
      );
      expect(failed).toMatchObject({ status: 'authorization_failed', error_code: expect.any(String) });
    });

    it('answers 400 when the checkout session has no card', async () => {
      const session = await createSession(base);
      const res = await postJson(`${base}/transactions`, transactionBody(String(session.id)));
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ type: 'error', code: 'bad_request', status: 400 });
    });

    it('validates TransactionCreate (422)', async () => {
      const res = await postJson(`${base}/transactions`, {
        amount: 10,
        currency: 'USD',
        intent: 'sale',
        surprise: true,
      });
      expect(res.status).toBe(422);
      const locs = (await details(res)).map((d) => d.loc.join('.'));
      expect(locs).toEqual(expect.arrayContaining(['body.intent', 'body.surprise']));
      const missing = await postJson(`${base}/transactions`, { currency: 'USD' });
      expect((await details(missing))[0]).toMatchObject({ loc: ['body', 'amount'], type: 'missing' });
    });

    it('replays an idempotent request: two POSTs with one key make one transaction', async () => {
      const id = await sessionWithCard(CARD_APPROVE);
      const headers = gr4vyHeaders('t', { 'idempotency-key': 'idem-1' });
      const first = await postJson(`${base}/transactions`, transactionBody(id), headers);
      const second = await postJson(`${base}/transactions`, transactionBody(id), headers);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      const a = await readJson(first);
      const b = await readJson(second);
      expect(b).toEqual(a);
      expect(second.headers.get('x-sandbox-idempotent-replayed')).toBe('true');
      const recorded = sandbox.findRequests({ path: '/transactions' });
      expect(recorded.map((r) => r.outcome.replayed)).toEqual([false, true]);

      const other = await postJson(
        `${base}/transactions`,
        transactionBody(id),
        gr4vyHeaders('t', { 'idempotency-key': 'idem-2' }),
      );
      expect((await readJson(other)).id).not.toBe(a.id);
    });

    it('answers 409 when an idempotency key is reused with a different body', async () => {
      const id = await sessionWithCard(CARD_APPROVE);
      const headers = gr4vyHeaders('t', { 'idempotency-key': 'idem-x' });
      const first = await readJson(await postJson(`${base}/transactions`, transactionBody(id), headers));
      const res = await postJson(`${base}/transactions`, transactionBody(id, { amount: 1 }), headers);
      expect(res.status).toBe(409);
      expect(await readJson(res)).toMatchObject({
        type: 'error',
        status: 409,
        code: 'duplicate_record',
        resource_id: first.id,
      });
    });

    it('scopes idempotency keys per merchant account', async () => {
      const id = await sessionWithCard(CARD_APPROVE);
      const a = await readJson(
        await postJson(
          `${base}/transactions`,
          transactionBody(id),
          gr4vyHeaders('t', { 'idempotency-key': 'k', 'x-gr4vy-merchant-account-id': 'a' }),
        ),
      );
      const b = await readJson(
        await postJson(
          `${base}/transactions`,
          transactionBody(id),
          gr4vyHeaders('t', { 'idempotency-key': 'k', 'x-gr4vy-merchant-account-id': 'b' }),
        ),
      );
      expect(a.id).not.toBe(b.id);
      expect(b.merchant_account_id).toBe('b');
    });
  });

  describe('GET /transactions', () => {
    async function paidOn(sessionId: string, account = 'default'): Promise<JsonObject> {
      await storeCard(base, sessionId, CARD_APPROVE);
      const res = await postJson(
        `${base}/transactions`,
        transactionBody(sessionId),
        gr4vyHeaders('t', { 'x-gr4vy-merchant-account-id': account }),
      );
      expect(res.status).toBe(201);
      return readJson(res);
    }
    const list = (query: string, account = 'default') =>
      fetch(`${base}/transactions?${query}`, {
        headers: gr4vyHeaders('t', { 'x-gr4vy-merchant-account-id': account }),
      });

    it('lists the transactions of one checkout session as TransactionSummaries', async () => {
      const session = await createSession(base);
      const other = await createSession(base);
      const paid = await paidOn(String(session.id));
      await paidOn(String(other.id));

      const res = await list(`checkout_session_id=${String(session.id)}`);
      expect(res.status).toBe(200);
      const body = await readJson(res);
      expect(body).toMatchObject({ limit: 20, next_cursor: null, previous_cursor: null });
      const items = body.items as JsonObject[];
      expect(items.map((t) => t.id)).toEqual([paid.id]);
      expect(items[0]).toMatchObject({
        type: 'transaction',
        status: 'capture_succeeded',
        checkout_session_id: session.id,
      });
      // A summary, not the whole transaction.
      expect(items[0]).not.toHaveProperty('intent_outcome');
      expect(items[0]).not.toHaveProperty('metadata');
    });

    it('shows a merchant account its own transactions only', async () => {
      const session = await createSession(base);
      await paidOn(String(session.id), 'au');
      expect(
        ((await readJson(await list(`checkout_session_id=${String(session.id)}`, 'us'))).items as unknown[])
          .length,
      ).toBe(0);
      expect(
        ((await readJson(await list(`checkout_session_id=${String(session.id)}`, 'au'))).items as unknown[])
          .length,
      ).toBe(1);
    });

    it('pages with limit and an opaque cursor, most recently updated first', async () => {
      const ids: unknown[] = [];
      for (let i = 0; i < 3; i++) ids.push((await paidOn(String((await createSession(base)).id))).id);
      const first = await readJson(await list('limit=2'));
      expect((first.items as JsonObject[]).length).toBe(2);
      expect(typeof first.next_cursor).toBe('string');
      const second = await readJson(await list(`limit=2&cursor=${String(first.next_cursor)}`));
      expect(second.next_cursor).toBeNull();
      const seen = [...(first.items as JsonObject[]), ...(second.items as JsonObject[])].map((t) => t.id);
      expect([...seen].sort()).toEqual([...ids].sort());
    });

    it('validates the query as FastAPI does (422), and refuses a cursor it did not hand out (400)', async () => {
      const badUuid = await list('checkout_session_id=nope');
      expect(badUuid.status).toBe(422);
      expect((await details(badUuid))[0]).toMatchObject({
        type: 'uuid_parsing',
        loc: ['query', 'checkout_session_id'],
      });
      const tooMany = await list('limit=101');
      expect(tooMany.status).toBe(422);
      expect((await details(tooMany))[0]).toMatchObject({ type: 'less_than_equal', loc: ['query', 'limit'] });
      expect((await details(await list('limit=ten')))[0].type).toBe('int_parsing');
      expect((await list('cursor=forged')).status).toBe(400);
    });
  });

  it('answers unknown Gr4vy paths with Error404', async () => {
    const res = await fetch(`${base}/nope`, { headers: gr4vyHeaders() });
    expect(res.status).toBe(404);
    expect(await readJson(res)).toMatchObject({ type: 'error', code: 'not_found', status: 404 });
  });
});
