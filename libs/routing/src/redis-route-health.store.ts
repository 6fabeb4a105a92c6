import type { Cluster, Redis } from 'ioredis';
import { breakerTransition, BreakerPolicy, circuitState, RouteHealth } from './circuit-breaker';
import { CallOutcome, RecordedOutcome, RouteHealthStore } from './route-health.port';

/** How many buckets make the sliding window. */
export const WINDOW_BUCKETS = 10;
/** Weight of the newest observation in the latency EWMA. */
export const LATENCY_EWMA_ALPHA = 0.2;

/* One hash per route (a Redis Cluster hash tag keeps each script on one slot):
 *   s:<bucket> / f:<bucket>  successes and failures per time bucket
 *   consec                   failures in a row
 *   lat                      EWMA of successful call latency, ms
 *   opened                   when the circuit opened, epoch ms (absent while closed)
 * The script counts the outcome, drops buckets that left the window, and returns
 * the counts the breaker decides on. */
const RECORD = `
local bucket = tonumber(ARGV[1])
local buckets = tonumber(ARGV[2])
local ok = ARGV[3] == '1'
redis.call('HINCRBY', KEYS[1], (ok and 's:' or 'f:') .. bucket, 1)
local consec
if ok then
  redis.call('HSET', KEYS[1], 'consec', 0)
  consec = 0
  local prev = redis.call('HGET', KEYS[1], 'lat')
  local lat = tonumber(ARGV[4])
  if prev then lat = tonumber(ARGV[5]) * lat + (1 - tonumber(ARGV[5])) * tonumber(prev) end
  redis.call('HSET', KEYS[1], 'lat', tostring(lat))
else
  consec = redis.call('HINCRBY', KEYS[1], 'consec', 1)
end
local s, f = 0, 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local kind, idx = string.match(field, '^([sf]):(%d+)$')
  if idx then
    idx = tonumber(idx)
    if idx <= bucket - buckets then
      redis.call('HDEL', KEYS[1], field)
    else
      local n = tonumber(redis.call('HGET', KEYS[1], field))
      if kind == 's' then s = s + n else f = f + n end
    end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {s, f, consec, redis.call('HGET', KEYS[1], 'opened') or '', redis.call('HGET', KEYS[1], 'lat') or ''}
`;

interface RouteHealthCommands {
  routeRecord(
    key: string,
    bucket: string,
    buckets: string,
    ok: string,
    latency: string,
    alpha: string,
    ttlMs: string,
  ): Promise<[number, number, number, string, string]>;
}

export function routeHealthKey(routeId: string): string {
  return `route:{${routeId}}:health`;
}

function probeKey(routeId: string): string {
  return `route:{${routeId}}:probe`;
}

export class RedisRouteHealthStore extends RouteHealthStore {
  private readonly commands: RouteHealthCommands;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly windowMs: number,
  ) {
    super();
    redis.defineCommand('routeRecord', { numberOfKeys: 1, lua: RECORD });
    this.commands = redis as unknown as RouteHealthCommands;
  }

  private bucketOf(now: number): number {
    return Math.floor(now / (this.windowMs / WINDOW_BUCKETS));
  }

  /* One command per route rather than a pipeline: each route hashes to its own Cluster slot, and a
   * pipeline must stay on one node. Auto-pipelining still sends them together, one batch per node. */
  async snapshot(routeIds: readonly string[], now: number): Promise<Map<string, RouteHealth>> {
    const hashes = await Promise.all(routeIds.map((id) => this.redis.hgetall(routeHealthKey(id))));
    const current = this.bucketOf(now);
    return new Map(routeIds.map((id, index) => [id, parseHealth(hashes[index], current)]));
  }

  async record(outcome: CallOutcome, policy: BreakerPolicy, now: number): Promise<RecordedOutcome> {
    const key = routeHealthKey(outcome.routeId);
    const [s, f, consec, opened, latency] = await this.commands.routeRecord(
      key,
      String(this.bucketOf(now)),
      String(WINDOW_BUCKETS),
      outcome.succeeded ? '1' : '0',
      String(outcome.latencyMs),
      String(LATENCY_EWMA_ALPHA),
      String(Math.max(this.windowMs * 2, policy.coolDownMs * 2)),
    );
    const openedAt = opened === '' ? undefined : Number(opened);
    const health: RouteHealth = {
      windowSuccesses: s,
      windowFailures: f,
      consecutiveFailures: consec,
      latencyEwmaMs: latency === '' ? undefined : Number(latency),
      openedAt,
    };
    const transition = breakerTransition(
      circuitState({ openedAt }, policy, now),
      health,
      outcome.succeeded,
      policy,
    );
    if (transition === 'open') {
      await this.redis.hset(key, 'opened', String(now));
      return { moved: 'opened', health: { ...health, openedAt: now } };
    }
    if (transition === 'close') {
      // A recovered route starts a fresh window: the failures that opened it are behind it.
      await this.redis.del(key, probeKey(outcome.routeId));
      return { moved: 'closed', health: { windowSuccesses: 0, windowFailures: 0, consecutiveFailures: 0 } };
    }
    return { moved: null, health };
  }

  async acquireProbe(routeId: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(probeKey(routeId), '1', 'PX', leaseMs, 'NX')) === 'OK';
  }
}

export function parseHealth(hash: Record<string, string>, currentBucket: number): RouteHealth {
  let windowSuccesses = 0;
  let windowFailures = 0;
  for (const [field, value] of Object.entries(hash)) {
    const match = /^([sf]):(\d+)$/.exec(field);
    if (!match || Number(match[2]) <= currentBucket - WINDOW_BUCKETS) continue;
    if (match[1] === 's') windowSuccesses += Number(value);
    else windowFailures += Number(value);
  }
  return {
    windowSuccesses,
    windowFailures,
    consecutiveFailures: Number(hash.consec ?? 0),
    latencyEwmaMs: hash.lat === undefined ? undefined : Number(hash.lat),
    openedAt: hash.opened === undefined ? undefined : Number(hash.opened),
  };
}
