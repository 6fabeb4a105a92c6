import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { ApiProcess } from './support/api-process';
import { closeDb, db, sessionRows } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, requiredEnv, sandboxAdmin, startHarness, processEnv } from './support/harness';
import { merchantToken } from './support/tokens';

type Body = Record<string, unknown>;

describe('idempotency: exactly-once session creation', () => {
  let h: Harness;
  let redis: Redis;
  let merchant: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness();
    redis = new Redis(requiredEnv('REDIS_URL'));
  });
  afterAll(async () => {
    await h.close();
    redis.disconnect();
    await closeDb();
  });
  beforeEach(async () => {
    merchant = `merchant_${randomUUID()}`;
    token = await merchantToken(merchant);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
  });

  const post = (body: Body | string, key: string, url = h.url, auth = token) =>
    request(url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${auth}`)
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  const providerCalls = async (orderReference: string) =>
    (await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).filter(
      (r) => (r.body.metadata as Record<string, string> | undefined)?.orderReference === orderReference,
    ).length;

  it('storm: 50 identical concurrent requests make one provider call and one row; each answer is 409 or the same 201', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 300 });
    const body = sessionBody();
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(body, key)));
    const created = responses.filter((r) => r.status === 201);
    const conflicts = responses.filter((r) => r.status === 409);
    expect(created.length + conflicts.length).toBe(50);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => JSON.stringify(r.body))).size).toBe(1);
    for (const conflict of conflicts) {
      expect(conflict.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(Number(conflict.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(await providerCalls(body.orderReference as string)).toBe(1);
    expect(await sessionRows(merchant)).toHaveLength(1);
    const after = await post(body, key);
    expect(after.status).toBe(201);
    expect(after.body).toEqual(created[0].body);
  });

  it('mismatch: the same key with another body is a 422', async () => {
    const key = randomUUID();
    expect((await post(sessionBody(), key)).status).toBe(201);
    const res = await post(sessionBody(), key);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
  });

  it('key order: the same body with its keys reordered replays', async () => {
    const body = sessionBody();
    const key = randomUUID();
    const first = await post(body, key);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await post(reordered, key);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
  });

  it('accepts the structured-field quoted key as the same key', async () => {
    const body = sessionBody();
    const key = `k-${randomUUID()}`;
    const first = await post(body, key);
    const quoted = await post(body, `"${key}"`);
    expect(quoted.headers['idempotent-replayed']).toBe('true');
    expect(quoted.body).toEqual(first.body);
  });

  it('scoping: two merchants using the same key get two sessions', async () => {
    const key = randomUUID();
    const other = `merchant_${randomUUID()}`;
    const a = await post(sessionBody(), key);
    const b = await post(sessionBody(), key, h.url, await merchantToken(other));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.sessionId).not.toBe(b.body.sessionId);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
  });

  it('never claims a 400: a corrected retry with the same key runs', async () => {
    const key = randomUUID();
    const bad = await post(sessionBody({ amount: { total: 1, shipping: 0, tax: 0 } }), key);
    expect(bad.status).toBe(400);
    expect((await post(sessionBody(), key)).status).toBe(201);
  });

  it('lost Redis record: after a flush, a retry is answered from Postgres and makes no second session', async () => {
    const body = sessionBody();
    const key = randomUUID();
    const first = await post(body, key);
    expect(first.status).toBe(201);
    await redis.flushall();
    const retry = await post(body, key);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await providerCalls(body.orderReference as string)).toBe(1);
    await redis.flushall();
    const mismatch = await post(sessionBody(), key);
    expect(mismatch.status).toBe(422);
    expect(await sessionRows(merchant)).toHaveLength(1);
  });

  it('a claim lost while the first request still runs does not lead to a second session', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      mode: 'latency',
      latencyMs: 500,
      remaining: 1,
    });
    const body = sessionBody();
    const key = randomUUID();
    const first = post(body, key).then((r) => r);
    await new Promise((r) => setTimeout(r, 150));
    await redis.flushall();
    const second = await post(body, key);
    const firstRes = await first;
    expect(firstRes.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.sessionId).toBe(firstRes.body.sessionId);
    expect(await sessionRows(merchant)).toHaveLength(1);
  });

  describe('duplicate order', () => {
    it('refuses a second live session for the same order with 409 naming the existing session, and replays that 409', async () => {
      const orderReference = `ORD-${randomUUID()}`;
      const first = await post(sessionBody({ orderReference }), randomUUID());
      const key = randomUUID();
      const second = await post(sessionBody({ orderReference }), key);
      expect(second.status).toBe(409);
      expect(second.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: 'The request conflicts with the current state of the resource',
        code: 'DUPLICATE_ORDER',
        details: { reason: 'A live session already exists for this order', sessionId: first.body.sessionId },
      });
      const replay = await post(sessionBody({ orderReference }), key);
      expect(replay.status).toBe(409);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(await providerCalls(orderReference)).toBe(1);
    });

    it('lets an expired session’s order get a new session, and marks the old one EXPIRED', async () => {
      const orderReference = `ORD-${randomUUID()}`;
      const first = await post(sessionBody({ orderReference }), randomUUID());
      await db().query(
        `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [first.body.sessionId],
      );
      const second = await post(sessionBody({ orderReference }), randomUUID());
      expect(second.status).toBe(201);
      const rows = await sessionRows(merchant);
      expect(rows.find((r) => r.id === first.body.sessionId)?.status).toBe('EXPIRED');
      expect(rows.find((r) => r.id === second.body.sessionId)?.status).toBe('PENDING');
    });

    it('holds under a race: concurrent creates for one order under different keys make one session', async () => {
      await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 200 });
      const orderReference = `ORD-${randomUUID()}`;
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => post(sessionBody({ orderReference }), randomUUID())),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'DUPLICATE_ORDER')).toBe(
        true,
      );
      expect((await sessionRows(merchant)).filter((r) => r.status === 'PENDING')).toHaveLength(1);
    });
  });

  describe('across processes', () => {
    it('two instances on the same Redis and Postgres, hit concurrently with one key, make one provider call', async () => {
      const [a, b] = await Promise.all([ApiProcess.start(processEnv(h)), ApiProcess.start(processEnv(h))]);
      try {
        await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 200 });
        const body = sessionBody();
        const key = randomUUID();
        const responses = await Promise.all(
          Array.from({ length: 20 }, (_, i) => post(body, key, i % 2 === 0 ? a.url : b.url)),
        );
        const created = responses.filter((r) => r.status === 201);
        expect(created.length + responses.filter((r) => r.status === 409).length).toBe(20);
        expect(new Set(created.map((r) => r.body.sessionId)).size).toBe(1);
        expect(await providerCalls(body.orderReference as string)).toBe(1);
        expect(await sessionRows(merchant)).toHaveLength(1);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });

    it('crash: a claim left by a dead process lapses with its lease, then a retry succeeds exactly once', async () => {
      const crashing = await ApiProcess.start(
        processEnv(h, {
          ROUTING_DEADLINE_MS: '1000',
          PROVIDER_TIMEOUT_MS: '900',
          IDEMPOTENCY_LEASE_MS: '2500',
        }),
      );
      const body = sessionBody();
      const key = randomUUID();
      await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'timeout', remaining: 1 });
      const doomed = post(body, key, crashing.url).then(
        (r) => r.status,
        () => 'connection lost',
      );
      for (let i = 0; i < 50 && (await providerCalls(body.orderReference as string)) === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await crashing.kill();
      expect(await doomed).toBe('connection lost');

      const whileLeased = await post(body, key);
      expect(whileLeased.status).toBe(409);
      expect(whileLeased.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(await sessionRows(merchant)).toHaveLength(0);

      let retry = whileLeased;
      for (let i = 0; i < 40 && retry.status === 409; i++) {
        await new Promise((r) => setTimeout(r, 200));
        retry = await post(body, key);
      }
      expect(retry.status).toBe(201);
      const again = await post(body, key);
      expect(again.body).toEqual(retry.body);
      expect(await sessionRows(merchant)).toHaveLength(1);
    });
  });
});
