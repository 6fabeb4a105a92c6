import { randomUUID } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';
import request from 'supertest';
import { ApiProcess } from './support/api-process';
import { closeDb, sessionIdsByKey, sessionRows } from './support/db';
import { GR4VY_SERVICE_AU, gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, processEnv, sandboxAdmin, startHarness, writeCatalog } from './support/harness';
import { LoadMerchant, SteadyLoad, sessionsPerKey } from './support/steady-load';
import {
  ClusterTopology,
  clusterClient,
  clusterEnv,
  crash,
  masterOfSlot,
  nodeClient,
  replicasOf,
  slotOf,
  topologies,
  until,
} from './support/topology';
import { merchantToken } from './support/tokens';

const GR4VY_SERVICE_GB = 'c4a3b2d1-0f9e-4d8c-b7a6-5e4d3c2b1a00';
const GR4VY_SERVICE_BACKUP = '9d1c7b3a-2e4f-4a6b-8c0d-1e2f3a4b5c6d';

describe('on a Redis Cluster of 3 masters and 3 replicas', () => {
  let topology: ClusterTopology;
  let h: Harness;
  let one: ApiProcess;
  let two: ApiProcess;
  let cluster: Cluster;
  let admin: Redis;
  let routes: { card: string; solo: string; primary: string; backup: string };

  /** The master serving a key's slot, by port. */
  const masterOf = async (key: string) => masterOfSlot(admin, await slotOf(admin, key));

  /* Ids whose hash tags fall on `masters` different masters, so the test crosses nodes for sure. */
  async function idsOnMasters(prefix: string, count: number, keyOf: (id: string) => string, masters = 2) {
    for (;;) {
      const ids = Array.from({ length: count }, () => `${prefix}-${randomUUID().slice(0, 8)}`);
      const ports = new Set(await Promise.all(ids.map((id) => masterOf(keyOf(id)))));
      if (ports.size >= masters) return ids;
    }
  }

  beforeAll(async () => {
    topology = await topologies.cluster();
    // A replica to ask about the cluster: the failover test kills a master, never a replica.
    admin = nodeClient(topology, topology.nodes[topology.nodes.length - 1].port);
    cluster = clusterClient(topology);
    const [card, solo, primary, backup] = await idsOnMasters('route', 4, (id) => `route:{${id}}:health`, 3);
    routes = { card, solo, primary, backup };
    const catalog = [
      gr4vyRoute(card, { currencies: ['AUD'], options: { paymentServiceId: GR4VY_SERVICE_AU } }),
      gr4vyRoute(solo, { currencies: ['GBP'], options: { paymentServiceId: GR4VY_SERVICE_GB } }),
      gr4vyRoute(primary, {
        currencies: ['EUR'],
        priority: 90,
        options: { paymentServiceId: GR4VY_SERVICE_AU },
      }),
      gr4vyRoute(backup, {
        currencies: ['EUR'],
        priority: 10,
        options: { paymentServiceId: GR4VY_SERVICE_BACKUP },
      }),
    ];
    const env = {
      ...clusterEnv(topology),
      CIRCUIT_CONSECUTIVE_FAILURES: '3',
      CIRCUIT_COOL_DOWN_MS: '1500',
      PROVIDER_TIMEOUT_MS: '1000',
      // Every create reads the shared health, so one instance sees at once what the other recorded.
      ROUTING_HEALTH_CACHE_MS: '0',
    };
    // The harness provides the sandbox; the instances under test are the built service, each its own process,
    // logging errors so that a 500 names its cause.
    h = await startHarness({ routes: catalog });
    const instanceEnv = processEnv(h, {
      ...env,
      PROVIDERS_CONFIG: writeCatalog(catalog),
      LOG_LEVEL: 'error',
    });
    [one, two] = await Promise.all([ApiProcess.start(instanceEnv), ApiProcess.start(instanceEnv)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await h?.close();
    cluster?.disconnect();
    admin?.disconnect();
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
  const providerCalls = async (orderReference: unknown) =>
    (await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).filter(
      (r) => (r.body.metadata as Record<string, string> | undefined)?.orderReference === orderReference,
    ).length;

  it('is ready on the cluster, on both instances, and reports its Redis connection up', async () => {
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
    const conflicts = responses.filter((r) => r.status === 409);
    expect(created.length + conflicts.length).toBe(50);
    expect(new Set(created.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(conflicts.every((r) => r.body.code === 'IDEMPOTENCY_KEY_IN_USE')).toBe(true);
    expect(await providerCalls(body.orderReference)).toBe(1);
    expect(await sessionRows(merchant)).toHaveLength(1);
    const replay = await post(two.url, token, body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('scopes keys per merchant: the same key for two merchants on different masters is two sessions', async () => {
    const [a, b] = await idsOnMasters('merchant', 2, (id) => `idem:{${id}}:k`);
    const key = randomUUID();
    const first = await post(one.url, await merchantToken(a), sessionBody(), key);
    const second = await post(two.url, await merchantToken(b), sessionBody(), key);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.sessionId).not.toBe(second.body.sessionId);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    for (const merchant of [a, b]) {
      expect(await cluster.hget(`idem:{${merchant}}:${key}`, 'state')).toBe('completed');
    }
    expect(await masterOf(`idem:{${a}}:${key}`)).not.toBe(await masterOf(`idem:{${b}}:${key}`));
  });

  it('shares route health across instances: a route failing through one instance loses rank on the other', async () => {
    const token = await merchantToken(`merchant_${randomUUID()}`);
    const euro = () =>
      sessionBody({
        currency: 'EUR',
        amount: { total: 20, shipping: 0, tax: 0 },
        orderItems: [{ name: 'Book', quantity: 2, unitPrice: 10 }],
      });
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      paymentServiceId: GR4VY_SERVICE_AU,
      mode: 'status',
      status: 503,
      remaining: 2,
    });
    for (let i = 0; i < 2; i++) {
      const res = await post(one.url, token, euro());
      expect(res.status).toBe(201);
      expect(res.body.routing.selectedProvider).toBe(routes.backup);
    }
    const preview = await request(two.url)
      .post('/api/v1/routing/preview')
      .set('Authorization', `Bearer ${token}`)
      .send(euro());
    const factors = Object.fromEntries(
      (preview.body.candidates as Array<{ routeId: string; factors: { successRate: number } }>).map((c) => [
        c.routeId,
        c.factors,
      ]),
    );
    expect(factors[routes.primary].successRate).toBeLessThan(factors[routes.backup].successRate);
  });

  it('shares the breaker: a circuit opened through one instance is open on the other, and a probe closes it', async () => {
    const token = await merchantToken(`merchant_${randomUUID()}`);
    const pound = () =>
      sessionBody({
        currency: 'GBP',
        amount: { total: 5, shipping: 0, tax: 0 },
        orderItems: [{ name: 'Pen', quantity: 1, unitPrice: 5 }],
      });
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      paymentServiceId: GR4VY_SERVICE_GB,
      mode: 'status',
      status: 503,
    });
    for (let i = 0; i < 3; i++) expect((await post(one.url, token, pound())).status).toBe(502);
    const open = await post(two.url, token, pound());
    expect(open.status).toBe(422);
    expect(open.body.details).toContainEqual({ routeId: routes.solo, reason: 'circuit open' });

    await sandboxAdmin.clearFaults(h.sandboxUrl);
    await sandboxAdmin.clearRequests(h.sandboxUrl);
    await new Promise((r) => setTimeout(r, 1600));
    const probe = await post(two.url, token, pound());
    expect(probe.status).toBe(201);
    expect((await post(one.url, token, pound())).status).toBe(201);
    expect(await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).toHaveLength(2);
  });

  it('a master killed under load: its replica takes over, requests in the window get 503 and never 500, and every key has exactly one session', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, { provider: 'gr4vy', mode: 'latency', latencyMs: 30 });
    const ids = await idsOnMasters('merchant', 9, (id) => `idem:{${id}}:k`, 3);
    const merchants: LoadMerchant[] = await Promise.all(
      ids.map(async (id) => ({ id, token: await merchantToken(id) })),
    );
    const slot = await slotOf(admin, `idem:{${ids[0]}}:k`);
    const victimPort = await masterOfSlot(admin, slot);
    const victim = topology.nodes.find((n) => n.port === victimPort);
    if (!victim) throw new Error(`no node on port ${victimPort}`);
    const replicas = await replicasOf(admin, victim.port);
    const onVictim = [];
    for (const id of ids) if ((await masterOf(`idem:{${id}}:k`)) === victim.port) onVictim.push(id);

    const load = new SteadyLoad({ urls: [one.url, two.url], merchants, concurrency: 12 }).start();
    try {
      await load.answersAfter(0, 40);
      const killedAt = load.now();
      crash(victim);
      const promoted = await until('a replica promoted', async () => {
        const master = await masterOfSlot(admin, slot);
        return master !== victim.port ? master : undefined;
      });
      const promotedAt = load.now();
      await load.answersAfter(promotedAt, 20, { merchants: onVictim });
      await load.answersAfter(load.now(), 40);
      const report = await load.stop();
      const span = load.failureSpan(killedAt);
      const check = sessionsPerKey(load.records, await sessionIdsByKey(ids));

      console.log(
        'redis cluster failover figures',
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

      expect(replicas).toContain(promoted);
      for (const instance of [one, two]) {
        expect(instance.logs.split('\n').filter((line) => line.includes('unhandled error'))).toEqual([]);
      }
      expect(report.byOutcome['500']).toBeUndefined();
      expect(Object.keys(report.byOutcome).filter((o) => !['201', '503', '409'].includes(o))).toEqual([]);
      expect(Object.keys(load.outcomesBetween(killedAt, promotedAt)).length).toBeGreaterThan(0);
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
