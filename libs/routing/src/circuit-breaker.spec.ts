import { BreakerPolicy, breakerTransition, circuitState } from './circuit-breaker';
import { parseHealth, WINDOW_BUCKETS } from './redis-route-health.store';

const policy: BreakerPolicy = {
  consecutiveFailures: 3,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  coolDownMs: 1000,
};
const counts = (windowSuccesses: number, windowFailures: number, consecutiveFailures: number) => ({
  windowSuccesses,
  windowFailures,
  consecutiveFailures,
});

describe('circuitState', () => {
  it('is closed until opened, open during the cool-down, then half-open', () => {
    expect(circuitState({}, policy, 5000)).toBe('closed');
    expect(circuitState({ openedAt: 5000 }, policy, 5999)).toBe('open');
    expect(circuitState({ openedAt: 5000 }, policy, 6000)).toBe('half_open');
  });
});

describe('breakerTransition', () => {
  it('opens a closed circuit after N consecutive failures', () => {
    expect(breakerTransition('closed', counts(50, 2, 2), false, policy)).toBe('none');
    expect(breakerTransition('closed', counts(50, 3, 3), false, policy)).toBe('open');
  });

  it('opens on the failure rate over the window once it holds enough calls', () => {
    expect(breakerTransition('closed', counts(4, 5, 1), false, policy)).toBe('none');
    expect(breakerTransition('closed', counts(5, 5, 1), false, policy)).toBe('open');
    expect(breakerTransition('closed', counts(6, 5, 1), false, policy)).toBe('none');
  });

  it('never opens on a success', () => {
    expect(breakerTransition('closed', counts(0, 100, 0), true, policy)).toBe('none');
  });

  it('closes a half-open circuit when the probe succeeds and reopens it when the probe fails', () => {
    expect(breakerTransition('half_open', counts(0, 10, 0), true, policy)).toBe('close');
    expect(breakerTransition('half_open', counts(0, 11, 11), false, policy)).toBe('open');
  });

  it('leaves an open circuit alone: late answers of calls made before it opened change nothing', () => {
    expect(breakerTransition('open', counts(1, 10, 0), true, policy)).toBe('none');
    expect(breakerTransition('open', counts(0, 11, 11), false, policy)).toBe('none');
  });
});

describe('parseHealth', () => {
  it('sums the buckets inside the window and ignores older ones', () => {
    const current = 1000;
    const health = parseHealth(
      {
        [`s:${current}`]: '3',
        [`f:${current - 1}`]: '2',
        [`s:${current - WINDOW_BUCKETS + 1}`]: '4',
        [`s:${current - WINDOW_BUCKETS}`]: '100',
        consec: '2',
        lat: '123.5',
        opened: '42',
      },
      current,
    );
    expect(health).toEqual({
      windowSuccesses: 7,
      windowFailures: 2,
      consecutiveFailures: 2,
      latencyEwmaMs: 123.5,
      openedAt: 42,
    });
  });

  it('reads an empty hash as a new route', () => {
    expect(parseHealth({}, 5)).toEqual({
      windowSuccesses: 0,
      windowFailures: 0,
      consecutiveFailures: 0,
      latencyEwmaMs: undefined,
      openedAt: undefined,
    });
  });
});
