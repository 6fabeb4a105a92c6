import {
  BreakerPolicy,
  breakerTransition,
  CallOutcome,
  circuitState,
  RecordedOutcome,
  RouteHealth,
  RouteHealthStore,
} from '@app/routing';

/* Weight of the newest observation in the latency EWMA, as in the Redis store. */
const LATENCY_EWMA_ALPHA = 0.2;

const FRESH: RouteHealth = { windowSuccesses: 0, windowFailures: 0, consecutiveFailures: 0 };

/**
 * Route health in memory, for unit specs: the breaker's rules of circuit-breaker.ts
 * applied atomically on each record, and one probe slot per route. The window
 * never slides (a spec runs well inside one), so counts only grow until the
 * circuit closes and starts the route afresh.
 */
export class InMemoryRouteHealthStore extends RouteHealthStore {
  private readonly health = new Map<string, RouteHealth>();
  /** Route id → when its probe lease ends (epoch ms). */
  private readonly probes = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {
    super();
  }

  /** What the store holds for a route. */
  of(routeId: string): RouteHealth {
    return { ...(this.health.get(routeId) ?? FRESH) };
  }

  /** Sets a route's health, as other instances' outcomes would have left it. */
  put(routeId: string, health: Partial<RouteHealth>): void {
    this.health.set(routeId, { ...FRESH, ...health });
  }

  async snapshot(routeIds: readonly string[]): Promise<Map<string, RouteHealth>> {
    return new Map(routeIds.map((id) => [id, this.of(id)]));
  }

  async record(outcome: CallOutcome, policy: BreakerPolicy, now: number): Promise<RecordedOutcome> {
    const before = this.of(outcome.routeId);
    const after: RouteHealth = outcome.succeeded
      ? {
          ...before,
          windowSuccesses: before.windowSuccesses + 1,
          consecutiveFailures: 0,
          latencyEwmaMs:
            before.latencyEwmaMs === undefined
              ? outcome.latencyMs
              : LATENCY_EWMA_ALPHA * outcome.latencyMs + (1 - LATENCY_EWMA_ALPHA) * before.latencyEwmaMs,
        }
      : {
          ...before,
          windowFailures: before.windowFailures + 1,
          consecutiveFailures: before.consecutiveFailures + 1,
        };
    const move = breakerTransition(circuitState(before, policy, now), after, outcome.succeeded, policy);
    if (move === 'close') {
      this.health.delete(outcome.routeId);
      this.probes.delete(outcome.routeId);
      return { moved: 'closed', health: this.of(outcome.routeId) };
    }
    if (move === 'open') after.openedAt = now;
    this.health.set(outcome.routeId, after);
    return { moved: move === 'open' ? 'opened' : null, health: { ...after } };
  }

  async acquireProbe(routeId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    if ((this.probes.get(routeId) ?? 0) > now) return false;
    this.probes.set(routeId, now + leaseMs);
    return true;
  }
}
