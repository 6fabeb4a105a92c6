import type { Cluster, Redis } from 'ioredis';
import { ClaimRequest, ClaimResult, IdempotencyStore, StoredResponse } from './idempotency.store';

/* One key per (merchant, idempotency key), a hash. The braces are a Redis Cluster
 * hash tag; every script touches that single key, so it works on a cluster. */
const CLAIM = `
local rec = redis.call('HMGET', KEYS[1], 'state', 'fp', 'response')
if not rec[1] then
  redis.call('HSET', KEYS[1], 'state', 'in_progress', 'owner', ARGV[1], 'fp', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'claimed'}
end
if rec[2] ~= ARGV[2] then return {'mismatch'} end
if rec[1] == 'in_progress' then return {'in_progress', tostring(redis.call('PTTL', KEYS[1]))} end
return {'completed', rec[3]}
`;

const COMPLETE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'completed', 'response', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'in_progress' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

interface IdempotencyCommands {
  idemClaim(key: string, owner: string, fingerprint: string, leaseMs: string): Promise<string[]>;
  idemComplete(key: string, owner: string, response: string, ttlSeconds: string): Promise<number>;
  idemRelease(key: string, owner: string): Promise<number>;
}

export function idempotencyRedisKey(scope: string, key: string): string {
  return `idem:{${scope}}:${key}`;
}

export class RedisIdempotencyStore extends IdempotencyStore {
  private readonly commands: IdempotencyCommands;

  constructor(redis: Redis | Cluster) {
    super();
    redis.defineCommand('idemClaim', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('idemComplete', { numberOfKeys: 1, lua: COMPLETE });
    redis.defineCommand('idemRelease', { numberOfKeys: 1, lua: RELEASE });
    this.commands = redis as unknown as IdempotencyCommands;
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const [kind, value] = await this.commands.idemClaim(
      idempotencyRedisKey(request.scope, request.key),
      request.owner,
      request.fingerprint,
      String(request.leaseMs),
    );
    switch (kind) {
      case 'claimed':
        return { kind };
      case 'mismatch':
        return { kind };
      case 'in_progress':
        return { kind, retryAfterSeconds: Math.max(1, Math.ceil(Number(value) / 1000)) };
      default:
        return { kind: 'completed', response: JSON.parse(value) as StoredResponse };
    }
  }

  async complete(
    scope: string,
    key: string,
    owner: string,
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<boolean> {
    const done = await this.commands.idemComplete(
      idempotencyRedisKey(scope, key),
      owner,
      JSON.stringify(response),
      String(ttlSeconds),
    );
    return done === 1;
  }

  async release(scope: string, key: string, owner: string): Promise<boolean> {
    return (await this.commands.idemRelease(idempotencyRedisKey(scope, key), owner)) === 1;
  }
}
