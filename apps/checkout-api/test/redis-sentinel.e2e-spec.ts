import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { ApiProcess } from './support/api-process';
import { closeDb, sessionIdsByKey, sessionRows } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, processEnv, sandboxAdmin, startHarness } from './support/harness';
import { LoadMerchant, SteadyLoad, sessionsPerKey } from './support/steady-load';
import { SentinelTopology, crash, sentinelClient, sentinelEnv, topologies, until } from './support/topology';
import { merchantToken } from './support/tokens';

describe('on Redis with Sentinel: one primary, one replica, three sentinels', () => {
  let topology: SentinelTopology;
  let h: Harness;
  let one: ApiProcess;
  let two: ApiProcess;
  let sentinel: Redis;

  const primaryPort = async () => {
    const [, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', topology.name)) as string[];
    return Number(port);
  };

  beforeAll(async () => {
    topology = await topologies.sentinel();
    sentinel = new Redis({
      host: '127.0.0.1',
      port: Number(topology.sentinels.split(',')[0].split(':')[1]),
      password: topology.sentinelPassword,
    });
    // The harness provides the sandbox; the instances under test are the built service, each its own process,
    // logging errors so that a 500 names its cause.
    h = await startHarness();
    const instanceEnv = processEnv(h, { ...sentinelEnv(topology), LOG_LEVEL: 'error' });
    [one, two] = await Promise.all([ApiProcess.start(instanceEnv), ApiProcess.start(instanceEnv)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await h?.close();
    sentinel?.disconnect();
    if (topology) await topologies.stop(topology);
    await closeDb();
  });
  beforeEach(async () => {
    await sandboxAdmin.clearFaults(h.sandboxUrl);
    await sandboxAdmin.clearRequests(h.sandboxUrl);
  });

  const post = (url: string, token: string, body: Record<string, unknown>, key = randomUUID()) =>
    request(url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', key)
      .send(body);

  it('finds the primary through the sentinels, is ready on both instances, and reports its Redis connection up', async () => {
    for (const url of [one.url, two.url]) {
      const ready = await request(url).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ postgres: 'up', redis: 'up' });
      expect((await request(url).get('/metrics')).text).toMatch(/^redis_connection_up 1$/m);
    }
  });

  it('storm: 50 identical concurrent requests across two instances make one provider call and one row', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 300 });
    const merchant = `merchant_${randomUUID()}`;
    const token = await merchantToken(merchant);
    const body = sessionBody();
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(i % 2 === 0 ? one.url : two.url, token, body, key)),
    );
    const created = responses.filter((r) => r.status === 201);
    expect(created.length + responses.filter((r) => r.status === 409).length).toBe(50);
    expect(new Set(created.map((r) => r.body.sessionId)).size).toBe(1);
    const calls = (await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).filter(
      (r) => (r.body.metadata as Record<string, string> | undefined)?.orderReference === body.orderReference,
    );
    expect(calls).toHaveLength(1);
    expect(await sessionRows(merchant)).toHaveLength(1);
    const stored = sentinelClient(topology);
    try {
      expect(await stored.hget(`idem:{${merchant}}:${key}`, 'state')).toBe('completed');
    } finally {
      stored.disconnect();
    }
  });

  it('the primary killed under load: the sentinels promote the replica, requests in the window get 503 and never 500, and every key has exactly one session', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 30 });
    const ids = Array.from({ length: 6 }, () => `merchant_${randomUUID()}`);
    const merchants: LoadMerchant[] = await Promise.all(
      ids.map(async (id) => ({ id, token: await merchantToken(id) })),
    );
    expect(await primaryPort()).toBe(topology.primary.port);

    const load = new SteadyLoad({ urls: [one.url, two.url], merchants, concurrency: 12 }).start();
    try {
      await load.answersAfter(0, 40);
      const killedAt = load.now();
      crash(topology.primary);
      const promoted = await until('the replica promoted', async () => {
        const port = await primaryPort();
        return port !== topology.primary.port ? port : undefined;
      });
      const promotedAt = load.now();
      await load.answersAfter(promotedAt, 40);
      const report = await load.stop();
      const span = load.failureSpan(killedAt);
      const check = sessionsPerKey(load.records, await sessionIdsByKey(ids));

      console.log(
        'redis sentinel failover figures',
        JSON.stringify({
          requests: report.requests,
          keys: report.keys,
          byOutcome: report.byOutcome,
          inWindow: load.outcomesBetween(killedAt, promotedAt),
          retriedThenCreated: report.retriedThenCreated,
          sessionsPerKey: check.histogram,
          promotedAfterMs: promotedAt - killedAt,
          recoveredAfterMs: span ? span[1] - killedAt : 0,
        }),
      );

      expect(promoted).toBe(topology.replicas[0].port);
      for (const instance of [one, two]) {
        expect(instance.logs.split('\n').filter((line) => line.includes('unhandled error'))).toEqual([]);
      }
      expect(report.byOutcome['500']).toBeUndefined();
      expect(Object.keys(report.byOutcome).filter((o) => !['201', '503', '409'].includes(o))).toEqual([]);
      expect(report.byOutcome['503']).toBeGreaterThan(0);
      expect(report.unfinished).toEqual([]);
      expect(check.histogram).toEqual({ 1: report.keys });
      expect(check.lost).toEqual([]);
      expect(check.strays).toEqual([]);
      for (const url of [one.url, two.url])
        expect((await request(url).get('/health/ready')).status).toBe(200);
    } finally {
      await load.stop();
    }
  });
});
