import { randomUUID } from 'node:crypto';
import { sessionBody } from './fixtures';

export interface LoadMerchant {
  id: string;
  token: string;
}

/** An HTTP status, a socket failure, or no answer within the client's deadline. */
export type Outcome = number | 'network' | 'timeout';

export interface LoadEvent {
  at: number;
  outcome: Outcome;
  merchant: string;
  key: string;
}

export interface KeyRecord {
  merchant: string;
  key: string;
  outcomes: Outcome[];
  sessionId?: string;
}

export interface LoadReport {
  requests: number;
  keys: number;
  /** Keys that ended with a 201. */
  created: number;
  /** Keys that got a 503 (or 409 while a lost attempt's claim lapsed) before their 201. */
  retriedThenCreated: number;
  byOutcome: Record<string, number>;
  /** Keys that never got their 201 (a final error, or too many retries). */
  unfinished: KeyRecord[];
}

/* What a well-behaved client retries with the same key and body: unavailable, or the key still in use. */
const RETRIED: ReadonlySet<Outcome> = new Set<Outcome>([503, 409, 'network']);

/**
 * A steady load of session creates, as clients would send them: every create has
 * its own Idempotency-Key, and a create answered 503 (or 409 IN_USE) is retried with
 * the same key and body after a pause until it gets its 201. Requests go round-robin
 * to the service instances. stop() stops starting new creates and waits until every
 * create already started has finished.
 */
export class SteadyLoad {
  readonly events: LoadEvent[] = [];
  readonly records: KeyRecord[] = [];
  private readonly t0 = Date.now();
  private running = true;
  private sent = 0;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly options: {
      urls: string[];
      merchants: LoadMerchant[];
      concurrency: number;
      retryPauseMs?: number;
      maxTries?: number;
      requestDeadlineMs?: number;
    },
  ) {}

  start(): this {
    this.workers = Array.from({ length: this.options.concurrency }, (_, i) => this.worker(i));
    return this;
  }

  /** Milliseconds since the load started: the time base of events and marks. */
  now(): number {
    return Date.now() - this.t0;
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.workers);
    const byOutcome: Record<string, number> = {};
    for (const event of this.events) byOutcome[event.outcome] = (byOutcome[event.outcome] ?? 0) + 1;
    return {
      requests: this.events.length,
      keys: this.records.length,
      created: this.records.filter((r) => r.sessionId).length,
      retriedThenCreated: this.records.filter((r) => r.sessionId && r.outcomes.length > 1).length,
      byOutcome,
      unfinished: this.records.filter((r) => !r.sessionId),
    };
  }

  /** Resolves once `count` answers `outcome` (201 by default) came after `since`, for `merchants` (default all). */
  async answersAfter(
    since: number,
    count: number,
    { outcome = 201, merchants }: { outcome?: Outcome; merchants?: string[] } = {},
  ): Promise<void> {
    const matches = () =>
      this.events.filter(
        (e) => e.at >= since && e.outcome === outcome && (!merchants || merchants.includes(e.merchant)),
      ).length;
    while (matches() < count) {
      if (!this.running) throw new Error('the load stopped');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Load time of the first 201 at or after `since`, or null. */
  firstSuccessAfter(since: number): number | null {
    return this.events.find((e) => e.at >= since && e.outcome === 201)?.at ?? null;
  }

  /** Answers other than 201 at or after `since`: [first, last] in load time, or null if there were none. */
  failureSpan(since: number, until = Infinity): [number, number] | null {
    const failures = this.events.filter((e) => e.at >= since && e.at <= until && e.outcome !== 201);
    if (failures.length === 0) return null;
    return [failures[0].at, failures[failures.length - 1].at];
  }

  /** Answers received in [from, to], by outcome. */
  outcomesBetween(from: number, to: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.events)
      if (e.at >= from && e.at <= to) counts[e.outcome] = (counts[e.outcome] ?? 0) + 1;
    return counts;
  }

  private async worker(index: number): Promise<void> {
    const { merchants } = this.options;
    for (let n = index; this.running; n += this.options.concurrency) {
      await this.create(merchants[n % merchants.length]);
    }
  }

  private async create(merchant: LoadMerchant): Promise<void> {
    const record: KeyRecord = { merchant: merchant.id, key: randomUUID(), outcomes: [] };
    this.records.push(record);
    const body = JSON.stringify(sessionBody());
    const maxTries = this.options.maxTries ?? 200;
    for (let attempt = 0; attempt < maxTries; attempt++) {
      const url = this.options.urls[this.sent++ % this.options.urls.length];
      const { outcome, sessionId } = await this.send(url, merchant, record.key, body);
      record.outcomes.push(outcome);
      this.events.push({ at: this.now(), outcome, merchant: merchant.id, key: record.key });
      if (outcome === 201) {
        record.sessionId = sessionId;
        return;
      }
      if (!RETRIED.has(outcome)) return;
      await new Promise((r) => setTimeout(r, this.options.retryPauseMs ?? 200));
    }
  }

  private async send(
    url: string,
    merchant: LoadMerchant,
    key: string,
    body: string,
  ): Promise<{ outcome: Outcome; sessionId?: string }> {
    try {
      const res = await fetch(`${url}/api/v1/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${merchant.token}`,
          'idempotency-key': key,
          'content-type': 'application/json',
        },
        body,
        signal: AbortSignal.timeout(this.options.requestDeadlineMs ?? 20_000),
      });
      const json = (await res.json()) as { sessionId?: string };
      return { outcome: res.status, sessionId: json.sessionId };
    } catch (error) {
      return { outcome: (error as Error).name === 'TimeoutError' ? 'timeout' : 'network' };
    }
  }
}

/**
 * Holds the load's keys against the session rows (`merchant key` → ids): how many keys
 * have 0, 1, 2... sessions, the keys whose 201 named a session that is not their one row,
 * and rows of keys the load never sent.
 */
export function sessionsPerKey(
  records: KeyRecord[],
  rows: Map<string, string[]>,
): { histogram: Record<number, number>; lost: KeyRecord[]; strays: string[] } {
  const histogram: Record<number, number> = {};
  const lost: KeyRecord[] = [];
  const sent = new Set<string>();
  for (const record of records) {
    const name = `${record.merchant} ${record.key}`;
    sent.add(name);
    const ids = rows.get(name) ?? [];
    histogram[ids.length] = (histogram[ids.length] ?? 0) + 1;
    if (record.sessionId && (ids.length !== 1 || ids[0] !== record.sessionId)) lost.push(record);
  }
  return { histogram, lost, strays: [...rows.keys()].filter((name) => !sent.has(name)) };
}
