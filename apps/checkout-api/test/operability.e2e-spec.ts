import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import Redis from 'ioredis';
import request from 'supertest';
import { ApiProcess } from './support/api-process';
import { closeDb, db } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, requiredEnv, sandboxAdmin, startHarness, processEnv } from './support/harness';
import { merchantToken, TEST_JWT_SECRET } from './support/tokens';
import { SessionExpirySweeper } from '../src/sessions/expire-sessions/session-expiry.sweeper';

interface Answer {
  status: number;
  connection?: string;
  /** Date.now() when the whole response had arrived. */
  endedAt: number;
}

/* node:http rather than fetch, to control the keep-alive sockets (agent: false opens a new connection). */
function send(
  base: string,
  agent: Agent | false,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method, agent, headers }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, endedAt: Date.now() }),
      );
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('operability', () => {
  let h: Harness;
  let merchant: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({ env: { SESSION_SWEEP_INTERVAL_MS: '0' } });
  });
  afterAll(async () => {
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    merchant = `merchant_${randomUUID()}`;
    token = await merchantToken(merchant);
    await sandboxAdmin.clearFaults(h.sandboxUrl);
  });

  const post = (body: Record<string, unknown>, key = randomUUID(), url = h.url) =>
    request(url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', key)
      .send(body);

  describe('GET /metrics', () => {
    it('exports request, session, provider, idempotency, circuit, pool and process metrics after a few requests', async () => {
      const body = sessionBody();
      const key = randomUUID();
      await post(body, key);
      await post(body, key);
      await post(sessionBody(), key);
      const res = await request(h.url).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      const text = res.text;
      expect(text).toMatch(
        /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/sessions",status_code="201"\} \d+/,
      );
      expect(text).toMatch(/checkout_sessions_total\{route="gr4vy-card",outcome="created"\} \d+/);
      expect(text).toMatch(/checkout_sessions_total\{route="gr4vy-card",outcome="replayed"\} \d+/);
      expect(text).toMatch(
        /provider_attempt_duration_seconds_count\{route="gr4vy-card",outcome="succeeded"\} \d+/,
      );
      for (const outcome of ['new', 'replay', 'mismatch']) {
        expect(text).toMatch(new RegExp(`idempotency_requests_total\\{outcome="${outcome}"\\} [1-9]`));
      }
      expect(text).toMatch(/route_circuit_state\{route="gr4vy-card"\} 0/);
      expect(text).toMatch(/db_pool_connections\{state="total"\} [1-9]/);
      expect(text).toMatch(/redis_connection_up 1/);
      expect(text).toContain('process_resident_memory_bytes');
    });
  });

  describe('hardening', () => {
    it('sets security headers, keeps CORS off unless configured, and echoes X-Request-Id', async () => {
      const res = await request(h.url)
        .get('/health/live')
        .set('Origin', 'https://evil.example')
        .set('X-Request-Id', 'req-abc-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['x-request-id']).toBe('req-abc-123');
    });
  });

  describe('OpenAPI', () => {
    it('serves a document listing /api/v1/sessions behind bearer auth, with its headers and every documented error', async () => {
      const res = await request(h.url).get('/api/docs-json');
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      });
      const create = doc.paths['/api/v1/sessions'].post;
      expect(create.security).toEqual([{ bearer: [] }]);
      expect(create.parameters).toContainEqual(
        expect.objectContaining({
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[ -~]+$' },
        }),
      );
      expect(Object.keys(create.responses).sort()).toEqual(
        ['201', '400', '401', '409', '413', '415', '422', '500', '502', '503', '504'].sort(),
      );
      expect(create.responses['400'].description).toContain('Missing required header: Idempotency-Key');
      expect(create.responses['422'].description).toContain(
        'This idempotency key was already used with different request parameters',
      );
      const schema = doc.components.schemas.CreateSessionRequest;
      expect(schema.required).toEqual(
        expect.arrayContaining(['orderReference', 'paymentMethod', 'currency', 'amount', 'orderItems']),
      );
      expect(doc.paths['/api/v1/sessions/{sessionId}'].get.responses['200']).toBeDefined();
      const ui = await request(h.url).get('/api/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger-ui');
    });
  });

  describe('session expiry', () => {
    it('shows a PENDING session past expiresAt as EXPIRED on read and marks it in the store', async () => {
      const created = await post(sessionBody());
      await db().query(
        `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [created.body.sessionId],
      );
      const res = await request(h.url)
        .get(`/api/v1/sessions/${created.body.sessionId}`)
        .set('Authorization', `Bearer ${token}`);
      expect(res.body.status).toBe('EXPIRED');
      const { rows } = await db().query('SELECT status FROM checkout_sessions WHERE id = $1', [
        created.body.sessionId,
      ]);
      expect(rows[0].status).toBe('EXPIRED');
    });

    it('sweeps expired sessions, and concurrent sweeps mark each one exactly once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await post(sessionBody())).body.sessionId);
      await db().query(
        `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`,
        [ids],
      );
      const sweeper = h.app.get(SessionExpirySweeper);
      const other = new SessionExpirySweeper(
        { sessionSweepIntervalMs: 0 } as never,
        (sweeper as unknown as { sessions: never }).sessions,
      );
      const [a, b] = await Promise.all([sweeper.sweep(), other.sweep()]);
      expect(a + b).toBeGreaterThanOrEqual(4);
      const { rows } = await db().query('SELECT status FROM checkout_sessions WHERE id = ANY($1)', [ids]);
      expect(rows.map((r: { status: string }) => r.status)).toEqual([
        'EXPIRED',
        'EXPIRED',
        'EXPIRED',
        'EXPIRED',
      ]);
      const orderReuse = await post(sessionBody());
      expect(orderReuse.status).toBe(201);
    });
  });

  describe('as a process', () => {
    it('logs JSON lines with the request id and none of the secrets or personal data', async () => {
      const api = await ApiProcess.start(processEnv(h, { LOG_LEVEL: 'debug' }));
      try {
        const body = sessionBody();
        const requestId = `trace-${randomUUID()}`;
        const ok = await request(api.url)
          .post('/api/v1/sessions')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', randomUUID())
          .set('X-Request-Id', requestId)
          .send(body);
        expect(ok.status).toBe(201);
        await sandboxAdmin.fault(h.sandboxUrl, {
          provider: 'gr4vy',
          mode: 'status',
          status: 500,
          remaining: 1,
        });
        await request(api.url)
          .post('/api/v1/sessions')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', randomUUID())
          .send(sessionBody());
        await request(api.url)
          .post('/api/v1/sessions')
          .set('Authorization', 'Bearer not-a-token')
          .send('{bad json');
        await new Promise((r) => setTimeout(r, 300));
        const logs = api.logs;
        const lines = logs.split('\n').filter((line) => line.startsWith('{'));
        expect(lines.length).toBeGreaterThan(3);
        const completed = lines.map((line) => JSON.parse(line)).find((entry) => entry.req?.id === requestId);
        expect(completed).toMatchObject({
          req: { method: 'POST', path: '/api/v1/sessions' },
          res: { statusCode: 201 },
        });
        const failureId = lines
          .map((line) => JSON.parse(line))
          .find((entry) => entry.msg === 'provider attempt failed');
        expect(failureId?.requestId).toEqual(expect.any(String));
        for (const secret of [
          token,
          TEST_JWT_SECRET,
          'not-a-token',
          'jane.smith@example.com',
          '+61412345678',
          'Smith',
          'Collins Street',
          'PRIVATE KEY',
          h.gr4vy.privateKeyPem.split('\n')[1],
        ]) {
          expect(logs).not.toContain(secret);
        }
      } finally {
        await api.stop();
      }
    });

    const createHeaders = () => ({
      authorization: `Bearer ${token}`,
      'idempotency-key': randomUUID(),
      'content-type': 'application/json',
    });

    it('on SIGTERM with 16 creates in flight from keep-alive clients: every create gets its 201 with Connection: close, idle sockets do not hold it up, and it exits 0 right after the last response', async () => {
      const api = await ApiProcess.start(processEnv(h));
      const agent = new Agent({ keepAlive: true, maxSockets: 24 });
      try {
        // 24 sockets kept alive by earlier requests: 16 carry the creates, the others stay idle through the drain.
        await Promise.all(Array.from({ length: 24 }, () => send(api.url, agent, 'GET', '/health/live')));
        expect(Object.values(agent.freeSockets).flat().length).toBeGreaterThan(16);
        await sandboxAdmin.clearRequests(h.sandboxUrl);
        await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 600 });
        const creates = Array.from({ length: 16 }, () =>
          send(api.url, agent, 'POST', '/api/v1/sessions', createHeaders(), JSON.stringify(sessionBody())),
        );
        while ((await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).length < 16) {
          await new Promise((r) => setTimeout(r, 20));
        }
        const signalledAt = Date.now();
        const code = await api.stop('SIGTERM');
        const answers = await Promise.all(creates);
        const lastResponseAt = Math.max(...answers.map((a) => a.endedAt));
        const exitAfterLastResponseMs = (api.exitedAt ?? NaN) - lastResponseAt;
        console.log(
          'sigterm figures',
          JSON.stringify({
            inFlight: answers.length,
            statuses: answers.map((a) => a.status),
            connectionClose: answers.filter((a) => a.connection === 'close').length,
            exitCode: code,
            lastResponseAfterSignalMs: lastResponseAt - signalledAt,
            exitAfterLastResponseMs,
          }),
        );

        expect(code).toBe(0);
        expect(answers.map((a) => a.status)).toEqual(Array(16).fill(201));
        expect(answers.map((a) => a.connection)).toEqual(Array(16).fill('close'));
        // The bound is 1 s and the printed figure is what to compare with it; this assertion allows a
        // loaded CI machine 3 s, still far below the 25 s drain that idle keep-alive sockets used to hold it for.
        expect(exitAfterLastResponseMs).toBeLessThan(3000);
      } finally {
        agent.destroy();
        await api.stop();
      }
    });

    it('with SHUTDOWN_DELAY_MS, readiness turns 503 at once while the listener still serves new connections, then it exits 0', async () => {
      const api = await ApiProcess.start(processEnv(h, { SHUTDOWN_DELAY_MS: '3000' }));
      const exited = api.stop('SIGTERM');
      let ready = await send(api.url, false, 'GET', '/health/ready');
      for (let i = 0; i < 100 && ready.status !== 503; i++) {
        await new Promise((r) => setTimeout(r, 20));
        ready = await send(api.url, false, 'GET', '/health/ready');
      }
      const created = await send(
        api.url,
        false,
        'POST',
        '/api/v1/sessions',
        createHeaders(),
        JSON.stringify(sessionBody()),
      );
      expect(ready.status).toBe(503);
      expect(created.status).toBe(201);
      expect(created.connection).toBe('close');
      expect(await exited).toBe(0);
      await expect(send(api.url, false, 'GET', '/health/live')).rejects.toThrow(/ECONNREFUSED/);
    });

    it('on SIGTERM under load answers every accepted request in full, leaves no claim in progress, and exits 0', async () => {
      const api = await ApiProcess.start(processEnv(h, { SHUTDOWN_DRAIN_MS: '10000' }));
      await sandboxAdmin.clearRequests(h.sandboxUrl);
      await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 400 });
      const send = () =>
        fetch(`${api.url}/api/v1/sessions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'idempotency-key': randomUUID(),
            'content-type': 'application/json',
            connection: 'close',
          },
          body: JSON.stringify(sessionBody()),
        }).then(
          async (res) => ({ status: res.status, body: (await res.json()) as { sessionId?: string } }),
          (error: Error) => ({ status: 0, error: String(error.cause ?? error), body: {} }),
        );
      const inFlight = Array.from({ length: 12 }, send);
      while ((await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).length < 12) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const exited = api.stop('SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      const late = await send();
      const results = await Promise.all(inFlight);
      expect(await exited).toBe(0);

      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      expect(late.status === 0 || late.status === 503).toBe(true);
      const { rows } = await db().query(
        'SELECT count(*)::int AS n FROM checkout_sessions WHERE merchant_id = $1',
        [merchant],
      );
      expect(rows[0].n).toBe(12);
      const redis = new Redis(requiredEnv('REDIS_URL'));
      try {
        const keys = await redis.keys(`idem:{${merchant}}:*`);
        expect(keys.length).toBeGreaterThanOrEqual(12);
        const states = await Promise.all(keys.map((k) => redis.hget(k, 'state')));
        expect(states.filter((s) => s === 'in_progress')).toEqual([]);
      } finally {
        redis.disconnect();
      }
    });
  });
});
