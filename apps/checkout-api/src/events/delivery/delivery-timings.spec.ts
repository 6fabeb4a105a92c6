import { deliveryTimings, worstCaseRetrySeconds } from './delivery-timings';

describe('deliveryTimings', () => {
  it.each([4000, 4500, 5000, 7000, 10_000, 30_000, 60_000])(
    'retries a delivery cut short by a crash within twice a timeout of %i ms',
    (timeoutMs) => {
      const timings = deliveryTimings(timeoutMs);
      expect(timings.expireInSeconds * 1000).toBeGreaterThan(timeoutMs);
      expect(worstCaseRetrySeconds(timings) * 1000).toBeLessThanOrEqual(2 * timeoutMs);
    },
  );

  it('gives the default timeout of 10 s a job expiry of 11 s and supervision every 4 s', () => {
    expect(deliveryTimings(10_000)).toEqual({
      expireInSeconds: 11,
      maintenanceIntervalSeconds: 4,
      pollingIntervalSeconds: 1,
    });
  });
});
