import { DEFAULT_RETRY_SCHEDULE, maxAttempts, nextRetryDelay, parseRetrySchedule } from './retry-schedule';

describe('parseRetrySchedule', () => {
  it('reads the default schedule: about 27 hours over 8 attempts', () => {
    const parsed = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
    expect(parsed).toEqual({
      ok: true,
      schedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    });
    const schedule = parsed.ok ? parsed.schedule : [];
    expect(maxAttempts(schedule)).toBe(8);
    expect(schedule.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(27.6, 1);
  });

  it('reads every unit and tolerates spaces', () => {
    expect(parseRetrySchedule('250ms, 1s ,2m,1h,1d')).toEqual({
      ok: true,
      schedule: [250, 1000, 120_000, 3_600_000, 86_400_000],
    });
  });

  it.each([
    ['', '"" is not a delay'],
    ['5s,,5m', '"" is not a delay'],
    ['5', '"5" is not a delay'],
    ['5 s', '"5 s" is not a delay'],
    ['-5s', '"-5s" is not a delay'],
    ['1.5s', '"1.5s" is not a delay'],
    ['5w', '"5w" is not a delay'],
    ['0s', 'must be above 0'],
    ['8d', 'must be above 0 and at most 7d'],
    [Array(31).fill('1s').join(','), 'at most 30 delays'],
  ])('refuses %j: %s', (text, problem) => {
    const parsed = parseRetrySchedule(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.problem).toContain(problem);
  });
});

describe('nextRetryDelay', () => {
  const schedule = [1000, 60_000];

  it('waits the scheduled delay after each failed attempt, then gives up', () => {
    const middle = () => 0.5;
    expect(nextRetryDelay(schedule, 1, middle)).toBe(1000);
    expect(nextRetryDelay(schedule, 2, middle)).toBe(60_000);
    expect(nextRetryDelay(schedule, 3, middle)).toBeNull();
  });

  it('spreads each delay by at most 20 % either way', () => {
    expect(nextRetryDelay(schedule, 2, () => 0)).toBe(48_000);
    expect(nextRetryDelay(schedule, 2, () => 0.999999)).toBe(72_000);
  });
});
