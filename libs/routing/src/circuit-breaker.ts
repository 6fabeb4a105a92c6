import { CircuitState } from './route-scoring';

/** When a route's circuit opens, and how long it stays open. */
export interface BreakerPolicy {
  /** Open after this many failures in a row. */
  consecutiveFailures: number;
  /** ...or when the failure rate over the window reaches this (0..1)... */
  failureRateThreshold: number;
  /** ...once the window holds at least this many calls. */
  minimumCalls: number;
  /** Time an open circuit waits before letting one probe through (half-open). */
  coolDownMs: number;
}

/** What the shared store knows of one route's recent calls. */
export interface RouteHealth {
  windowSuccesses: number;
  windowFailures: number;
  consecutiveFailures: number;
  latencyEwmaMs?: number;
  /** When the circuit opened (epoch ms); undefined while closed. */
  openedAt?: number;
}

export function circuitState(
  health: Pick<RouteHealth, 'openedAt'>,
  policy: BreakerPolicy,
  now: number,
): CircuitState {
  if (health.openedAt === undefined) return 'closed';
  return now - health.openedAt < policy.coolDownMs ? 'open' : 'half_open';
}

export type BreakerTransition = 'open' | 'close' | 'none';

/**
 * The breaker's state machine, after one call's outcome has been counted:
 * closed → open on N consecutive failures or a failure rate over the window;
 * half-open → closed when the probe succeeds, → open again (new cool-down) when it fails.
 */
export function breakerTransition(
  before: CircuitState,
  after: Omit<RouteHealth, 'openedAt' | 'latencyEwmaMs'>,
  succeeded: boolean,
  policy: BreakerPolicy,
): BreakerTransition {
  if (before === 'half_open') return succeeded ? 'close' : 'open';
  if (before === 'open' || succeeded) return 'none';
  if (after.consecutiveFailures >= policy.consecutiveFailures) return 'open';
  const calls = after.windowSuccesses + after.windowFailures;
  if (calls >= policy.minimumCalls && after.windowFailures / calls >= policy.failureRateThreshold)
    return 'open';
  return 'none';
}
