import { ReplyError } from 'ioredis';
import { StoreUnavailable } from '@app/common';
import { BreakerPolicy } from './circuit-breaker';
import { RedisRouteHealthStore, RouteHealthRedis } from './redis-route-health.store';

const policy: BreakerPolicy = {
  consecutiveFailures: 3,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  coolDownMs: 1000,
};

/** A client whose every command answers with `reply`, or fails with `failure`. */
function stubClient(outcome: { reply?: unknown; failure?: unknown }) {
  const answer = jest.fn((..._args: unknown[]) =>
    outcome.failure === undefined ? Promise.resolve(outcome.reply) : Promise.reject(outcome.failure),
  );
  const client = { defineCommand: jest.fn(), routeRecord: answer, hgetall: answer, set: answer };
  // The stub has only the commands the store sends; the cast stands in for the rest of ioredis's surface.
  return { client: client as unknown as RouteHealthRedis, answer };
}

const calls: Array<[string, (store: RedisRouteHealthStore) => Promise<unknown>]> = [
  ['snapshot', (store) => store.snapshot(['route-a', 'route-b'], 5000)],
  ['record', (store) => store.record({ routeId: 'route-a', succeeded: true, latencyMs: 10 }, policy, 5000)],
  ['acquireProbe', (store) => store.acquireProbe('route-a', 1000)],
];

describe('RedisRouteHealthStore failures', () => {
  const unavailable: Array<[string, Error]> = [
    ['a closed connection', new Error('Connection is closed.')],
    ['a command timeout', new Error('Command timed out')],
    [
      'retries exhausted',
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    ['a cluster that is down', new ReplyError('CLUSTERDOWN The cluster is down')],
  ];

  describe.each(calls)('%s', (_name, call) => {
    it.each(unavailable)('reports %s as StoreUnavailable, keeping the cause', async (_case, failure) => {
      const store = new RedisRouteHealthStore(stubClient({ failure }).client, 10_000);

      const error: unknown = await call(store).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StoreUnavailable);
      expect(error).toMatchObject({ store: 'redis', code: 'SERVICE_UNAVAILABLE', cause: failure });
    });

    it.each([
      ['a script error', new ReplyError('ERR user_script:12: attempt to compare nil with number')],
      [
        'a wrong-type reply',
        new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      ],
      ['a bug in our code', new TypeError("Cannot read properties of undefined (reading 'length')")],
    ])('lets %s through unchanged', async (_case, failure) => {
      const store = new RedisRouteHealthStore(stubClient({ failure }).client, 10_000);

      await expect(call(store)).rejects.toBe(failure);
    });
  });
});

describe('RedisRouteHealthStore.record', () => {
  it('sends the health and probe keys of one route, which share its Cluster hash tag', async () => {
    const { client, answer } = stubClient({ reply: ['none', 1, 0, 0, '', '10'] });
    const store = new RedisRouteHealthStore(client, 10_000);

    await store.record({ routeId: 'gr4vy-au', succeeded: true, latencyMs: 10 }, policy, 5000);

    expect(client.defineCommand).toHaveBeenCalledWith(
      'routeRecord',
      expect.objectContaining({ numberOfKeys: 2 }),
    );
    expect(answer.mock.calls[0].slice(0, 2)).toEqual(['route:{gr4vy-au}:health', 'route:{gr4vy-au}:probe']);
  });

  it.each([
    [
      'open',
      ['open', 0, 3, 3, '5000', ''],
      {
        moved: 'opened',
        health: { windowSuccesses: 0, windowFailures: 3, consecutiveFailures: 3, openedAt: 5000 },
      },
    ],
    [
      'close',
      ['close', 0, 0, 0, '', ''],
      { moved: 'closed', health: { windowSuccesses: 0, windowFailures: 0, consecutiveFailures: 0 } },
    ],
    [
      'none',
      ['none', 4, 1, 1, '', '12.5'],
      {
        moved: null,
        health: { windowSuccesses: 4, windowFailures: 1, consecutiveFailures: 1, latencyEwmaMs: 12.5 },
      },
    ],
  ])('reports the script’s %s move with the health after it', async (_move, reply, expected) => {
    const store = new RedisRouteHealthStore(stubClient({ reply }).client, 10_000);

    expect(await store.record({ routeId: 'r', succeeded: false, latencyMs: 10 }, policy, 5000)).toEqual(
      expected,
    );
  });
});
