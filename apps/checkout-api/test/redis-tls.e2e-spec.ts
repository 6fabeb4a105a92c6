import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { closeDb } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, startHarness } from './support/harness';
import { clusterEnv, sentinelEnv, topologies } from './support/topology';
import { merchantToken } from './support/tokens';

/* Every server here speaks TLS only, with a certificate from a CA of the test run's own, and needs a password. */
describe('Redis over TLS with a password, in each mode', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await closeDb();
  });

  async function serviceOn(env: Record<string, string>): Promise<Harness> {
    const h = await startHarness({ env });
    stops.push(() => h.close());
    return h;
  }

  async function createAndReplay(h: Harness) {
    const token = await merchantToken(`merchant_${randomUUID()}`);
    const body = sessionBody();
    const key = randomUUID();
    const send = () =>
      request(h.url)
        .post('/api/v1/sessions')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', key)
        .send(body);
    const first = await send();
    const replay = await send();
    return { first, replay };
  }

  const readyWithin = async (url: string, expected: number) => {
    let status = 0;
    for (let i = 0; i < 50 && status !== expected; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      status = (await request(url).get('/health/ready')).status;
    }
    return status;
  };

  it('one server: rediss:// with REDIS_PASSWORD and REDIS_TLS_CA_FILE creates and replays', async () => {
    const redis = await topologies.single({ tls: true });
    stops.push(() => topologies.stop(redis));
    const h = await serviceOn({
      REDIS_URL: redis.url,
      REDIS_PASSWORD: redis.password,
      REDIS_TLS_CA_FILE: redis.caFile as string,
    });
    expect(redis.url).toMatch(/^rediss:\/\//);
    expect(await readyWithin(h.url, 200)).toBe(200);
    const { first, replay } = await createAndReplay(h);
    expect(first.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  it('one server: without the CA that signed its certificate, the service does not trust it and is not ready', async () => {
    const redis = await topologies.single({ tls: true });
    stops.push(() => topologies.stop(redis));
    const h = await serviceOn({ REDIS_URL: redis.url, REDIS_PASSWORD: redis.password });
    // Given the time the trusted cases need to become ready, it stays unready.
    expect(await readyWithin(h.url, 200)).toBe(503);
    expect((await request(h.url).get('/health/ready')).body.checks.redis).toBe('down');
  });

  it('a cluster: REDIS_CLUSTER_NODES with REDIS_TLS=true, the CA file and the password creates and replays', async () => {
    const cluster = await topologies.cluster({ tls: true });
    stops.push(() => topologies.stop(cluster));
    const env = clusterEnv(cluster);
    expect(env).toMatchObject({ REDIS_TLS: 'true', REDIS_TLS_CA_FILE: expect.any(String) });
    const h = await serviceOn(env);
    expect(await readyWithin(h.url, 200)).toBe(200);
    const { first, replay } = await createAndReplay(h);
    expect(first.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('sentinels: REDIS_SENTINELS with REDIS_TLS=true, both passwords and the CA file creates and replays', async () => {
    const sentinel = await topologies.sentinel({ tls: true });
    stops.push(() => topologies.stop(sentinel));
    const h = await serviceOn(sentinelEnv(sentinel));
    expect(await readyWithin(h.url, 200)).toBe(200);
    const { first, replay } = await createAndReplay(h);
    expect(first.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});
