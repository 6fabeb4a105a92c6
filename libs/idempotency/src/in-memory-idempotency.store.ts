import { ClaimRequest, ClaimResult, IdempotencyStore, StoredResponse } from './idempotency.store';

interface MemoryRecord {
  state: 'in_progress' | 'completed';
  owner: string;
  fingerprint: string;
  response?: StoredResponse;
  expiresAt: number;
}

/**
 * The idempotency store's contract in memory, for unit tests of the runner and of
 * the use cases: the same answers as the Redis scripts, with an injectable clock.
 */
export class InMemoryIdempotencyStore extends IdempotencyStore {
  readonly records = new Map<string, MemoryRecord>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  private live(scope: string, key: string): MemoryRecord | undefined {
    const id = `${scope}\n${key}`;
    const record = this.records.get(id);
    if (record && record.expiresAt <= this.now()) this.records.delete(id);
    return this.records.get(id);
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const record = this.live(request.scope, request.key);
    if (!record) {
      this.records.set(`${request.scope}\n${request.key}`, {
        state: 'in_progress',
        owner: request.owner,
        fingerprint: request.fingerprint,
        expiresAt: this.now() + request.leaseMs,
      });
      return { kind: 'claimed' };
    }
    if (record.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (record.state === 'in_progress') {
      return {
        kind: 'in_progress',
        retryAfterSeconds: Math.max(1, Math.ceil((record.expiresAt - this.now()) / 1000)),
      };
    }
    return { kind: 'completed', response: structuredClone(record.response as StoredResponse) };
  }

  async complete(
    scope: string,
    key: string,
    owner: string,
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<boolean> {
    const record = this.live(scope, key);
    if (!record || record.owner !== owner) return false;
    Object.assign(record, {
      state: 'completed',
      response: structuredClone(response),
      expiresAt: this.now() + ttlSeconds * 1000,
    });
    return true;
  }

  async release(scope: string, key: string, owner: string): Promise<boolean> {
    const record = this.live(scope, key);
    if (!record || record.owner !== owner || record.state !== 'in_progress') return false;
    this.records.delete(`${scope}\n${key}`);
    return true;
  }
}
