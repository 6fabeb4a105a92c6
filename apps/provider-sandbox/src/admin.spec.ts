import { startSandbox, type RunningSandbox } from './sandbox';
import { RequestLog } from './store';
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
  validSessionBody,
  type JsonObject,
} from './test/helpers';
import type { RecordedRequest } from './types';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('RequestLog', () => {
  it('keeps only the most recent entries, oldest first', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++) {
      log.push({
        id: log.nextId(),
        provider: 'gr4vy',
        method: 'GET',
        path: `/p${i}`,
        query: {},
        headers: {},
        body: null,
        receivedAt: '',
        outcome: { status: 200, fault: null, faultId: null, replayed: false, aborted: false },
      });
    }
    expect(log.list().map((r) => r.path)).toEqual(['/p2', '/p3', '/p4']);
    expect(log.list({ path: '/p3' })).toHaveLength(1);
    log.clear();
    expect(log.list()).toEqual([]);
  });
});

describe('admin API', () => {
  let sandbox: RunningSandbox;
  let base: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const getRequests = async (query = ''): Promise<RecordedRequest[]> =>
    (await (await fetch(`${base}/__sandbox/requests${query}`)).json()) as RecordedRequest[];

  it('reports health', async () => {
    const res = await fetch(`${base}/__sandbox/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('records provider requests with redacted authorization and their outcome', async () => {
    await postJson(`${base}/checkout/sessions`, validSessionBody(), gr4vyHeaders('secret-token'));
    await postJson(`${base}/checkout/sessions`, { nope: 1 }, gr4vyHeaders('secret-token'));
    await fetch(`${base}/v1/checkout/sessions`, {
      method: 'POST',
      headers: stripeHeaders('sk_test_secret'),
      body: formBody(stripeSessionParams()),
    });
    await fetch(`${base}/__sandbox/health`);

    const all = await getRequests();
    expect(all).toHaveLength(3);
    const [created, rejected, stripe] = all;
    expect(created).toMatchObject({
      provider: 'gr4vy',
      method: 'POST',
      path: '/checkout/sessions',
      body: validSessionBody(),
      outcome: { status: 201, fault: null, replayed: false },
    });
    expect(created.headers.authorization).toBe('Bearer [REDACTED]');
    expect(JSON.stringify(all)).not.toContain('secret-token');
    expect(JSON.stringify(all)).not.toContain('sk_test_secret');
    expect(Date.parse(created.receivedAt)).not.toBeNaN();
    expect(rejected.outcome.status).toBe(422);
    expect(stripe).toMatchObject({
      provider: 'stripe',
      path: '/v1/checkout/sessions',
      body: { mode: 'payment', line_items: [expect.objectContaining({ quantity: '2' }), expect.anything()] },
      outcome: { status: 200 },
    });

    expect(await getRequests('?path=/v1/checkout/sessions')).toHaveLength(1);
    expect(await getRequests('?provider=gr4vy')).toHaveLength(2);
    expect(await getRequests('?limit=1')).toEqual([stripe]);
    expect(sandbox.requests).toHaveLength(3);
  });

  it('records requests that fail before the handler (bad JSON)', async () => {
    await fetch(`${base}/checkout/sessions`, { method: 'POST', headers: gr4vyHeaders(), body: '{' });
    const [entry] = await getRequests();
    expect(entry).toMatchObject({ path: '/checkout/sessions', outcome: { status: 422 } });
  });

  it('masks card numbers and security codes in recorded bodies', async () => {
    const session = await createSession(base);
    await storeCard(base, String(session.id), CARD_APPROVE);
    const [entry] = await getRequests(`?path=/checkout/sessions/${String(session.id)}/fields`);
    const pm = (entry.body as JsonObject).payment_method as JsonObject;
    expect(pm.number).toBe('411111******1111');
    expect(pm.security_code).toBe('***');
    expect(JSON.stringify(await getRequests())).not.toContain(CARD_APPROVE);
  });

  it('masks a card number sent as a JSON number too (rejected with 422, still not recorded)', async () => {
    const session = await createSession(base);
    const res = await postJson(
      `${base}/checkout/sessions/${String(session.id)}/fields`,
      {
        payment_method: {
          method: 'card',
          number: 4111111111111111,
          expiration_date: '12/39',
          security_code: 737,
        },
      },
      JSON_HEADERS,
      'PUT',
    );
    expect(res.status).toBe(422);
    const [entry] = await getRequests(`?path=/checkout/sessions/${String(session.id)}/fields`);
    expect((entry.body as JsonObject).payment_method).toMatchObject({
      number: '[REDACTED]',
      security_code: '***',
    });
    const recorded = JSON.stringify(await getRequests());
    expect(recorded).not.toContain(CARD_APPROVE);
    expect(recorded).not.toMatch(/"security_code":"?737/);
  });

  it('clears recorded requests with DELETE', async () => {
    await postJson(`${base}/checkout/sessions`, {});
    expect((await fetch(`${base}/__sandbox/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(await getRequests()).toEqual([]);
  });

  it('appends, lists and clears fault rules', async () => {
    const one = await postJson(
      `${base}/__sandbox/faults`,
      { mode: 'status', status: 500, path: '/transactions' },
      JSON_HEADERS,
    );
    expect(one.status).toBe(201);
    const two = await postJson(
      `${base}/__sandbox/faults`,
      [
        { mode: 'latency', latencyMs: 5 },
        { mode: 'reset', provider: 'stripe', remaining: 2 },
      ],
      JSON_HEADERS,
    );
    expect(two.status).toBe(201);
    const listed = (await (await fetch(`${base}/__sandbox/faults`)).json()) as JsonObject[];
    expect(listed.map((r) => r.mode)).toEqual(['status', 'latency', 'reset']);
    expect(listed[2]).toMatchObject({ provider: 'stripe', remaining: 2, id: expect.any(String), applied: 0 });

    expect(
      (await fetch(`${base}/__sandbox/faults/${String(listed[0].id)}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect(
      (await fetch(`${base}/__sandbox/faults/${String(listed[0].id)}`, { method: 'DELETE' })).status,
    ).toBe(404);
    expect(sandbox.faults.list()).toHaveLength(2);
    expect((await fetch(`${base}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('rejects an invalid fault rule with 400 naming the field', async () => {
    const res = await postJson(`${base}/__sandbox/faults`, { mode: 'status' }, JSON_HEADERS);
    expect(res.status).toBe(400);
    expect(String((await readJson(res)).error)).toMatch(/status/);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('resets faults, requests and stored sessions', async () => {
    const session = await createSession(base);
    sandbox.faults.add({ mode: 'latency', latencyMs: 1, path: '/nowhere' });
    expect((await fetch(`${base}/__sandbox/reset`, { method: 'POST' })).status).toBe(204);
    expect(sandbox.faults.list()).toEqual([]);
    expect(await getRequests()).toEqual([]);
    const res = await fetch(`${base}/checkout/sessions/${String(session.id)}`, { headers: gr4vyHeaders() });
    expect(res.status).toBe(404);
  });

  it('changes the global latency at run time', async () => {
    const res = await postJson(`${base}/__sandbox/latency`, { latencyMs: 100 }, JSON_HEADERS, 'PUT');
    expect(res.status).toBe(200);
    try {
      await postJson(`${base}/checkout/sessions`, {});
      expect(await readJson(await fetch(`${base}/__sandbox/config`))).toMatchObject({
        latencyMs: 100,
        gr4vyAuth: 'bearer-present',
      });
    } finally {
      sandbox.setLatency(0);
    }
    expect((await postJson(`${base}/__sandbox/latency`, { latencyMs: -1 }, JSON_HEADERS, 'PUT')).status).toBe(
      400,
    );
  });
});
