import Redis, { Cluster } from 'ioredis';
import { createRedisClient, redisConnection } from './redis';

describe('redisConnection', () => {
  it('gives one server the URL, fail-fast options, and TLS with the CA when configured', () => {
    const connection = redisConnection({
      topology: { kind: 'single', url: 'rediss://cache:6380' },
      password: 'pw',
      tls: { ca: 'PEM' },
    });
    expect(connection).toMatchObject({
      kind: 'single',
      url: 'rediss://cache:6380',
      options: { password: 'pw', tls: { ca: 'PEM' }, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    });
  });

  it('passes the password and TLS to every cluster node and keeps the offline queue off', () => {
    const connection = redisConnection({
      topology: { kind: 'cluster', nodes: [{ host: 'n1', port: 7000 }] },
      password: 'pw',
      tls: {},
    });
    if (connection.kind !== 'cluster') throw new Error(connection.kind);
    expect(connection.nodes).toEqual([{ host: 'n1', port: 7000 }]);
    expect(connection.options).toMatchObject({
      enableOfflineQueue: false,
      scaleReads: 'master',
      redisOptions: { password: 'pw', tls: {}, commandTimeout: 2000 },
    });
  });

  it('asks the sentinels for the primary, with their own password, over TLS to both when on', () => {
    const connection = redisConnection({
      topology: {
        kind: 'sentinel',
        sentinels: [{ host: 's1', port: 26379 }],
        name: 'checkout',
        sentinelPassword: 'spw',
      },
      password: 'pw',
      tls: { ca: 'PEM' },
    });
    expect(connection).toMatchObject({
      kind: 'sentinel',
      options: {
        sentinels: [{ host: 's1', port: 26379 }],
        name: 'checkout',
        password: 'pw',
        sentinelPassword: 'spw',
        tls: { ca: 'PEM' },
        sentinelTLS: { ca: 'PEM' },
        enableTLSForSentinelMode: true,
        failoverDetector: true,
        enableOfflineQueue: false,
      },
    });
  });

  it('sends no password and no TLS when none is configured', () => {
    const connection = redisConnection({ topology: { kind: 'single', url: 'redis://cache:6379' } });
    expect(connection.options).not.toHaveProperty('password');
    expect(connection.options).not.toHaveProperty('tls');
  });

  it('reconnects on READONLY, the answer of a primary demoted by a failover, and on nothing else', () => {
    const { options } = redisConnection({ topology: { kind: 'single', url: 'redis://cache:6379' } });
    const reconnect = (options as { reconnectOnError: (error: Error) => boolean }).reconnectOnError;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnect(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(
      false,
    );
  });
});

describe('createRedisClient', () => {
  it('builds a Cluster client for cluster seeds and a plain client otherwise', () => {
    const cluster = createRedisClient({
      topology: { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }] },
    });
    const single = createRedisClient({ topology: { kind: 'single', url: 'redis://127.0.0.1:1' } });
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect(single).toBeInstanceOf(Redis);
    } finally {
      cluster.disconnect();
      single.disconnect();
    }
  });
});
