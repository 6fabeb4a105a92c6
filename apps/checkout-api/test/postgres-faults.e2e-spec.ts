import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { ApiProcess } from './support/api-process';
import { closeDb, db, sessionIdsByKey } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, processEnv, requiredEnv, sandboxAdmin, startHarness } from './support/harness';
import { LoadMerchant, SteadyLoad, sessionsPerKey } from './support/steady-load';
import { postgresServer } from './support/topology';
import { merchantToken } from './support/tokens';

describe('Postgres faults', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    // Whatever happened in a test, later specs need Postgres back.
    await postgresServer.start();
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    await sandboxAdmin.clearFaults(h.sandboxUrl);
  });

  it('stopped and restarted under load: 503 during the outage and never 500, recovery without a restart, and no half-written session', async () => {
    // Two instances of the built service, each its own process, logging errors so that a 500 names its cause.
    const instanceEnv = processEnv(h, { LOG_LEVEL: 'error' });
    const instances = await Promise.all([ApiProcess.start(instanceEnv), ApiProcess.start(instanceEnv)]);
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 30 });
    const ids = Array.from({ length: 6 }, () => `merchant_${randomUUID()}`);
    const merchants: LoadMerchant[] = await Promise.all(
      ids.map(async (id) => ({ id, token: await merchantToken(id) })),
    );
    const load = new SteadyLoad({ urls: instances.map((i) => i.url), merchants, concurrency: 10 }).start();
    try {
      await load.answersAfter(0, 40);
      const stoppedAt = load.now();
      await postgresServer.stop();
      await load.answersAfter(stoppedAt, 20, { outcome: 503 });
      await new Promise((r) => setTimeout(r, 1000));
      const downReady = await request(instances[0].url).get('/health/ready');
      const restartedAt = load.now();
      await postgresServer.start();
      await load.answersAfter(restartedAt, 40);
      const report = await load.stop();
      const span = load.failureSpan(restartedAt);
      const check = sessionsPerKey(load.records, await sessionIdsByKey(ids));
      const withoutAttempts = await db().query(
        `SELECT s.id FROM checkout_sessions s
         WHERE s.merchant_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM provider_attempts a WHERE a.session_id = s.id)`,
        [ids],
      );
      const succeededWithoutSession = await db().query(
        `SELECT a.session_id FROM provider_attempts a
         WHERE a.merchant_id = ANY($1) AND a.outcome = 'succeeded'
           AND NOT EXISTS (SELECT 1 FROM checkout_sessions s WHERE s.id = a.session_id)`,
        [ids],
      );

      console.log(
        'postgres outage figures',
        JSON.stringify({
          requests: report.requests,
          keys: report.keys,
          byOutcome: report.byOutcome,
          duringOutage: load.outcomesBetween(stoppedAt, restartedAt),
          retriedThenCreated: report.retriedThenCreated,
          sessionsPerKey: check.histogram,
          outageMs: restartedAt - stoppedAt,
          firstCreatedAfterRestartMs: (load.firstSuccessAfter(restartedAt) ?? NaN) - restartedAt,
          lastFailureAfterRestartMs: span ? span[1] - restartedAt : null,
        }),
      );

      expect(downReady.status).toBe(503);
      expect(downReady.body.checks.postgres).toBe('down');
      for (const instance of instances) {
        expect(instance.logs.split('\n').filter((line) => line.includes('unhandled error'))).toEqual([]);
      }
      expect(report.byOutcome['500']).toBeUndefined();
      expect(Object.keys(report.byOutcome).filter((o) => !['201', '503', '409'].includes(o))).toEqual([]);
      expect(load.outcomesBetween(stoppedAt, restartedAt)['503']).toBeGreaterThan(0);
      expect(report.unfinished).toEqual([]);
      expect(check.histogram).toEqual({ 1: report.keys });
      expect(check.lost).toEqual([]);
      expect(check.strays).toEqual([]);
      expect(withoutAttempts.rows).toEqual([]);
      expect(succeededWithoutSession.rows).toEqual([]);
      for (const instance of instances) {
        expect((await request(instance.url).get('/health/ready')).status).toBe(200);
      }
    } finally {
      await load.stop();
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  });

  it('a pool exhausted by blocked queries: the next requests wait DB_ACQUIRE_TIMEOUT_MS at most, then get 503, never a hang', async () => {
    const api = await ApiProcess.start(processEnv(h, { DB_POOL_SIZE: '2', DB_ACQUIRE_TIMEOUT_MS: '300' }));
    const token = await merchantToken(`merchant_${randomUUID()}`);
    // Sent at once (a supertest request starts only when awaited).
    const create = () =>
      request(api.url)
        .post('/api/v1/sessions')
        .timeout({ response: 20_000 })
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', randomUUID())
        .send(sessionBody())
        .then((res) => res);
    const blocker = new Client({ connectionString: requiredEnv('DATABASE_URL') });
    await blocker.connect();
    // Asked on another connection: inside the blocker's transaction pg_stat_activity would be a frozen snapshot.
    const lockWaiters = async () =>
      (
        await db().query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%checkout_sessions%'`,
        )
      ).rows[0].n as number;
    try {
      // Every query on the sessions table now blocks: the two pooled connections get stuck behind the lock.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE checkout_sessions IN ACCESS EXCLUSIVE MODE');
      const stuck = [create(), create()];
      for (let i = 0; i < 200 && (await lockWaiters()) < 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await lockWaiters()).toBe(2);

      const started = Date.now();
      const waiting = await Promise.all(Array.from({ length: 4 }, create));
      const answeredAfterMs = Date.now() - started;
      const stillStuck = await lockWaiters();
      await blocker.query('ROLLBACK');
      const unstuck = await Promise.all(stuck);
      const after = await create();

      console.log(
        'pool exhaustion figures',
        JSON.stringify({
          waitingRequests: waiting.map((r) => r.status),
          answeredAfterMs,
          blockedRequests: unstuck.map((r) => r.status),
          afterRelease: after.status,
        }),
      );

      for (const res of waiting) {
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('1');
      }
      // The 503s came from the bounded wait for a connection: the two queries ahead were still blocked.
      expect(stillStuck).toBe(2);
      for (const res of unstuck) expect([201, 503]).toContain(res.status);
      expect(after.status).toBe(201);
    } finally {
      await blocker.end();
      await api.stop();
    }
  });
});
