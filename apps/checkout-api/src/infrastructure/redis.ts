import Redis from 'ioredis';

/**
 * A Redis client that fails fast: no offline queue and one retry per command,
 * so that while Redis is down requests get a quick 503 instead of hanging; it
 * keeps reconnecting in the background and recovers by itself.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    reconnectOnError: () => false,
    lazyConnect: false,
  });
}

export async function pingRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis ping timed out')), timeoutMs);
      }),
    ]);
    return pong === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const REDIS = Symbol('REDIS');
