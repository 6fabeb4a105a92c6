import type { Cluster, Redis } from 'ioredis';
import { guardStore } from '@app/common';
import { BreakerPolicy, BreakerTransition, RouteHealth } from './circuit-breaker';
import { CallOutcome, RecordedOutcome, RouteHealthStore } from './route-health.port';

/** How many buckets make the sliding window. */
export const WINDOW_BUCKETS = 10;
/** Weight of the newest observation in the latency EWMA. */
export const LATENCY_EWMA_ALPHA = 0.2;

/* One hash per route, and the route's probe lease beside it; both keys carry the `{routeId}` hash tag,
 * so every script stays on one Redis Cluster slot:
 *   s:<bucket> / f:<bucket>  successes and failures per time bucket
 *   consec                   failures in a row
 *   lat                      EWMA of successful call latency, ms
 *   opened                   when the circuit opened, epoch ms (absent while closed)
 * The script counts the outcome, drops buckets that left the window, and applies the breaker's move in
 * the same atomic step: a transition decided outside it could erase outcomes other instances recorded
 * in between. Its rules mirror circuitState and breakerTransition (circuit-breaker.ts), the reference
 * they are tested against, case by case, on a real Redis. */
const RECORD = `
local bucket = tonumber(ARGV[1])
local buckets = tonumber(ARGV[2])
local ok = ARGV[3] == '1'
local now = tonumber(ARGV[7])
local maxConsecutive = tonumber(ARGV[8])
local rateThreshold = tonumber(ARGV[9])
local minimumCalls = tonumber(ARGV[10])
local coolDownMs = tonumber(ARGV[11])

local opened = redis.call('HGET', KEYS[1], 'opened')
local state = 'closed'
if opened then
  if now - tonumber(opened) < coolDownMs then state = 'open' else state = 'half_open' end
end

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

local move = 'none'
if state == 'half_open' then
  if ok then move = 'close' else move = 'open' end
elseif state == 'closed' and not ok then
  if consec >= maxConsecutive then
    move = 'open'
  elseif s + f >= minimumCalls and f / (s + f) >= rateThreshold then
    move = 'open'
  end
end

if move == 'open' then
  redis.call('HSET', KEYS[1], 'opened', ARGV[7])
elseif move == 'close' then
  -- A recovered route starts a fresh window: the failures that opened it are behind it.
  redis.call('DEL', KEYS[1], KEYS[2])
  return {move, 0, 0, 0, '', ''}
end
return {move, s, f, consec, redis.call('HGET', KEYS[1], 'opened') or '', redis.call('HGET', KEYS[1], 'lat') or ''}
`;

type RecordReply = [BreakerTransition, number, number, number, string, string];

interface RouteHealthCommands {
  routeRecord(
    healthKey: string,
    probeKey: string,
    bucket: string,
    buckets: string,
    ok: string,
    latency: string,
    alpha: string,
    ttlMs: string,
    now: string,
    consecutiveFailures: string,
    failureRateThreshold: string,
    minimumCalls: string,
    coolDownMs: string,
  ): Promise<RecordReply>;
}

/** A single Redis or a Redis Cluster: the store sends nothing that only one of them can take. */
export type RouteHealthRedis = Redis | Cluster;

export function routeHealthKey(routeId: string): string {
  return `route:{${routeId}}:health`;
}

function probeKey(routeId: string): string {
  return `route:{${routeId}}:probe`;
}

const MOVES: Record<BreakerTransition, RecordedOutcome['moved']> = {
  open: 'opened',
  close: 'closed',
  none: null,
};

export class RedisRouteHealthStore extends RouteHealthStore {
  private readonly commands: RouteHealthCommands;

  constructor(
    private readonly redis: RouteHealthRedis,
    private readonly windowMs: number,
  ) {
    super();
    redis.defineCommand('routeRecord', { numberOfKeys: 2, lua: RECORD });
    this.commands = redis as unknown as RouteHealthCommands;
  }

  private bucketOf(now: number): number {
    return Math.floor(now / (this.windowMs / WINDOW_BUCKETS));
  }

  /* One HGETALL per route, sent together: auto-pipelining (on in the app's client) makes them one write
   * on a single Redis and one per master on a Cluster, where an explicit pipeline would be refused
   * because the route keys live in different slots. */
  snapshot(routeIds: readonly string[], now: number): Promise<Map<string, RouteHealth>> {
    return guardStore('redis', async () => {
      const hashes = await Promise.all(routeIds.map((id) => this.redis.hgetall(routeHealthKey(id))));
      const current = this.bucketOf(now);
      return new Map(routeIds.map((id, index) => [id, parseHealth(hashes[index], current)]));
    });
  }

  record(outcome: CallOutcome, policy: BreakerPolicy, now: number): Promise<RecordedOutcome> {
    return guardStore('redis', async () => {
      const [move, s, f, consec, opened, latency] = await this.commands.routeRecord(
        routeHealthKey(outcome.routeId),
        probeKey(outcome.routeId),
        String(this.bucketOf(now)),
        String(WINDOW_BUCKETS),
        outcome.succeeded ? '1' : '0',
        String(outcome.latencyMs),
        String(LATENCY_EWMA_ALPHA),
        String(Math.max(this.windowMs * 2, policy.coolDownMs * 2)),
        String(now),
        String(policy.consecutiveFailures),
        String(policy.failureRateThreshold),
        String(policy.minimumCalls),
        String(policy.coolDownMs),
      );
      const health: RouteHealth = {
        windowSuccesses: s,
        windowFailures: f,
        consecutiveFailures: consec,
        latencyEwmaMs: latency === '' ? undefined : Number(latency),
        openedAt: opened === '' ? undefined : Number(opened),
      };
      return { moved: MOVES[move], health };
    });
  }

  acquireProbe(routeId: string, leaseMs: number): Promise<boolean> {
    return guardStore(
      'redis',
      async () => (await this.redis.set(probeKey(routeId), '1', 'PX', leaseMs, 'NX')) === 'OK',
    );
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
