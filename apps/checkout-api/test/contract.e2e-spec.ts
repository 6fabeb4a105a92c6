import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request, { Response } from 'supertest';
import { ApiContract, LintResult, Operation, redoclyLint } from './support/contract';
import { CARDS, pay, providerSessionId, storeCard } from './support/checkout-flow';
import { closeDb, db } from './support/db';
import { gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, requiredEnv, resetRouteHealth, sandboxAdmin, startHarness } from './support/harness';
import { freePort } from './support/redis-process';
import { merchantToken } from './support/tokens';

/*
 * The served OpenAPI document against real traffic. It is linted; then every (operation, status) it
 * documents must have a case below, and every case's answer must match the document: status, headers
 * and body. A new endpoint or status without a case fails "covers every documented ...".
 *
 * To add a case: one row in CASES. `send` makes the real request (the context has an authorised
 * client, a second instance whose Redis is down, the sandbox's fault injection, Redis and Postgres).
 */

const ROUTE_ID = 'contract-gr4vy';
const SESSIONS = '/api/v1/sessions';
const PREVIEW = '/api/v1/routing/preview';

interface Context {
  h: Harness;
  /** A second instance on the same Postgres and sandbox whose Redis is not there, and whose requests time out after 1 s. */
  outage: Harness;
  redis: Redis;
  token: string;
  /** POST /api/v1/sessions, authorised, with a new key unless one is given. */
  create(body?: unknown, key?: string, url?: string): Promise<Response>;
  preview(body?: unknown): Promise<Response>;
  get(sessionId: string, url?: string): Promise<Response>;
  cancel(sessionId: string, url?: string): Promise<Response>;
  /** A new PENDING session's id. */
  newSession(): Promise<string>;
  /** A new session paid on the hosted page: COMPLETED, its payment authorized. */
  paidSession(): Promise<string>;
  /** POST /api/v1/sessions/{sessionId}/{capture|void|refunds}, authorised, with a new key unless one is given. */
  money(path: MoneyPath, sessionId: string, body?: object, key?: string, url?: string): Promise<Response>;
}

type MoneyPath = 'capture' | 'void' | 'refunds';

interface ContractCase {
  operation: Operation;
  status: number;
  /** The behaviour, as a test name. */
  name: string;
  /** The error code the answer carries, when it is an error. */
  code?: string;
  /** Headers the answer must carry with these values (names in lower case). */
  headers?: Record<string, string>;
  send(c: Context): Promise<Response>;
}

const json = (req: request.Test, raw: string) => req.set('Content-Type', 'application/json').send(raw);

async function untilSandboxSees(c: Context, orderReference: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const calls = await sandboxAdmin.requests(c.h.sandboxUrl, '/checkout/sessions');
    if (
      calls.some(
        (r) => (r.body.metadata as Record<string, string> | undefined)?.orderReference === orderReference,
      )
    ) {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the provider call never reached the sandbox');
}

const authorisedGet = (c: Context, path: string, url = c.h.url) =>
  request(url).get(path).set('Authorization', `Bearer ${c.token}`);

/** A table locked by another connection: the outage instance's statements wait until its request times out. */
async function withTableLocked(table: string, send: () => Promise<Response>): Promise<Response> {
  const client = await db().connect();
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return await send();
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** The sessions table locked by another connection: the service's statements wait until its request times out. */
const withSessionsLocked = (send: () => Promise<Response>) => withTableLocked('checkout_sessions', send);

/** Route health that is not a hash: every read of it is a Redis error that is a bug, not an outage. */
async function withCorruptRouteHealth(c: Context, send: () => Promise<Response>): Promise<Response> {
  const key = `route:{${ROUTE_ID}}:health`; // as libs/routing/src/redis-route-health.store.ts names it
  await c.redis.set(key, 'not a hash');
  try {
    return await send();
  } finally {
    await c.redis.del(key);
  }
}

const ENDPOINTS = '/api/v1/webhook-endpoints';
const EVENTS = '/api/v1/events';

/* Webhook cases run as merchants of their own, whose endpoints point at a closed port on loopback: what
 * they queue fails there, and never leaves this machine. */
async function webhookMerchant(c: Context) {
  const token = await merchantToken(`merchant_webhooks_${randomUUID()}`);
  const as = (req: request.Test) => req.set('Authorization', `Bearer ${token}`);
  const port = await freePort();
  return {
    as,
    async endpoint(body: Record<string, unknown> = {}): Promise<string> {
      const res = await as(request(c.h.url).post(ENDPOINTS)).send({
        url: `http://127.0.0.1:${port}/hooks`,
        ...body,
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    },
    /** An event of this merchant: a session of its, expired and read. */
    async event(): Promise<string> {
      const created = await as(request(c.h.url).post(SESSIONS))
        .set('Idempotency-Key', randomUUID())
        .send(sessionBody());
      expect(created.status).toBe(201);
      const sessionId = created.body.sessionId as string;
      await db().query(
        `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [sessionId],
      );
      expect((await as(request(c.h.url).get(`${SESSIONS}/${sessionId}`))).body.status).toBe('EXPIRED');
      const listed = await as(request(c.h.url).get(EVENTS)).query({ sessionId });
      expect(listed.body.data).toHaveLength(1);
      return listed.body.data[0].id as string;
    },
  };
}

const NO_EVENT = `evt_${'0'.repeat(32)}`;

/** A paid session whose payment is captured: what a refund needs. */
async function capturedSession(c: Context): Promise<string> {
  const sessionId = await c.paidSession();
  expect((await c.money('capture', sessionId)).status).toBe(200);
  return sessionId;
}

/** The session's currency made unreadable: the answer cannot be written, whatever the operation did. */
async function corruptCurrency(sessionId: string): Promise<void> {
  await db().query(`UPDATE checkout_sessions SET currency = 'ZZZ' WHERE id = $1`, [sessionId]);
}

/**
 * The statuses every money endpoint shares, for one of them: `ready` makes a session the operation
 * succeeds on, `conflict` the 409 of its money rules.
 */
function moneyCases(
  path: MoneyPath,
  spec: {
    operation: Operation;
    success: number;
    ready(c: Context): Promise<string>;
    conflict: { name: string; code: string; send(c: Context): Promise<Response> };
  },
): ContractCase[] {
  const { operation } = spec;
  const faultPath = `/transactions/:transaction_id/${path}`;
  return [
    {
      operation,
      status: spec.success,
      name: `${path}: succeeds on a payment it applies to`,
      send: async (c) => c.money(path, await spec.ready(c)),
    },
    {
      operation,
      status: spec.success,
      name: `${path}: replays the first answer to a retry with the same key`,
      headers: { 'idempotent-replayed': 'true' },
      send: async (c) => {
        const sessionId = await spec.ready(c);
        const key = randomUUID();
        expect((await c.money(path, sessionId, undefined, key)).status).toBe(spec.success);
        return c.money(path, sessionId, undefined, key);
      },
    },
    {
      operation,
      status: 400,
      name: `${path}: refuses a request without an Idempotency-Key`,
      code: 'IDEMPOTENCY_KEY_MISSING',
      send: async (c) =>
        request(c.h.url)
          .post(`${SESSIONS}/${randomUUID()}/${path}`)
          .set('Authorization', `Bearer ${c.token}`),
    },
    {
      operation,
      status: 401,
      name: `${path}: refuses a request without a token`,
      code: 'UNAUTHORIZED',
      send: (c) =>
        request(c.h.url).post(`${SESSIONS}/${randomUUID()}/${path}`).set('Idempotency-Key', randomUUID()),
    },
    {
      operation,
      status: 404,
      name: `${path}: answers 404 for an unknown session`,
      code: 'NOT_FOUND',
      send: (c) => c.money(path, randomUUID()),
    },
    { operation, status: 409, ...spec.conflict },
    {
      operation,
      status: 413,
      name: `${path}: refuses a body over 1 MB`,
      code: 'PAYLOAD_TOO_LARGE',
      send: (c) => c.money(path, randomUUID(), { reason: 'x'.repeat(1024 * 1024 + 10) }),
    },
    {
      operation,
      status: 415,
      name: `${path}: refuses a body that is not application/json`,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      send: (c) =>
        request(c.h.url)
          .post(`${SESSIONS}/${randomUUID()}/${path}`)
          .set('Authorization', `Bearer ${c.token}`)
          .set('Idempotency-Key', randomUUID())
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send('amount=1'),
    },
    {
      operation,
      status: 422,
      name: `${path}: refuses a key used before on another request`,
      code: 'IDEMPOTENCY_KEY_MISMATCH',
      send: async (c) => {
        const key = randomUUID();
        const sessionId = randomUUID();
        expect((await c.money('refunds', sessionId, { amount: 1 }, key)).status).toBe(404);
        return c.money(path, sessionId, path === 'refunds' ? { amount: 2 } : undefined, key);
      },
    },
    {
      operation,
      status: 500,
      name: `${path}: answers a payment it cannot write back with a body that reveals nothing`,
      code: 'INTERNAL_ERROR',
      send: async (c) => {
        const sessionId = await spec.ready(c);
        await corruptCurrency(sessionId);
        return c.money(path, sessionId);
      },
    },
    {
      operation,
      status: 502,
      name: `${path}: answers PROVIDER_UNAVAILABLE when the provider fails with a 503`,
      code: 'PROVIDER_UNAVAILABLE',
      send: async (c) => {
        const sessionId = await spec.ready(c);
        await sandboxAdmin.fault(c.h.sandboxUrl, {
          path: faultPath,
          mode: 'status',
          status: 503,
          remaining: 1,
        });
        return c.money(path, sessionId);
      },
    },
    {
      operation,
      status: 503,
      name: `${path}: answers 503 with Retry-After while Redis is down`,
      code: 'SERVICE_UNAVAILABLE',
      send: (c) => c.money(path, randomUUID(), undefined, randomUUID(), c.outage.url),
    },
    {
      operation,
      status: 504,
      name: `${path}: answers PROVIDER_TIMEOUT when the provider does not answer in time`,
      code: 'PROVIDER_TIMEOUT',
      send: async (c) => {
        const sessionId = await spec.ready(c);
        await sandboxAdmin.fault(c.h.sandboxUrl, { path: faultPath, mode: 'timeout', remaining: 1 });
        return c.money(path, sessionId);
      },
    },
  ];
}

const CASES: ContractCase[] = [
  // POST /api/v1/sessions
  {
    operation: 'POST /api/v1/sessions',
    status: 201,
    name: 'creates a session',
    send: (c) => c.create(),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 201,
    name: 'replays the session to a retry with the same key and body',
    headers: { 'idempotent-replayed': 'true' },
    send: async (c) => {
      const body = sessionBody();
      const key = randomUUID();
      expect((await c.create(body, key)).status).toBe(201);
      return c.create(body, key);
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses a request without an Idempotency-Key',
    code: 'IDEMPOTENCY_KEY_MISSING',
    send: (c) =>
      request(c.h.url).post(SESSIONS).set('Authorization', `Bearer ${c.token}`).send(sessionBody()),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses an Idempotency-Key longer than 255 characters',
    code: 'IDEMPOTENCY_KEY_INVALID',
    send: (c) => c.create(sessionBody(), 'k'.repeat(256)),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses a body that is not JSON as MALFORMED_JSON',
    code: 'MALFORMED_JSON',
    send: (c) =>
      json(
        request(c.h.url)
          .post(SESSIONS)
          .set('Authorization', `Bearer ${c.token}`)
          .set('Idempotency-Key', randomUUID()),
        '{"orderReference": ',
      ),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses an empty application/json body as MALFORMED_JSON',
    code: 'MALFORMED_JSON',
    send: (c) =>
      json(
        request(c.h.url)
          .post(SESSIONS)
          .set('Authorization', `Bearer ${c.token}`)
          .set('Idempotency-Key', randomUUID()),
        '',
      ),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses a request with no body at all as MALFORMED_JSON',
    code: 'MALFORMED_JSON',
    send: (c) =>
      request(c.h.url)
        .post(SESSIONS)
        .set('Authorization', `Bearer ${c.token}`)
        .set('Idempotency-Key', randomUUID()),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses a fractional quantity, naming the field',
    code: 'VALIDATION_FAILED',
    send: (c) => c.create(sessionBody({ orderItems: [{ name: 'x', quantity: 1.5, unitPrice: 119 }] })),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 400,
    name: 'refuses a total that is not the sum of its parts',
    code: 'AMOUNT_MISMATCH',
    send: (c) => c.create(sessionBody({ amount: { total: 140.75, shipping: 9.95, tax: 11.81 } })),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 401,
    name: 'refuses a request without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).post(SESSIONS).set('Idempotency-Key', randomUUID()).send(sessionBody()),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 409,
    name: 'answers a retry while the first request with the key still runs with Retry-After',
    code: 'IDEMPOTENCY_KEY_IN_USE',
    send: async (c) => {
      await sandboxAdmin.fault(c.h.sandboxUrl, {
        provider: 'gr4vy',
        mode: 'latency',
        latencyMs: 1000,
        remaining: 1,
      });
      const body = sessionBody();
      const key = randomUUID();
      const first = c.create(body, key).then((res) => res); // then() sends it now
      await untilSandboxSees(c, body.orderReference as string);
      const retry = await c.create(body, key);
      expect((await first).status).toBe(201);
      return retry;
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 409,
    name: 'refuses a second live session for an order',
    code: 'DUPLICATE_ORDER',
    send: async (c) => {
      const body = sessionBody();
      expect((await c.create(body)).status).toBe(201);
      return c.create(body);
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 409,
    name: 'replays DUPLICATE_ORDER to a retry with the same key',
    code: 'DUPLICATE_ORDER',
    headers: { 'idempotent-replayed': 'true' },
    send: async (c) => {
      const body = sessionBody();
      const key = randomUUID();
      expect((await c.create(body)).status).toBe(201);
      expect((await c.create(body, key)).status).toBe(409);
      return c.create(body, key);
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 413,
    name: 'refuses a body over 1 MB',
    code: 'PAYLOAD_TOO_LARGE',
    send: (c) => c.create(sessionBody({ orderReference: 'x'.repeat(1024 * 1024 + 10) })),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 415,
    name: 'refuses a body that is not application/json',
    code: 'UNSUPPORTED_MEDIA_TYPE',
    send: (c) =>
      request(c.h.url)
        .post(SESSIONS)
        .set('Authorization', `Bearer ${c.token}`)
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('orderReference=ORD-1'),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 422,
    name: 'refuses a key reused with another body',
    code: 'IDEMPOTENCY_KEY_MISMATCH',
    send: async (c) => {
      const key = randomUUID();
      expect((await c.create(sessionBody(), key)).status).toBe(201);
      return c.create(sessionBody(), key);
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 422,
    name: 'answers NO_AVAILABLE_PROVIDER with every route’s reason',
    code: 'NO_AVAILABLE_PROVIDER',
    send: (c) => c.create(sessionBody({ currency: 'CHF' })),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 422,
    name: 'replays NO_AVAILABLE_PROVIDER to a retry with the same key',
    code: 'NO_AVAILABLE_PROVIDER',
    headers: { 'idempotent-replayed': 'true' },
    send: async (c) => {
      const body = sessionBody({ currency: 'CHF' });
      const key = randomUUID();
      expect((await c.create(body, key)).status).toBe(422);
      return c.create(body, key);
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 500,
    name: 'answers an unexpected failure with a body that reveals nothing',
    code: 'INTERNAL_ERROR',
    send: (c) => withCorruptRouteHealth(c, () => c.create()),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 502,
    name: 'answers PROVIDER_UNAVAILABLE when the provider fails with a 5xx',
    code: 'PROVIDER_UNAVAILABLE',
    send: async (c) => {
      await sandboxAdmin.fault(c.h.sandboxUrl, {
        provider: 'gr4vy',
        mode: 'status',
        status: 503,
        remaining: 1,
      });
      return c.create();
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 502,
    name: 'answers PROVIDER_REJECTED when the provider refuses the request',
    code: 'PROVIDER_REJECTED',
    send: async (c) => {
      await sandboxAdmin.fault(c.h.sandboxUrl, {
        provider: 'gr4vy',
        mode: 'status',
        status: 400,
        remaining: 1,
      });
      return c.create();
    },
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 503,
    name: 'answers 503 with Retry-After while Redis is down',
    code: 'SERVICE_UNAVAILABLE',
    send: (c) => c.create(sessionBody(), randomUUID(), c.outage.url),
  },
  {
    operation: 'POST /api/v1/sessions',
    status: 504,
    name: 'answers PROVIDER_TIMEOUT when the provider does not answer in time',
    code: 'PROVIDER_TIMEOUT',
    send: async (c) => {
      await sandboxAdmin.fault(c.h.sandboxUrl, { provider: 'gr4vy', mode: 'timeout', remaining: 1 });
      return c.create();
    },
  },

  // GET /api/v1/sessions/{sessionId}
  {
    operation: 'GET /api/v1/sessions/{sessionId}',
    status: 200,
    name: 'shows a session',
    send: async (c) => c.get(await c.newSession()),
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}',
    status: 401,
    name: 'refuses a read without a token',
    code: 'UNAUTHORIZED',
    send: async (c) => request(c.h.url).get(`${SESSIONS}/${await c.newSession()}`),
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}',
    status: 404,
    name: 'answers 404 for an unknown session',
    code: 'NOT_FOUND',
    send: (c) => c.get(randomUUID()),
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}',
    status: 404,
    name: 'answers 404 for another merchant’s session',
    code: 'NOT_FOUND',
    send: async (c) =>
      request(c.h.url)
        .get(`${SESSIONS}/${await c.newSession()}`)
        .set('Authorization', `Bearer ${await merchantToken(`merchant_other_${randomUUID()}`)}`),
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}',
    status: 500,
    name: 'answers a session it cannot read back with a body that reveals nothing',
    code: 'INTERNAL_ERROR',
    send: async (c) => {
      const sessionId = await c.newSession();
      await db().query(`UPDATE checkout_sessions SET currency = 'ZZZ' WHERE id = $1`, [sessionId]);
      return c.get(sessionId);
    },
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}',
    status: 503,
    name: 'answers 503 with Retry-After when Postgres does not answer in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const sessionId = await c.newSession();
      const client = await db().connect();
      try {
        await client.query('BEGIN');
        await client.query('LOCK TABLE checkout_sessions IN ACCESS EXCLUSIVE MODE');
        return await c.get(sessionId, c.outage.url);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    },
  },

  // GET /api/v1/sessions
  {
    operation: 'GET /api/v1/sessions',
    status: 200,
    name: 'lists the merchant’s sessions, newest first',
    send: async (c) => {
      // A merchant of its own: other cases leave sessions that cannot be read back under the shared one.
      const token = await merchantToken(`merchant_list_${randomUUID()}`);
      for (let i = 0; i < 2; i++) {
        await request(c.h.url)
          .post(SESSIONS)
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', randomUUID())
          .send(sessionBody());
      }
      return request(c.h.url).get(`${SESSIONS}?limit=5`).set('Authorization', `Bearer ${token}`);
    },
  },
  {
    operation: 'GET /api/v1/sessions',
    status: 400,
    name: 'refuses an unknown status filter, naming it',
    code: 'VALIDATION_FAILED',
    send: (c) => authorisedGet(c, `${SESSIONS}?status=PAID`),
  },
  {
    operation: 'GET /api/v1/sessions',
    status: 401,
    name: 'refuses a list without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).get(SESSIONS),
  },
  {
    operation: 'GET /api/v1/sessions',
    status: 500,
    name: 'answers a list it cannot read back with a body that reveals nothing',
    code: 'INTERNAL_ERROR',
    send: async (c) => {
      const token = await merchantToken(`merchant_corrupt_${randomUUID()}`);
      const created = await request(c.h.url)
        .post(SESSIONS)
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', randomUUID())
        .send(sessionBody());
      await db().query(`UPDATE checkout_sessions SET currency = 'ZZZ' WHERE id = $1`, [
        created.body.sessionId,
      ]);
      return request(c.h.url).get(SESSIONS).set('Authorization', `Bearer ${token}`);
    },
  },
  {
    operation: 'GET /api/v1/sessions',
    status: 503,
    name: 'answers 503 with Retry-After when Postgres does not answer a list in time',
    code: 'SERVICE_UNAVAILABLE',
    send: (c) => withSessionsLocked(() => authorisedGet(c, SESSIONS, c.outage.url)),
  },

  // POST /api/v1/sessions/{sessionId}/cancel
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 200,
    name: 'cancels a PENDING session at its provider, then here',
    send: async (c) => c.cancel(await c.newSession()),
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 200,
    name: 'answers the same 200 to a second cancel',
    send: async (c) => {
      const sessionId = await c.newSession();
      expect((await c.cancel(sessionId)).status).toBe(200);
      return c.cancel(sessionId);
    },
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 401,
    name: 'refuses a cancel without a token',
    code: 'UNAUTHORIZED',
    send: async (c) => request(c.h.url).post(`${SESSIONS}/${await c.newSession()}/cancel`),
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 404,
    name: 'answers 404 to a cancel of an unknown session',
    code: 'NOT_FOUND',
    send: (c) => c.cancel(randomUUID()),
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 409,
    name: 'refuses to cancel a COMPLETED session, saying so',
    code: 'SESSION_NOT_CANCELLABLE',
    send: async (c) => {
      const sessionId = await c.newSession();
      await db().query(`UPDATE checkout_sessions SET status = 'COMPLETED' WHERE id = $1`, [sessionId]);
      return c.cancel(sessionId);
    },
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 500,
    name: 'answers a cancel it cannot read back with a body that reveals nothing',
    code: 'INTERNAL_ERROR',
    send: async (c) => {
      const sessionId = await c.newSession();
      await db().query(`UPDATE checkout_sessions SET currency = 'ZZZ' WHERE id = $1`, [sessionId]);
      return c.cancel(sessionId);
    },
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 502,
    name: 'answers PROVIDER_UNAVAILABLE when the provider fails the cancel, leaving the session PENDING',
    code: 'PROVIDER_UNAVAILABLE',
    send: async (c) => {
      const sessionId = await c.newSession();
      await sandboxAdmin.fault(c.h.sandboxUrl, {
        provider: 'gr4vy',
        mode: 'status',
        status: 503,
        remaining: 1,
      });
      return c.cancel(sessionId);
    },
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 502,
    name: 'answers PROVIDER_REJECTED when the provider refuses the cancel',
    code: 'PROVIDER_REJECTED',
    send: async (c) => {
      const sessionId = await c.newSession();
      await sandboxAdmin.fault(c.h.sandboxUrl, {
        provider: 'gr4vy',
        mode: 'status',
        status: 400,
        remaining: 1,
      });
      return c.cancel(sessionId);
    },
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 503,
    name: 'answers 503 with Retry-After when Postgres does not answer a cancel in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const sessionId = await c.newSession();
      return withSessionsLocked(() => c.cancel(sessionId, c.outage.url));
    },
  },
  {
    operation: 'POST /api/v1/sessions/{sessionId}/cancel',
    status: 504,
    name: 'answers PROVIDER_TIMEOUT when the provider does not answer a cancel in time',
    code: 'PROVIDER_TIMEOUT',
    send: async (c) => {
      const sessionId = await c.newSession();
      await sandboxAdmin.fault(c.h.sandboxUrl, { provider: 'gr4vy', mode: 'timeout', remaining: 1 });
      return c.cancel(sessionId);
    },
  },

  // POST /api/v1/routing/preview
  {
    operation: 'POST /api/v1/routing/preview',
    status: 200,
    name: 'previews the route an order would take',
    send: (c) => c.preview(sessionBody()),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 200,
    name: 'previews no route (selectedProvider null) for an order no route takes',
    send: (c) => c.preview(sessionBody({ currency: 'CHF' })),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 400,
    name: 'refuses a preview body that is not JSON',
    code: 'MALFORMED_JSON',
    send: (c) => json(request(c.h.url).post(PREVIEW).set('Authorization', `Bearer ${c.token}`), '[1,'),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 400,
    name: 'refuses an invalid preview body, naming the field',
    code: 'VALIDATION_FAILED',
    send: (c) => c.preview(sessionBody({ currency: 'aud' })),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 400,
    name: 'refuses a preview whose total is not the sum of its parts',
    code: 'AMOUNT_MISMATCH',
    send: (c) => c.preview(sessionBody({ amount: { total: 1, shipping: 9.95, tax: 11.81 } })),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 401,
    name: 'refuses a preview without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).post(PREVIEW).send(sessionBody()),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 413,
    name: 'refuses a preview body over 1 MB',
    code: 'PAYLOAD_TOO_LARGE',
    send: (c) => c.preview(sessionBody({ orderReference: 'x'.repeat(1024 * 1024 + 10) })),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 415,
    name: 'refuses a preview body that is not application/json',
    code: 'UNSUPPORTED_MEDIA_TYPE',
    send: (c) =>
      request(c.h.url)
        .post(PREVIEW)
        .set('Authorization', `Bearer ${c.token}`)
        .set('Content-Type', 'application/xml')
        .send('<order/>'),
  },
  {
    operation: 'POST /api/v1/routing/preview',
    status: 500,
    name: 'answers an unexpected failure of a preview with a body that reveals nothing',
    code: 'INTERNAL_ERROR',
    send: (c) => withCorruptRouteHealth(c, () => c.preview(sessionBody())),
  },

  // POST /api/v1/webhook-endpoints
  {
    operation: 'POST /api/v1/webhook-endpoints',
    status: 201,
    name: 'registers an endpoint and shows its secret once',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return m.as(request(c.h.url).post(ENDPOINTS)).send({ url: `http://127.0.0.1:${await freePort()}/h` });
    },
  },
  {
    operation: 'POST /api/v1/webhook-endpoints',
    status: 400,
    name: 'refuses an unknown event type, naming the field',
    code: 'VALIDATION_FAILED',
    send: async (c) =>
      (await webhookMerchant(c))
        .as(request(c.h.url).post(ENDPOINTS))
        .send({ url: 'http://127.0.0.1:1/h', events: ['order.shipped'] }),
  },
  {
    operation: 'POST /api/v1/webhook-endpoints',
    status: 400,
    name: 'refuses an endpoint body that is not JSON',
    code: 'MALFORMED_JSON',
    send: async (c) => json((await webhookMerchant(c)).as(request(c.h.url).post(ENDPOINTS)), '{"url":'),
  },
  {
    operation: 'POST /api/v1/webhook-endpoints',
    status: 400,
    name: 'refuses a URL with credentials, naming the rule',
    code: 'WEBHOOK_URL_REFUSED',
    send: async (c) =>
      (await webhookMerchant(c))
        .as(request(c.h.url).post(ENDPOINTS))
        .send({ url: 'http://u:p@127.0.0.1:1/h' }),
  },
  {
    operation: 'POST /api/v1/webhook-endpoints',
    status: 401,
    name: 'refuses to register an endpoint without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).post(ENDPOINTS).send({ url: 'http://127.0.0.1:1/h' }),
  },
  {
    operation: 'POST /api/v1/webhook-endpoints',
    status: 503,
    name: 'answers 503 when Postgres does not take the endpoint in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return withTableLocked('webhook_endpoints', () =>
        m.as(request(c.outage.url).post(ENDPOINTS)).send({ url: 'http://127.0.0.1:1/h' }),
      );
    },
  },

  // GET /api/v1/webhook-endpoints
  {
    operation: 'GET /api/v1/webhook-endpoints',
    status: 200,
    name: 'lists the merchant’s endpoints without their secrets',
    send: async (c) => {
      const m = await webhookMerchant(c);
      await m.endpoint();
      return m.as(request(c.h.url).get(ENDPOINTS));
    },
  },
  {
    operation: 'GET /api/v1/webhook-endpoints',
    status: 401,
    name: 'refuses to list endpoints without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).get(ENDPOINTS),
  },
  {
    operation: 'GET /api/v1/webhook-endpoints',
    status: 503,
    name: 'answers 503 when Postgres does not list the endpoints in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return withTableLocked('webhook_endpoints', () => m.as(request(c.outage.url).get(ENDPOINTS)));
    },
  },

  // GET /api/v1/webhook-endpoints/{endpointId}
  {
    operation: 'GET /api/v1/webhook-endpoints/{endpointId}',
    status: 200,
    name: 'reads an endpoint',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return m.as(request(c.h.url).get(`${ENDPOINTS}/${await m.endpoint({ description: 'orders' })}`));
    },
  },
  {
    operation: 'GET /api/v1/webhook-endpoints/{endpointId}',
    status: 401,
    name: 'refuses to read an endpoint without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).get(`${ENDPOINTS}/${randomUUID()}`),
  },
  {
    operation: 'GET /api/v1/webhook-endpoints/{endpointId}',
    status: 404,
    name: 'answers another merchant’s endpoint as unknown',
    code: 'NOT_FOUND',
    send: async (c) => {
      const id = await (await webhookMerchant(c)).endpoint();
      return (await webhookMerchant(c)).as(request(c.h.url).get(`${ENDPOINTS}/${id}`));
    },
  },
  {
    operation: 'GET /api/v1/webhook-endpoints/{endpointId}',
    status: 503,
    name: 'answers 503 when Postgres does not read the endpoint in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return withTableLocked('webhook_endpoints', () =>
        m.as(request(c.outage.url).get(`${ENDPOINTS}/${id}`)),
      );
    },
  },

  // PATCH /api/v1/webhook-endpoints/{endpointId}
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 200,
    name: 'changes an endpoint’s events and disables it',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return m
        .as(request(c.h.url).patch(`${ENDPOINTS}/${id}`))
        .send({ events: ['session.failed'], enabled: false });
    },
  },
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 400,
    name: 'refuses a change that is not a boolean, naming the field',
    code: 'VALIDATION_FAILED',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return m.as(request(c.h.url).patch(`${ENDPOINTS}/${id}`)).send({ enabled: 'yes' });
    },
  },
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 400,
    name: 'refuses a change to a URL that breaks a rule',
    code: 'WEBHOOK_URL_REFUSED',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return m.as(request(c.h.url).patch(`${ENDPOINTS}/${id}`)).send({ url: 'ftp://127.0.0.1/h' });
    },
  },
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 400,
    name: 'refuses a change that is not JSON',
    code: 'MALFORMED_JSON',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return json(m.as(request(c.h.url).patch(`${ENDPOINTS}/${await m.endpoint()}`)), '{');
    },
  },
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 401,
    name: 'refuses to change an endpoint without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).patch(`${ENDPOINTS}/${randomUUID()}`).send({ enabled: true }),
  },
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 404,
    name: 'answers a change to an unknown endpoint with 404',
    code: 'NOT_FOUND',
    send: async (c) =>
      (await webhookMerchant(c))
        .as(request(c.h.url).patch(`${ENDPOINTS}/${randomUUID()}`))
        .send({ enabled: true }),
  },
  {
    operation: 'PATCH /api/v1/webhook-endpoints/{endpointId}',
    status: 503,
    name: 'answers 503 when Postgres does not change the endpoint in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return withTableLocked('webhook_endpoints', () =>
        m.as(request(c.outage.url).patch(`${ENDPOINTS}/${id}`)).send({ enabled: false }),
      );
    },
  },

  // DELETE /api/v1/webhook-endpoints/{endpointId}
  {
    operation: 'DELETE /api/v1/webhook-endpoints/{endpointId}',
    status: 204,
    name: 'deletes an endpoint',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return m.as(request(c.h.url).delete(`${ENDPOINTS}/${await m.endpoint()}`));
    },
  },
  {
    operation: 'DELETE /api/v1/webhook-endpoints/{endpointId}',
    status: 401,
    name: 'refuses to delete an endpoint without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).delete(`${ENDPOINTS}/${randomUUID()}`),
  },
  {
    operation: 'DELETE /api/v1/webhook-endpoints/{endpointId}',
    status: 404,
    name: 'answers the delete of an unknown endpoint with 404',
    code: 'NOT_FOUND',
    send: async (c) => (await webhookMerchant(c)).as(request(c.h.url).delete(`${ENDPOINTS}/${randomUUID()}`)),
  },
  {
    operation: 'DELETE /api/v1/webhook-endpoints/{endpointId}',
    status: 503,
    name: 'answers 503 when Postgres does not delete the endpoint in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return withTableLocked('webhook_endpoints', () =>
        m.as(request(c.outage.url).delete(`${ENDPOINTS}/${id}`)),
      );
    },
  },

  // POST /api/v1/webhook-endpoints/{endpointId}/rotate-secret
  {
    operation: 'POST /api/v1/webhook-endpoints/{endpointId}/rotate-secret',
    status: 200,
    name: 'rotates an endpoint’s secret',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return m.as(request(c.h.url).post(`${ENDPOINTS}/${await m.endpoint()}/rotate-secret`));
    },
  },
  {
    operation: 'POST /api/v1/webhook-endpoints/{endpointId}/rotate-secret',
    status: 401,
    name: 'refuses to rotate a secret without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).post(`${ENDPOINTS}/${randomUUID()}/rotate-secret`),
  },
  {
    operation: 'POST /api/v1/webhook-endpoints/{endpointId}/rotate-secret',
    status: 404,
    name: 'answers the rotation of an unknown endpoint with 404',
    code: 'NOT_FOUND',
    send: async (c) =>
      (await webhookMerchant(c)).as(request(c.h.url).post(`${ENDPOINTS}/${randomUUID()}/rotate-secret`)),
  },
  {
    operation: 'POST /api/v1/webhook-endpoints/{endpointId}/rotate-secret',
    status: 503,
    name: 'answers 503 when Postgres does not rotate the secret in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.endpoint();
      return withTableLocked('webhook_endpoints', () =>
        m.as(request(c.outage.url).post(`${ENDPOINTS}/${id}/rotate-secret`)),
      );
    },
  },

  // GET /api/v1/events
  {
    operation: 'GET /api/v1/events',
    status: 200,
    name: 'lists the merchant’s events, newest first',
    send: async (c) => {
      const m = await webhookMerchant(c);
      await m.event();
      return m.as(request(c.h.url).get(EVENTS)).query({ limit: '5' });
    },
  },
  {
    operation: 'GET /api/v1/events',
    status: 400,
    name: 'refuses a bad cursor, naming it',
    code: 'VALIDATION_FAILED',
    send: async (c) => (await webhookMerchant(c)).as(request(c.h.url).get(EVENTS)).query({ cursor: '!' }),
  },
  {
    operation: 'GET /api/v1/events',
    status: 401,
    name: 'refuses to list events without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).get(EVENTS),
  },
  {
    operation: 'GET /api/v1/events',
    status: 503,
    name: 'answers 503 when Postgres does not list the events in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return withTableLocked('merchant_events', () => m.as(request(c.outage.url).get(EVENTS)));
    },
  },

  // GET /api/v1/events/{eventId}
  {
    operation: 'GET /api/v1/events/{eventId}',
    status: 200,
    name: 'reads an event with its deliveries and their attempts',
    send: async (c) => {
      const m = await webhookMerchant(c);
      await m.endpoint();
      return m.as(request(c.h.url).get(`${EVENTS}/${await m.event()}`));
    },
  },
  {
    operation: 'GET /api/v1/events/{eventId}',
    status: 401,
    name: 'refuses to read an event without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).get(`${EVENTS}/${NO_EVENT}`),
  },
  {
    operation: 'GET /api/v1/events/{eventId}',
    status: 404,
    name: 'answers another merchant’s event as unknown',
    code: 'NOT_FOUND',
    send: async (c) => {
      const id = await (await webhookMerchant(c)).event();
      return (await webhookMerchant(c)).as(request(c.h.url).get(`${EVENTS}/${id}`));
    },
  },
  {
    operation: 'GET /api/v1/events/{eventId}',
    status: 503,
    name: 'answers 503 when Postgres does not read the event in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.event();
      return withTableLocked('merchant_events', () => m.as(request(c.outage.url).get(`${EVENTS}/${id}`)));
    },
  },

  // POST /api/v1/events/{eventId}/redeliver
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 202,
    name: 'queues a redelivery with the same webhook-id',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const endpointId = await m.endpoint();
      return m.as(request(c.h.url).post(`${EVENTS}/${await m.event()}/redeliver`)).send({ endpointId });
    },
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 400,
    name: 'refuses an endpointId that is not a UUID',
    code: 'VALIDATION_FAILED',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return m.as(request(c.h.url).post(`${EVENTS}/${await m.event()}/redeliver`)).send({ endpointId: 'x' });
    },
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 400,
    name: 'refuses a redelivery body that is not JSON',
    code: 'MALFORMED_JSON',
    send: async (c) =>
      json((await webhookMerchant(c)).as(request(c.h.url).post(`${EVENTS}/${NO_EVENT}/redeliver`)), '{'),
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 401,
    name: 'refuses a redelivery without a token',
    code: 'UNAUTHORIZED',
    send: (c) => request(c.h.url).post(`${EVENTS}/${NO_EVENT}/redeliver`),
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 404,
    name: 'answers the redelivery of an unknown event with 404',
    code: 'NOT_FOUND',
    send: async (c) =>
      (await webhookMerchant(c)).as(request(c.h.url).post(`${EVENTS}/${NO_EVENT}/redeliver`)),
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 409,
    name: 'refuses a redelivery to a disabled endpoint',
    code: 'WEBHOOK_ENDPOINT_DISABLED',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const endpointId = await m.endpoint();
      const eventId = await m.event();
      await m.as(request(c.h.url).patch(`${ENDPOINTS}/${endpointId}`)).send({ enabled: false });
      return m.as(request(c.h.url).post(`${EVENTS}/${eventId}/redeliver`)).send({ endpointId });
    },
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 409,
    name: 'refuses a redelivery when no enabled endpoint takes the event type',
    code: 'NO_WEBHOOK_ENDPOINT',
    send: async (c) => {
      const m = await webhookMerchant(c);
      return m.as(request(c.h.url).post(`${EVENTS}/${await m.event()}/redeliver`));
    },
  },
  {
    operation: 'POST /api/v1/events/{eventId}/redeliver',
    status: 503,
    name: 'answers 503 when Postgres does not queue the redelivery in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const m = await webhookMerchant(c);
      const id = await m.event();
      return withTableLocked('merchant_events', () =>
        m.as(request(c.outage.url).post(`${EVENTS}/${id}/redeliver`)),
      );
    },
  },

  // POST /api/v1/sessions/{sessionId}/capture, …/void, …/refunds
  ...moneyCases('capture', {
    operation: 'POST /api/v1/sessions/{sessionId}/capture',
    success: 200,
    ready: (c) => c.paidSession(),
    conflict: {
      name: 'capture: refuses a capture above the authorized amount, with no provider call',
      code: 'CAPTURE_EXCEEDS_AUTHORIZED',
      send: async (c) => c.money('capture', await c.paidSession(), { amount: 1000 }),
    },
  }),
  ...moneyCases('void', {
    operation: 'POST /api/v1/sessions/{sessionId}/void',
    success: 200,
    ready: (c) => c.paidSession(),
    conflict: {
      name: 'void: refuses to void a captured payment, with no provider call',
      code: 'PAYMENT_NOT_VOIDABLE',
      send: async (c) => c.money('void', await capturedSession(c)),
    },
  }),
  ...moneyCases('refunds', {
    operation: 'POST /api/v1/sessions/{sessionId}/refunds',
    success: 201,
    ready: capturedSession,
    conflict: {
      name: 'refunds: refuses a refund above what is left, with no provider call',
      code: 'REFUND_EXCEEDS_CAPTURED',
      send: async (c) => c.money('refunds', await capturedSession(c), { amount: 1000 }),
    },
  }),

  // GET /api/v1/sessions/{sessionId}/refunds
  {
    operation: 'GET /api/v1/sessions/{sessionId}/refunds',
    status: 200,
    name: 'lists a session’s refunds',
    send: async (c) => {
      const sessionId = await capturedSession(c);
      expect((await c.money('refunds', sessionId, { amount: 10, reason: 'Damaged' })).status).toBe(201);
      return authorisedGet(c, `${SESSIONS}/${sessionId}/refunds`);
    },
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}/refunds',
    status: 401,
    name: 'refuses a refund list without a token',
    code: 'UNAUTHORIZED',
    send: async (c) => request(c.h.url).get(`${SESSIONS}/${await c.newSession()}/refunds`),
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}/refunds',
    status: 404,
    name: 'answers 404 to the refunds of another merchant’s session',
    code: 'NOT_FOUND',
    send: async (c) =>
      request(c.h.url)
        .get(`${SESSIONS}/${await c.newSession()}/refunds`)
        .set('Authorization', `Bearer ${await merchantToken(`merchant_other_${randomUUID()}`)}`),
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}/refunds',
    status: 500,
    name: 'answers refunds it cannot read back with a body that reveals nothing',
    code: 'INTERNAL_ERROR',
    send: async (c) => {
      const sessionId = await capturedSession(c);
      expect((await c.money('refunds', sessionId, { amount: 10 })).status).toBe(201);
      await corruptCurrency(sessionId);
      return authorisedGet(c, `${SESSIONS}/${sessionId}/refunds`);
    },
  },
  {
    operation: 'GET /api/v1/sessions/{sessionId}/refunds',
    status: 503,
    name: 'answers 503 with Retry-After when Postgres does not answer a refund list in time',
    code: 'SERVICE_UNAVAILABLE',
    send: async (c) => {
      const sessionId = await c.newSession();
      return withSessionsLocked(() => authorisedGet(c, `${SESSIONS}/${sessionId}/refunds`, c.outage.url));
    },
  },
];

/* Bodies the validator refuses, one per rule: the document must refuse each too (never be looser). */
const items = (item: Record<string, unknown>) => ({
  orderItems: [{ name: 'x', quantity: 1, unitPrice: 119, ...item }],
});
const customer = (fields: Record<string, unknown>) => ({
  customer: { ...(sessionBody().customer as Record<string, unknown>), ...fields },
});
const billing = (fields: Record<string, unknown>) =>
  customer({ billingAddress: { line1: 'a', city: 'Melbourne', country: 'AU', ...fields } });
const REFUSED_BODIES: Array<[string, Record<string, unknown>]> = [
  ['an empty orderReference', { orderReference: '' }],
  ['an orderReference over 255 characters', { orderReference: 'x'.repeat(256) }],
  ['a control character in orderReference', { orderReference: 'ORD\u0007' }],
  ['a missing orderReference', { orderReference: undefined }],
  ['an unknown payment method', { paymentMethod: 'bitcoin' }],
  ['a lower-case currency', { currency: 'aud' }],
  ['an unknown currency', { currency: 'ABC' }],
  ['a currency without minor units', { currency: 'XAU' }],
  ['a malformed locale', { locale: 'english' }],
  ['no amount', { amount: undefined }],
  ['a negative total', { amount: { total: -1 } }],
  ['a total as a string', { amount: { total: '140.76', shipping: 9.95, tax: 11.81 } }],
  ['a negative shipping', { amount: { total: 140.76, shipping: -9.95, tax: 11.81 } }],
  ['no order items', { orderItems: [] }],
  ['more than 500 order items', { orderItems: Array.from({ length: 501 }, () => items({}).orderItems[0]) }],
  ['a fractional quantity', items({ quantity: 1.5 })],
  ['a zero quantity', items({ quantity: 0 })],
  ['a quantity over 99,999,999', items({ quantity: 100_000_000 })],
  ['an empty item name', items({ name: '' })],
  ['an item name over 255 characters', items({ name: 'x'.repeat(256) })],
  ['a control character in an item name', items({ name: 'x\ny' })],
  ['an empty sku', items({ sku: '' })],
  ['a sku over 200 characters', items({ sku: 'x'.repeat(201) })],
  ['a negative unit price', items({ unitPrice: -1 })],
  ['an unknown item field', items({ colour: 'red' })],
  ['an invalid email', customer({ email: 'not-an-email' })],
  ['a phone not in E.164', customer({ phone: '0412345678' })],
  ['a first name over 255 characters', customer({ firstName: 'x'.repeat(256) })],
  ['an unknown country', billing({ country: 'XX' })],
  ['a city over 100 characters', billing({ city: 'x'.repeat(101) })],
  ['a postal code over 50 characters', billing({ postalCode: '1'.repeat(51) })],
  ['an unknown address field', billing({ county: 'x' })],
  ['a shipping type over 64 characters', { shipping: { type: 'x'.repeat(65) } }],
  [
    'additionalInformation with 51 keys',
    { additionalInformation: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
  ],
  ['an additionalInformation value over 500 characters', { additionalInformation: { a: 'x'.repeat(501) } }],
  ['a nested additionalInformation value', { additionalInformation: { a: { b: 1 } } }],
  ['a javascript: redirect URL', { redirectUrls: { success: 'javascript:alert(1)' } }],
  ['an ftp: redirect URL', { redirectUrls: { failure: 'ftp://merchant.example.com/x' } }],
  ['an unknown top-level field', { surprise: true }],
  ['an unknown amount field', { amount: { total: 140.76, shipping: 9.95, tax: 11.81, discount: 0 } }],
];

describe('the OpenAPI contract', () => {
  let c: Context;
  let contract: ApiContract;

  beforeAll(async () => {
    const h = await startHarness({
      routes: [gr4vyRoute(ROUTE_ID)],
      // Webhook cases register endpoints on loopback: what they queue fails there, never off this machine.
      env: { ROUTING_HEALTH_CACHE_MS: '0', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
    });
    const outage = await startHarness({
      sandboxUrl: h.sandboxUrl,
      gr4vy: h.gr4vy,
      routes: [gr4vyRoute(ROUTE_ID)],
      env: {
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        ROUTING_DEADLINE_MS: '500',
        REQUEST_TIMEOUT_MS: '1000',
      },
    });
    const redis = new Redis(requiredEnv('REDIS_URL'));
    const token = await merchantToken(`merchant_contract_${randomUUID()}`);
    const authorised = (req: request.Test) => req.set('Authorization', `Bearer ${token}`);
    c = {
      h,
      outage,
      redis,
      token,
      create: (body = sessionBody(), key = randomUUID(), url = h.url) =>
        authorised(request(url).post(SESSIONS))
          .set('Idempotency-Key', key)
          .send(body as object),
      preview: (body) => authorised(request(h.url).post(PREVIEW)).send(body as object),
      get: (sessionId, url = h.url) => authorised(request(url).get(`${SESSIONS}/${sessionId}`)),
      cancel: (sessionId, url = h.url) => authorised(request(url).post(`${SESSIONS}/${sessionId}/cancel`)),
      async newSession() {
        const res = await c.create();
        expect(res.status).toBe(201);
        return res.body.sessionId as string;
      },
      async paidSession() {
        const sessionId = await c.newSession();
        await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.approve);
        expect((await pay(h.url, sessionId)).body.status).toBe('COMPLETED');
        return sessionId;
      },
      money: (path, sessionId, body, key = randomUUID(), url = h.url) => {
        const req = authorised(request(url).post(`${SESSIONS}/${sessionId}/${path}`)).set(
          'Idempotency-Key',
          key,
        );
        return body === undefined ? req : req.send(body);
      },
    };
    const served = await request(h.url).get('/api/docs-json');
    expect(served.status).toBe(200);
    contract = new ApiContract(served.body as Record<string, unknown>);
  });

  beforeEach(async () => {
    await sandboxAdmin.clearFaults(c.h.sandboxUrl);
    await resetRouteHealth(c.redis, [ROUTE_ID]);
  });

  afterAll(async () => {
    await c?.outage.close();
    await c?.h.close();
    c?.redis.disconnect();
    await closeDb();
  });

  it('lints clean with Redocly: no error, no warning', async () => {
    const lint: LintResult = await redoclyLint(contract.document);
    expect(lint.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(lint.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });

  it('has a case for every documented (operation, status), and documents every case', () => {
    const cased = new Set(CASES.map((k) => `${k.operation} ${k.status}`));
    const documented = contract.documentedPairs();
    expect(documented.filter((pair) => !cased.has(pair))).toEqual([]);
    expect([...cased].filter((pair) => !documented.includes(pair))).toEqual([]);
  });

  it.each(CASES.map((k) => [`${k.operation} ${k.status}: ${k.name}`, k] as const))('%s', async (_name, k) => {
    const res = await k.send(c);
    expect(res.status).toBe(k.status);
    expect(contract.responseProblems(k.operation, res)).toEqual([]);
    if (k.code) expect(res.body.code).toBe(k.code);
    for (const [name, value] of Object.entries(k.headers ?? {})) expect(res.headers[name]).toBe(value);
  });

  it('documents the example order as a valid body', () => {
    expect(contract.requestBodyProblems('POST /api/v1/sessions', sessionBody())).toEqual([]);
  });

  it.each(REFUSED_BODIES)('refuses %s, as the document does', async (_name, overrides) => {
    const body: unknown = JSON.parse(JSON.stringify(sessionBody(overrides)));
    const res = await c.preview(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(contract.requestBodyProblems('POST /api/v1/routing/preview', body)).not.toEqual([]);
  });
});
