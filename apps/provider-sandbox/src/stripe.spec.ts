import { startSandbox, type RunningSandbox } from './sandbox';
import { formBody, readJson, stripeHeaders, stripeSessionParams, type JsonObject } from './test/helpers';

describe('Stripe simulator', () => {
  let sandbox: RunningSandbox;
  let endpoint: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    endpoint = `${sandbox.url}/v1/checkout/sessions`;
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const create = (params: Record<string, string>, headers: Record<string, string> = stripeHeaders()) =>
    fetch(endpoint, { method: 'POST', headers, body: formBody(params) });

  async function expectError(res: Response, status: number, param?: string): Promise<JsonObject> {
    expect(res.status).toBe(status);
    const body = await readJson(res);
    const error = body.error as JsonObject;
    expect(error.type).toBe('invalid_request_error');
    expect(typeof error.message).toBe('string');
    if (param !== undefined) expect(error.param).toBe(param);
    return error;
  }

  it('creates a Checkout Session from form-encoded params (200)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await create(stripeSessionParams());
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const session = await readJson(res);
    expect(session).toMatchObject({
      object: 'checkout.session',
      amount_total: 2 * 1299 + 500,
      currency: 'usd',
      client_reference_id: 'order-42',
      customer_email: 'ada@example.com',
      metadata: { sessionId: 'abc-123' },
      mode: 'payment',
      payment_status: 'unpaid',
      status: 'open',
      success_url: 'https://shop.example/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.example/cancel',
      livemode: false,
    });
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]+$/);
    expect(session.url).toBe(`${sandbox.url}/stripe/pay/${String(session.id)}`);
    expect(session.created).toBeGreaterThanOrEqual(now);
    expect(session.expires_at).toBe(Number(session.created) + 24 * 3600);
  });

  it('honours expires_at within 30 minutes..24 hours', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = await create(stripeSessionParams({ expires_at: String(now + 3600) }));
    expect((await readJson(ok)).expires_at).toBe(now + 3600);
    await expectError(await create(stripeSessionParams({ expires_at: String(now + 60) })), 400, 'expires_at');
    await expectError(
      await create(stripeSessionParams({ expires_at: String(now + 25 * 3600) })),
      400,
      'expires_at',
    );
    await expectError(await create(stripeSessionParams({ expires_at: 'soon' })), 400, 'expires_at');
  });

  it('retrieves a session with GET /v1/checkout/sessions/:id (same account only)', async () => {
    const created = await readJson(await create(stripeSessionParams()));
    const got = await fetch(`${endpoint}/${String(created.id)}`, { headers: stripeHeaders() });
    expect(got.status).toBe(200);
    expect(await readJson(got)).toEqual(created);
    const other = await fetch(`${endpoint}/${String(created.id)}`, {
      headers: stripeHeaders('sk_test_other'),
    });
    const error = await expectError(other, 404, 'session');
    expect(error.code).toBe('resource_missing');
  });

  it('requires a secret key (401)', async () => {
    const none = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(stripeSessionParams()),
    });
    await expectError(none, 401);
    await expectError(await create(stripeSessionParams(), stripeHeaders('pk_test_public')), 401);
    const basic = await create(stripeSessionParams(), {
      authorization: `Basic ${Buffer.from('sk_test_basic:').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(basic.status).toBe(200);
  });

  it('requires success_url (400 parameter_missing)', async () => {
    const params = stripeSessionParams();
    delete params.success_url;
    const error = await expectError(await create(params), 400, 'success_url');
    expect(error.code).toBe('parameter_missing');
  });

  it.each([
    ['mode setup', { mode: 'setup' }, 'mode'],
    ['mode missing', { mode: '' }, 'mode'],
    [
      'uppercase currency',
      { 'line_items[0][price_data][currency]': 'USD' },
      'line_items[0][price_data][currency]',
    ],
    [
      'mixed currencies',
      { 'line_items[1][price_data][currency]': 'eur' },
      'line_items[1][price_data][currency]',
    ],
    ['quantity 0', { 'line_items[0][quantity]': '0' }, 'line_items[0][quantity]'],
    ['fractional quantity', { 'line_items[0][quantity]': '1.5' }, 'line_items[0][quantity]'],
    [
      'negative unit_amount',
      { 'line_items[0][price_data][unit_amount]': '-1' },
      'line_items[0][price_data][unit_amount]',
    ],
    [
      'empty product name',
      { 'line_items[0][price_data][product_data][name]': '' },
      'line_items[0][price_data][product_data][name]',
    ],
    ['unknown parameter', { colour: 'red' }, 'colour'],
    ['unknown line item parameter', { 'line_items[0][colour]': 'red' }, 'line_items[0][colour]'],
    ['invalid success_url', { success_url: 'not a url' }, 'success_url'],
    ['invalid email', { customer_email: 'nope' }, 'customer_email'],
  ])('rejects %s (400 with param)', async (_name, overrides, param) => {
    await expectError(await create(stripeSessionParams(overrides)), 400, param);
  });

  it('needs at least one line item', async () => {
    const res = await create({ mode: 'payment', success_url: 'https://shop.example/ok' });
    await expectError(res, 400, 'line_items');
  });

  it('rejects JSON bodies', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'payment' }),
    });
    await expectError(res, 400);
  });

  it('replays an idempotent request (Idempotent-Replayed: true), one session stored', async () => {
    const headers = stripeHeaders('sk_test_sandbox', { 'idempotency-key': 'order-42-attempt-1' });
    const first = await create(stripeSessionParams(), headers);
    const second = await create(stripeSessionParams(), headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const a = await readJson(first);
    expect(await readJson(second)).toEqual(a);
    // another account may use the same key independently
    const other = await create(
      stripeSessionParams(),
      stripeHeaders('sk_test_other', { 'idempotency-key': 'order-42-attempt-1' }),
    );
    expect((await readJson(other)).id).not.toBe(a.id);
  });

  it('rejects an idempotency key reused with different params (400 idempotency_error)', async () => {
    const headers = stripeHeaders('sk_test_sandbox', { 'idempotency-key': 'k-1' });
    expect((await create(stripeSessionParams(), headers)).status).toBe(200);
    const res = await create(stripeSessionParams({ client_reference_id: 'order-43' }), headers);
    expect(res.status).toBe(400);
    expect(((await readJson(res)).error as JsonObject).type).toBe('idempotency_error');
  });

  it('does not remember failed requests under an idempotency key', async () => {
    const headers = stripeHeaders('sk_test_sandbox', { 'idempotency-key': 'k-2' });
    const params = stripeSessionParams();
    delete params.success_url;
    expect((await create(params, headers)).status).toBe(400);
    expect((await create(stripeSessionParams(), headers)).status).toBe(200);
  });

  it('serves a pay page that completes the session and redirects to success_url', async () => {
    const session = await readJson(await create(stripeSessionParams()));
    const page = await fetch(String(session.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('T-shirt');

    const paid = await fetch(String(session.url), { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(
      `https://shop.example/success?session_id=${String(session.id)}`,
    );
    const after = await readJson(
      await fetch(`${endpoint}/${String(session.id)}`, { headers: stripeHeaders() }),
    );
    expect(after).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
  });

  it('answers unknown /v1 paths in Stripe error shape', async () => {
    const res = await fetch(`${sandbox.url}/v1/charges`, { headers: stripeHeaders() });
    await expectError(res, 404);
  });
});
