import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import Redis, { Cluster } from 'ioredis';
import {
  BreakerPolicy,
  breakerTransition,
  circuitState,
  parseHealth,
  RecordedOutcome,
  RedisRouteHealthStore,
  RouteHealth,
  routeHealthKey,
  WINDOW_BUCKETS,
} from '@app/routing';
import { createRedisClient } from '../src/infrastructure/redis';
import { requiredEnv } from './support/harness';
import { RedisClusterProcess } from './support/redis-cluster-process';

const WINDOW_MS = 10_000;
const NOW = 1_700_000_000_000;
const BUCKET = Math.floor(NOW / (WINDOW_MS / WINDOW_BUCKETS));
const run = randomUUID().slice(0, 8);

const policy: BreakerPolicy = {
  consecutiveFailures: 3,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  coolDownMs: 1000,
};

const probeKey = (routeId: string) => `route:{${routeId}}:probe`;

/* The production client (auto-pipelining on, no offline queue): it takes commands once it is ready. */
async function readyClient(): Promise<Redis> {
  const client = createRedisClient({ topology: { kind: 'single', url: requiredEnv('REDIS_URL') } }) as Redis;
  await once(client, 'ready');
  return client;
}

/** The counts the breaker decides on, without the latency average. */
function counts(health: RouteHealth | undefined) {
  return {
    windowSuccesses: health?.windowSuccesses,
    windowFailures: health?.windowFailures,
    consecutiveFailures: health?.consecutiveFailures,
    openedAt: health?.openedAt,
  };
}

/**
 * The client of another instance's store, which lets `interleave` run right after the first command it sends
 * has been answered: the window in which, before the fix, the breaker's follow-up write had not been sent yet.
 */
function interleavingAfterFirstCommand(client: Redis, interleave: () => Promise<void>): Redis {
  let done = false;
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (done || typeof (result as Promise<unknown> | undefined)?.then !== 'function') return result;
        done = true;
        return (result as Promise<unknown>).then(async (reply) => {
          await interleave();
          return reply;
        });
      };
    },
  });
}

describe('RedisRouteHealthStore on a single Redis', () => {
  let redis: Redis;
  let store: RedisRouteHealthStore;

  beforeAll(async () => {
    redis = await readyClient();
    store = new RedisRouteHealthStore(redis, WINDOW_MS);
  });
  afterAll(() => redis.disconnect());

  it('decides every move in its script exactly as breakerTransition and circuitState do', async () => {
    const tablePolicies: BreakerPolicy[] = [
      { consecutiveFailures: 3, failureRateThreshold: 0.5, minimumCalls: 4, coolDownMs: 1000 },
      { consecutiveFailures: 2, failureRateThreshold: 0.3, minimumCalls: 3, coolDownMs: 500 },
    ];
    const routeId = `parity-${run}`;
    const key = routeHealthKey(routeId);
    const mismatches: unknown[] = [];
    const movesSeen = new Set<string>();
    for (const tablePolicy of tablePolicies) {
      const openedAges = [
        undefined,
        0,
        tablePolicy.coolDownMs - 1,
        tablePolicy.coolDownMs,
        tablePolicy.coolDownMs * 10,
      ];
      for (const successes of [0, 1, 2, 3, 5])
        for (const failures of [0, 1, 2, 3, 5])
          for (const consecutive of [0, 1, 2, 3])
            for (const openedAge of openedAges)
              for (const succeeded of [true, false]) {
                await redis.del(key, probeKey(routeId));
                // Counts spread over buckets of the window, plus failures in a bucket that has just left it.
                const hash: Record<string, string> = {
                  consec: String(consecutive),
                  [`f:${BUCKET - WINDOW_BUCKETS}`]: '7',
                };
                if (successes) hash[`s:${BUCKET}`] = String(successes);
                if (failures) hash[`f:${BUCKET - 1}`] = String(failures);
                if (openedAge !== undefined) hash.opened = String(NOW - openedAge);
                await redis.hset(key, hash);
                if (openedAge !== undefined) await redis.set(probeKey(routeId), '1');

                const before = parseHealth(hash, BUCKET);
                const after = {
                  windowSuccesses: before.windowSuccesses + (succeeded ? 1 : 0),
                  windowFailures: before.windowFailures + (succeeded ? 0 : 1),
                  consecutiveFailures: succeeded ? 0 : before.consecutiveFailures + 1,
                };
                const state = circuitState(before, tablePolicy, NOW);
                const transition = breakerTransition(state, after, succeeded, tablePolicy);
                const fresh = { windowSuccesses: 0, windowFailures: 0, consecutiveFailures: 0 };
                const expectedHealth =
                  transition === 'open'
                    ? { ...after, openedAt: NOW }
                    : transition === 'close'
                      ? fresh
                      : { ...after, openedAt: before.openedAt };
                const expected = {
                  moved: ({ open: 'opened', close: 'closed', none: null } as const)[transition],
                  returned: counts(expectedHealth),
                  stored: counts(expectedHealth),
                  probeHeld: openedAge !== undefined && transition !== 'close',
                };

                const recorded: RecordedOutcome = await store.record(
                  { routeId, succeeded, latencyMs: 120 },
                  tablePolicy,
                  NOW,
                );
                const actual = {
                  moved: recorded.moved,
                  returned: counts(recorded.health),
                  stored: counts((await store.snapshot([routeId], NOW)).get(routeId)),
                  probeHeld: (await redis.exists(probeKey(routeId))) === 1,
                };
                if (!isDeepStrictEqual(actual, expected))
                  mismatches.push({ policy: tablePolicy, hash, succeeded, expected, actual });
                const byRate = after.consecutiveFailures < tablePolicy.consecutiveFailures;
                movesSeen.add(
                  `${state} ${transition}${transition === 'open' && state === 'closed' ? (byRate ? ' by rate' : ' by streak') : ''}`,
                );
              }
    }
    expect(mismatches).toEqual([]);
    // The table reaches every move of the state machine, so an agreement on it means something.
    expect([...movesSeen].sort()).toEqual([
      'closed none',
      'closed open by rate',
      'closed open by streak',
      'half_open close',
      'half_open open',
      'open none',
    ]);
  });

  it('keeps a failure that another instance records while a probe success closes the circuit', async () => {
    const routeId = `race-${run}`;
    await redis.hset(routeHealthKey(routeId), {
      [`f:${BUCKET}`]: '3',
      consec: '3',
      opened: String(NOW - 2 * policy.coolDownMs),
    });
    const clientB = await readyClient();
    const instanceB = new RedisRouteHealthStore(clientB, WINDOW_MS);
    const clientA = await readyClient();
    let interleaved = 0;
    const instanceA = new RedisRouteHealthStore(
      interleavingAfterFirstCommand(clientA, async () => {
        interleaved += 1;
        await instanceB.record({ routeId, succeeded: false, latencyMs: 80 }, policy, NOW);
      }),
      WINDOW_MS,
    );
    try {
      const probe = await instanceA.record({ routeId, succeeded: true, latencyMs: 40 }, policy, NOW);

      expect(interleaved).toBe(1);
      expect(probe.moved).toBe('closed');
      expect(counts((await store.snapshot([routeId], NOW)).get(routeId))).toEqual({
        windowSuccesses: 0,
        windowFailures: 1,
        consecutiveFailures: 1,
        openedAt: undefined,
      });
    } finally {
      clientA.disconnect();
      clientB.disconnect();
    }
  });

  it('reads the health of every route in a single write to Redis', async () => {
    const routeIds = Array.from({ length: 6 }, (_, i) => `snapshot-${i}-${run}`);
    for (const [i, routeId] of routeIds.entries())
      await store.record({ routeId, succeeded: i % 2 === 0, latencyMs: 100 }, policy, NOW);
    const write = jest.spyOn(redis.stream, 'write');
    try {
      const health = await store.snapshot(routeIds, NOW);

      expect(write).toHaveBeenCalledTimes(1);
      expect(routeIds.map((id) => counts(health.get(id)))).toEqual(
        routeIds.map((_, i) => ({
          windowSuccesses: i % 2 === 0 ? 1 : 0,
          windowFailures: i % 2 === 0 ? 0 : 1,
          consecutiveFailures: i % 2 === 0 ? 0 : 1,
          openedAt: undefined,
        })),
      );
    } finally {
      write.mockRestore();
    }
  });
});

describe('RedisRouteHealthStore on a Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  let client: Cluster;
  let store: RedisRouteHealthStore;
  // Fixed ids on a private cluster: their slots, and so the masters that serve them, do not change between runs.
  const routeIds = ['gr4vy-au', 'gr4vy-us', 'stripe-eu', 'stripe-gb', 'backup-eu', 'solo-gb'];

  beforeAll(async () => {
    cluster = await RedisClusterProcess.start(3);
    client = new Cluster(cluster.startupNodes, { enableAutoPipelining: true });
    await once(client, 'ready');
    store = new RedisRouteHealthStore(client, WINDOW_MS);
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('reads one snapshot of routes whose keys live on different masters', async () => {
    const masters = new Set<number>();
    for (const id of routeIds)
      masters.add(cluster.masterOf(Number(await client.call('CLUSTER', 'KEYSLOT', routeHealthKey(id)))).port);
    expect(masters.size).toBe(3);
    for (const [i, routeId] of routeIds.entries())
      for (let n = 0; n <= i; n++)
        await store.record({ routeId, succeeded: true, latencyMs: 50 }, policy, NOW);

    const health = await store.snapshot(routeIds, NOW);

    expect(routeIds.map((id) => health.get(id)?.windowSuccesses)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('opens a circuit, hands out its single probe slot, and closes it on the probe success', async () => {
    const routeId = 'probed-route';
    const moves: Array<RecordedOutcome['moved']> = [];
    for (let i = 0; i < policy.consecutiveFailures; i++)
      moves.push((await store.record({ routeId, succeeded: false, latencyMs: 50 }, policy, NOW)).moved);
    expect(moves).toEqual([null, null, 'opened']);

    const later = NOW + policy.coolDownMs;
    expect(circuitState((await store.snapshot([routeId], later)).get(routeId) ?? {}, policy, later)).toBe(
      'half_open',
    );
    expect(await store.acquireProbe(routeId, 5000)).toBe(true);
    expect(await store.acquireProbe(routeId, 5000)).toBe(false);

    const probe = await store.record({ routeId, succeeded: true, latencyMs: 50 }, policy, later);

    expect(probe.moved).toBe('closed');
    expect(counts((await store.snapshot([routeId], later)).get(routeId))).toEqual({
      windowSuccesses: 0,
      windowFailures: 0,
      consecutiveFailures: 0,
      openedAt: undefined,
    });
    // The close released the probe slot in the same script, on the same slot as the health hash.
    expect(await store.acquireProbe(routeId, 5000)).toBe(true);
  });
});
