import { FaultRegistry, FaultRuleError, parseFaultRule, type FaultTarget } from './faults';
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
  validSessionBody,
} from './test/helpers';

const PS_A = '11111111-1111-4111-8111-111111111111';
const PS_B = '22222222-2222-4222-8222-222222222222';

function target(overrides: Partial<FaultTarget> = {}): FaultTarget {
  return {
    provider: 'gr4vy',
    method: 'POST',
    path: '/checkout/sessions',
    route: '/checkout/sessions',
    paymentServiceId: () => undefined,
    stripeAccounts: () => [],
    ...overrides,
  };
}

describe('parseFaultRule', () => {
  it('accepts well-formed rules', () => {
    expect(parseFaultRule({ mode: 'status', status: 503, remaining: 1, provider: 'gr4vy' })).toEqual({
      mode: 'status',
      status: 503,
      remaining: 1,
      provider: 'gr4vy',
    });
    expect(parseFaultRule({ mode: 'latency', latencyMs: 50, method: 'post' }).method).toBe('POST');
  });

  it.each([
    [{ mode: 'explode' }, /mode/],
    [{ mode: 'status' }, /status is required/],
    [{ mode: 'status', status: 200 }, /status/],
    [{ mode: 'latency' }, /latencyMs is required/],
    [{ mode: 'timeout', remaining: 0 }, /remaining/],
    [{ mode: 'reset', provider: 'adyen' }, /provider/],
    [{ mode: 'reset', path: 'checkout' }, /path/],
    [{ mode: 'reset', colour: 'red' }, /colour/],
    [{ mode: 'reset', provider: 'stripe', paymentServiceId: PS_A }, /paymentServiceId/],
    ['nope', /object/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseFaultRule(raw)).toThrow(FaultRuleError);
    expect(() => parseFaultRule(raw)).toThrow(message);
  });
});

describe('FaultRegistry.match', () => {
  it('adds latency rules up and stops at the first terminal rule, consuming remaining', () => {
    const registry = new FaultRegistry();
    registry.add([
      { mode: 'latency', latencyMs: 10 },
      { mode: 'latency', latencyMs: 5, provider: 'stripe' },
      { mode: 'status', status: 500, remaining: 1 },
      { mode: 'reset' },
    ]);
    const first = registry.match(target());
    expect(first?.delayMs).toBe(10);
    expect(first?.terminal?.status).toBe(500);
    expect(registry.size).toBe(3);
    expect(registry.match(target())?.terminal?.mode).toBe('reset');
    expect(registry.match(target({ provider: 'stripe' }))?.delayMs).toBe(15);
  });

  it('matches path by exact path or route pattern, and method', () => {
    const registry = new FaultRegistry();
    registry.add({ mode: 'reset', path: '/checkout/sessions/:session_id', method: 'GET' });
    const get = target({
      method: 'GET',
      path: '/checkout/sessions/abc',
      route: '/checkout/sessions/:session_id',
    });
    expect(registry.match(get)?.terminal).not.toBeNull();
    expect(registry.match({ ...get, method: 'PUT' })).toBeNull();
    expect(registry.match(target())).toBeNull();
  });
});

describe('fault and latency injection over HTTP', () => {
  let sandbox: RunningSandbox;
  let base: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const createGr4vy = (body = validSessionBody()) => postJson(`${base}/checkout/sessions`, body);

  it('answers 503 once (Gr4vy error shape, Retry-After), then normally', async () => {
    const added = await postJson(
      `${base}/__sandbox/faults`,
      { provider: 'gr4vy', path: '/checkout/sessions', mode: 'status', status: 503, remaining: 1 },
      { 'content-type': 'application/json' },
    );
    expect(added.status).toBe(201);
    const failed = await createGr4vy();
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(await readJson(failed)).toMatchObject({
      type: 'error',
      status: 503,
      code: expect.any(String),
      details: [],
    });
    expect((await createGr4vy()).status).toBe(201);
    expect(await readJson(await fetch(`${base}/__sandbox/faults`))).toEqual([]);
  });

  it('answers a Stripe-shaped 429 with Retry-After', async () => {
    sandbox.faults.add({ provider: 'stripe', mode: 'status', status: 429, retryAfterSeconds: 7 });
    const res = await fetch(`${base}/v1/checkout/sessions`, {
      method: 'POST',
      headers: stripeHeaders(),
      body: formBody(stripeSessionParams()),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await readJson(res)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'rate_limit' },
    });
  });

  it('does not touch requests the rule does not match', async () => {
    sandbox.faults.add({ provider: 'stripe', mode: 'status', status: 500 });
    expect((await createGr4vy()).status).toBe(201);
    sandbox.faults.clear();
    sandbox.faults.add({ path: '/transactions', mode: 'status', status: 500 });
    expect((await createGr4vy()).status).toBe(201);
  });

  it('matches paymentServiceId on the body, and on the checkout session for transactions', async () => {
    sandbox.faults.add({ paymentServiceId: PS_A, mode: 'status', status: 502 });
    expect((await createGr4vy(validSessionBody({ payment_service_id: PS_B }))).status).toBe(201);
    expect((await createGr4vy(validSessionBody({ payment_service_id: PS_A }))).status).toBe(502);

    sandbox.faults.clear();
    const session = await createSession(base, { payment_service_id: PS_A });
    await storeCard(base, String(session.id), CARD_APPROVE);
    sandbox.faults.add({ paymentServiceId: PS_A, path: '/transactions', mode: 'status', status: 500 });
    expect((await postJson(`${base}/transactions`, transactionBody(String(session.id)))).status).toBe(500);
    const other = await createSession(base, { payment_service_id: PS_B });
    await storeCard(base, String(other.id), CARD_APPROVE);
    expect((await postJson(`${base}/transactions`, transactionBody(String(other.id)))).status).toBe(201);
  });

  it('matches stripeAccount on the secret key', async () => {
    sandbox.faults.add({ stripeAccount: 'sk_test_flaky', mode: 'status', status: 500 });
    const send = (key: string) =>
      fetch(`${base}/v1/checkout/sessions`, {
        method: 'POST',
        headers: stripeHeaders(key),
        body: formBody(stripeSessionParams()),
      });
    const flaky = await send('sk_test_flaky');
    expect(flaky.status).toBe(500);
    expect(await readJson(flaky)).toMatchObject({ error: { type: 'api_error' } });
    expect((await send('sk_test_fine')).status).toBe(200);
  });

  it('adds latency from a latency rule', async () => {
    sandbox.faults.add({ mode: 'latency', latencyMs: 150, remaining: 1 });
    expect((await createGr4vy()).status).toBe(201);
    expect((await createGr4vy()).status).toBe(201);
    const [delayed, plain] = sandbox.findRequests({ path: '/checkout/sessions' });
    expect(delayed.outcome.fault).toBe('latency');
    expect(plain.outcome.fault).toBeNull();
  });

  it('resets the connection for mode reset', async () => {
    sandbox.faults.add({ path: '/checkout/sessions', mode: 'reset', remaining: 1 });
    await expect(createGr4vy()).rejects.toThrow();
    expect((await createGr4vy()).status).toBe(201);
    expect(sandbox.findRequests({ path: '/checkout/sessions' })[0].outcome).toMatchObject({
      fault: 'reset',
      status: null,
    });
  });

  it('holds the request for mode timeout until the client gives up', async () => {
    sandbox.faults.add({ path: '/checkout/sessions', mode: 'timeout', remaining: 1 });
    await expect(
      fetch(`${base}/checkout/sessions`, {
        method: 'POST',
        headers: gr4vyHeaders(),
        body: JSON.stringify(validSessionBody()),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect((await createGr4vy()).status).toBe(201);
    const [held, next] = sandbox.findRequests({ path: '/checkout/sessions' });
    expect(held.outcome).toMatchObject({ fault: 'timeout', status: null, aborted: true });
    expect(next.outcome).toMatchObject({ fault: null, status: 201, aborted: false });
  });
});

/** 'resolved' or 'rejected' (errors from fetch come from another realm than jest's Error). */
function settle(promise: Promise<unknown>): Promise<'resolved' | 'rejected'> {
  return promise.then(
    () => 'resolved',
    () => 'rejected',
  );
}

describe('close() with held and delayed requests', () => {
  it('returns promptly while a timeout fault holds a request open', async () => {
    const sandbox = await startSandbox({ port: 0, logLevel: 'silent', faults: [{ mode: 'timeout' }] });
    try {
      const aborted = await settle(
        fetch(`${sandbox.url}/checkout/sessions`, {
          method: 'POST',
          headers: gr4vyHeaders(),
          body: '{}',
          signal: AbortSignal.timeout(200),
        }),
      );
      expect(aborted).toBe('rejected');
      // a second request that is still held when close() is called
      const stillHeld = settle(
        fetch(`${sandbox.url}/checkout/sessions`, { method: 'POST', headers: gr4vyHeaders(), body: '{}' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sandbox.close();
      expect(await stillHeld).toBe('rejected');
    } finally {
      await sandbox.close();
    }
  });

  it('returns promptly while a request waits on injected latency', async () => {
    const sandbox = await startSandbox({ port: 0, logLevel: 'silent', latencyMs: 60_000 });
    try {
      const pending = settle(
        fetch(`${sandbox.url}/checkout/sessions`, { method: 'POST', headers: gr4vyHeaders(), body: '{}' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sandbox.close();
      expect(await pending).toBe('rejected');
    } finally {
      await sandbox.close();
    }
  });

  it('applies the global latency to every provider request but not to the admin API', async () => {
    const sandbox = await startSandbox({ port: 0, logLevel: 'silent', latencyMs: 120 });
    try {
      expect((await fetch(`${sandbox.url}/__sandbox/health`)).status).toBe(200);
      expect((await postJson(`${sandbox.url}/checkout/sessions`, {})).status).toBe(201);
      // Only provider requests are recorded (and delayed); the admin call is not among them.
      expect(sandbox.requests.map((r) => r.path)).toEqual(['/checkout/sessions']);
    } finally {
      await sandbox.close();
    }
  });
});
