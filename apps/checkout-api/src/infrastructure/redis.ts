import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/app-config';

/** The service's Redis: one server (possibly behind Sentinel) or a Cluster; the stores use either alike. */
export type RedisClient = Redis | Cluster;

/**
 * Fail fast: no offline queue and one retry per command, so that while Redis is
 * down requests get a quick 503 instead of hanging; the client keeps reconnecting
 * in the background and recovers by itself.
 */
const FAIL_FAST = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
  retryStrategy: (times: number) => Math.min(50 * times, 1000),
  // A primary demoted by a failover answers READONLY: reconnecting finds the new primary.
  reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
} satisfies RedisOptions;

export type RedisConnection =
  | { kind: 'single'; url: string; options: RedisOptions }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; options: ClusterOptions };

/** How to connect for the configured topology (pure: what createRedisClient hands to ioredis). */
export function redisConnection(config: RedisConfig): RedisConnection {
  const tls = config.tls ? (config.tls.ca ? { ca: config.tls.ca } : {}) : undefined;
  const auth = config.password ? { password: config.password } : {};
  const topology = config.topology;
  switch (topology.kind) {
    case 'single':
      return {
        kind: 'single',
        url: topology.url,
        options: { ...FAIL_FAST, ...auth, ...(tls ? { tls } : {}), enableAutoPipelining: true },
      };
    case 'sentinel':
      return {
        kind: 'sentinel',
        options: {
          ...FAIL_FAST,
          ...auth,
          sentinels: topology.sentinels,
          name: topology.name,
          ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
          ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
          sentinelCommandTimeout: 1000,
          // Follows a failover as soon as the sentinels announce it, not at the next error.
          failoverDetector: true,
          enableAutoPipelining: true,
        },
      };
    case 'cluster':
      return {
        kind: 'cluster',
        nodes: topology.nodes,
        options: {
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          scaleReads: 'master',
          // While a master fails over, a command is retried for about maxRedirections × 100 ms, then fails.
          maxRedirections: 16,
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
          slotsRefreshTimeout: 2000,
          clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
          // Keeps the configured host names, so TLS certificates are checked against them.
          dnsLookup: (address, callback) => callback(null, address),
          redisOptions: {
            ...auth,
            ...(tls ? { tls } : {}),
            connectTimeout: FAIL_FAST.connectTimeout,
            commandTimeout: FAIL_FAST.commandTimeout,
            maxRetriesPerRequest: FAIL_FAST.maxRetriesPerRequest,
          },
        },
      };
  }
}

export function createRedisClient(config: RedisConfig): RedisClient {
  const connection = redisConnection(config);
  switch (connection.kind) {
    case 'single':
      return new Redis(connection.url, connection.options);
    case 'sentinel':
      return new Redis(connection.options);
    case 'cluster':
      return new Cluster(connection.nodes, connection.options);
  }
}

/** Every server holding data answers PING in time: the one server, or every master of a cluster. */
export async function pingRedis(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  if (servers.length === 0) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const pongs = await Promise.race([
      Promise.all(servers.map((server) => server.ping())),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis ping timed out')), timeoutMs);
      }),
    ]);
    return pongs.every((pong) => pong === 'PONG');
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const REDIS = Symbol('REDIS');
