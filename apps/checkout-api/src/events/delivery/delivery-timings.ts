/** How often idle workers look for jobs, s. */
export const POLLING_INTERVAL_SECONDS = 1;

export interface DeliveryTimings {
  /** A job still active this long after it started is taken to be dead and retried (pg-boss expiration). */
  expireInSeconds: number;
  /** Period of pg-boss's supervision, which expires such jobs; it may run up to twice this apart. */
  maintenanceIntervalSeconds: number;
  pollingIntervalSeconds: number;
}

/**
 * pg-boss settings that retry a delivery whose process died within 2 × timeout:
 * the job expires one second after the request's own deadline, supervision (every M s,
 * so up to 2M apart across instances) turns it back into a retry with no delay, and a
 * worker polling every second picks it up: timeout + 1 + 2M + 1 ≤ 2 × timeout.
 */
export function deliveryTimings(timeoutMs: number): DeliveryTimings {
  const expireInSeconds = Math.ceil(timeoutMs / 1000) + 1;
  const budget = (2 * timeoutMs) / 1000 - expireInSeconds - POLLING_INTERVAL_SECONDS;
  return {
    expireInSeconds,
    maintenanceIntervalSeconds: Math.max(1, Math.floor(budget / 2)),
    pollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
  };
}

/** The longest a dead delivery can wait before a live instance retries it, s. */
export function worstCaseRetrySeconds(timings: DeliveryTimings): number {
  return timings.expireInSeconds + 2 * timings.maintenanceIntervalSeconds + timings.pollingIntervalSeconds;
}
