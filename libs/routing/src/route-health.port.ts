import { BreakerPolicy, RouteHealth } from './circuit-breaker';

export interface RecordedOutcome {
  moved: 'opened' | 'closed' | null;
  health: RouteHealth;
}

export interface CallOutcome {
  routeId: string;
  succeeded: boolean;
  latencyMs: number;
}

/**
 * Live route health shared by every instance (port). Reads must be cheap (one
 * round trip for all routes); failures to read or record must not fail a checkout.
 * A store that cannot be reached, or does not answer in time, throws StoreUnavailable
 * (@app/common); any other error is a bug and comes through unchanged.
 */
export abstract class RouteHealthStore {
  abstract snapshot(routeIds: readonly string[], now: number): Promise<Map<string, RouteHealth>>;
  /**
   * Counts one call and applies the breaker's transition in one atomic step, so that no other
   * instance's outcome is lost between the two; returns the route's health after it, and the move, if any.
   */
  abstract record(outcome: CallOutcome, policy: BreakerPolicy, now: number): Promise<RecordedOutcome>;
  /** Takes the single probe slot of a half-open route; false when another caller holds it. */
  abstract acquireProbe(routeId: string, leaseMs: number): Promise<boolean>;
}
