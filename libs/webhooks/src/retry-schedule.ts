/** Delays between delivery attempts, in ms: the first retry waits schedule[0], and so on. */
export type RetrySchedule = readonly number[];

export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_DELAY_MS = 7 * UNIT_MS.d;
const MAX_ENTRIES = 30;

export type ParsedSchedule = { ok: true; schedule: RetrySchedule } | { ok: false; problem: string };

/** Parses `5s,5m,30m,2h` (units ms, s, m, h, d; each delay above 0 and at most 7 days). */
export function parseRetrySchedule(text: string): ParsedSchedule {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_ENTRIES) return { ok: false, problem: `at most ${MAX_ENTRIES} delays` };
  const schedule: number[] = [];
  for (const entry of entries) {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(entry);
    if (!match) return { ok: false, problem: `"${entry}" is not a delay such as 30s, 5m or 2h` };
    const ms = Number(match[1]) * UNIT_MS[match[2]];
    if (ms <= 0 || ms > MAX_DELAY_MS) {
      return { ok: false, problem: `"${entry}" must be above 0 and at most 7d` };
    }
    schedule.push(ms);
  }
  return { ok: true, schedule };
}

/** Spread of the jitter around each delay: ±20 %. */
export const RETRY_JITTER = 0.2;

/**
 * The wait before the attempt that follows attempt number `attemptsMade` (1-based),
 * or null when the schedule is spent. Jitter keeps the retries of a burst from
 * arriving together; `random` is in [0, 1).
 */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attemptsMade: number,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}

/** Total attempts a delivery gets: the first one and one per delay. */
export function maxAttempts(schedule: RetrySchedule): number {
  return schedule.length + 1;
}
