import { randomUUID } from 'node:crypto';
import { DomainError, toErrorResponse, withSpan } from '@app/common';
import { IdempotencyStore, StoredResponse } from './idempotency.store';

export type IdempotencyOutcome = 'new' | 'replay' | 'conflict' | 'mismatch' | 'released';

/** What the runner reports: counted by metrics, warned about in logs. */
export interface IdempotencyObserver {
  outcome(outcome: IdempotencyOutcome): void;
  warn(message: string, error: unknown): void;
}

export interface IdempotencySettings {
  /** Longer than any request can run, so a live request never loses its claim. */
  leaseMs: number;
  /** How long a completed answer is replayed. */
  ttlSeconds: number;
}

export interface IdempotentRequest {
  /** Which endpoint runs (for traces): `create_session`, `pay_session`, … */
  operation: string;
  /** Whose keys these are (a merchant, or a per-session scope): keys never collide across scopes. */
  scope: string;
  key: string;
  fingerprint: string;
  /** Said in the 409 while another execution holds the key. */
  inProgressReason: string;
}

export interface IdempotentExecution {
  /** Produces the answer; it is stored and replayed for the key's lifetime. */
  execute(): Promise<StoredResponse & { replayed?: boolean }>;
  /**
   * True for an error that is this key's final answer, decided by the request and
   * the catalog alone: it is stored and replayed like a success. Any other error
   * (a provider outage, an open circuit, a store failure) releases the claim, so
   * that a retry runs again.
   */
  isFinal(error: unknown): boolean;
}

export interface IdempotentResult extends StoredResponse {
  /** The answer of an earlier execution, not of this one. */
  replayed: boolean;
}

/* A client told to come back sooner than the lease is not made to wait for all of it. */
const MAX_RETRY_AFTER_SECONDS = 5;

const SILENT: IdempotencyObserver = { outcome: () => undefined, warn: () => undefined };

/**
 * The one idempotency protocol of every mutating endpoint: claim the key, run once,
 * store the answer (completing the claim) or release it, and answer every retry with
 * the first answer. A mismatching body is a 422 and a retry while the first run is
 * still going is a 409 with Retry-After.
 */
export class IdempotencyRunner {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly settings: IdempotencySettings,
    private readonly observer: IdempotencyObserver = SILENT,
  ) {}

  async run(request: IdempotentRequest, execution: IdempotentExecution): Promise<IdempotentResult> {
    const owner = randomUUID();
    const claim = await withSpan(
      'idempotency.claim',
      { 'idempotency.endpoint': request.operation },
      () =>
        this.store.claim({
          scope: request.scope,
          key: request.key,
          fingerprint: request.fingerprint,
          owner,
          leaseMs: this.settings.leaseMs,
        }),
      { onResult: (result) => ({ 'idempotency.outcome': result.kind }) },
    );
    switch (claim.kind) {
      case 'mismatch':
        this.observer.outcome('mismatch');
        throw new DomainError('IDEMPOTENCY_KEY_MISMATCH');
      case 'in_progress':
        this.observer.outcome('conflict');
        throw new DomainError(
          'IDEMPOTENCY_KEY_IN_USE',
          { reason: request.inProgressReason },
          { 'Retry-After': String(Math.min(Math.max(claim.retryAfterSeconds, 1), MAX_RETRY_AFTER_SECONDS)) },
        );
      case 'completed':
        this.observer.outcome('replay');
        return { ...claim.response, replayed: true };
      case 'claimed':
        this.observer.outcome('new');
        return this.runClaimed(request, owner, execution);
    }
  }

  private async runClaimed(
    request: IdempotentRequest,
    owner: string,
    execution: IdempotentExecution,
  ): Promise<IdempotentResult> {
    let response: StoredResponse;
    let replayed = false;
    try {
      const { replayed: earlier, ...answer } = await execution.execute();
      response = answer;
      replayed = earlier === true;
    } catch (error) {
      if (!execution.isFinal(error)) {
        await this.release(request, owner);
        throw error;
      }
      const { status, body } = toErrorResponse(error);
      response = { status, headers: {}, body };
    }
    await this.complete(request, owner, response);
    return { ...response, replayed };
  }

  /* The answer is already durable (or deterministic): failing to store it only costs the retry a lookup. */
  private async complete(request: IdempotentRequest, owner: string, response: StoredResponse): Promise<void> {
    try {
      const stored = await this.store.complete(
        request.scope,
        request.key,
        owner,
        response,
        this.settings.ttlSeconds,
      );
      if (!stored) this.observer.warn('idempotency claim lost before completion', undefined);
    } catch (error) {
      this.observer.warn('could not store the idempotent response', error);
    }
  }

  private async release(request: IdempotentRequest, owner: string): Promise<void> {
    try {
      await this.store.release(request.scope, request.key, owner);
      this.observer.outcome('released');
    } catch (error) {
      // The lease lapses by itself; until then a retry is told the key is in use.
      this.observer.warn('could not release the idempotency claim', error);
    }
  }
}
