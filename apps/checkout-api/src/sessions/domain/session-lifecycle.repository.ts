import type { Session } from './session';

export interface SessionListFilter {
  orderReference?: string;
  /** Effective statuses: a PENDING session past its expiry counts as EXPIRED. */
  statuses?: readonly string[];
  createdFrom?: Date;
  createdTo?: Date;
  limit: number;
  /** Strictly after this (createdAt, id) in newest-first order. */
  after?: { createdAt: Date; id: string };
}

export interface ReconcileClaim {
  /** PENDING sessions with no update for this long are asked about. */
  staleAfterMs: number;
  /** At most this many sessions per pass. */
  limit: number;
  /** How long this instance holds a claimed session before another may take it. */
  leaseMs: number;
}

/** A session the reconciler holds, with what it has learned of it so far. */
export interface ReconcileTask {
  session: Session;
  /** Checks that taught us nothing, for the back-off. */
  checks: number;
}

/** Persistence port for the life of a session after its creation: listing, cancelling and reconciling. */
export abstract class SessionLifecycleRepository {
  /** The merchant's sessions, newest first, one page (limit + 1 rows are read to know whether more follow). */
  abstract list(merchantId: string, filter: SessionListFilter, now: Date): Promise<Session[]>;

  /** PENDING (and unexpired) → CANCELLED; the session as it stands afterwards, or null when unknown. */
  abstract cancel(merchantId: string, sessionId: string, now: Date): Promise<Session | null>;

  /**
   * Takes up to `limit` sessions that are due: PENDING with no update for `staleAfterMs` or past their
   * expiry, and EXPIRED ones not yet closed at the provider, none held by another instance nor backing
   * off. Safe on many instances at once: each session is handed to one of them until its lease ends.
   */
  abstract claimDue(now: Date, claim: ReconcileClaim): Promise<ReconcileTask[]>;

  /** Releases the lease after a check that taught us nothing; the next check waits until `nextCheckAt`. */
  abstract recordFruitlessCheck(sessionId: string, now: Date, nextCheckAt: Date): Promise<void>;

  /** Releases the lease after a check that settled the session or closed it at the provider. */
  abstract recordSettled(sessionId: string, now: Date, closedAtProvider: boolean): Promise<void>;

  /** PENDING → EXPIRED once the provider has closed its session unpaid. */
  abstract expire(sessionId: string, now: Date): Promise<Session | null>;

  /** Age of the oldest PENDING session that is overdue for a check, in ms (0 when none is). */
  abstract oldestOverdueMs(now: Date, staleAfterMs: number): Promise<number>;
}
