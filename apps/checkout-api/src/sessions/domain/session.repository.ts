import { ProviderAttempt, Session } from './session';

export interface CreateLookup {
  /** The session already created under this idempotency key, if any. */
  byKey?: Session;
  /** A live (PENDING, unexpired) session for the same order under another key, if any. */
  liveOrder?: Session;
}

export type InsertOutcome =
  | { kind: 'inserted' }
  | { kind: 'duplicate_key'; existing: Session }
  | { kind: 'duplicate_order'; existing: Session };

/** Persistence port for sessions; the durable truth. */
export abstract class SessionRepository {
  /** What stands in the way of creating a session; expired PENDING sessions of the order are marked EXPIRED. */
  abstract lookupForCreate(
    merchantId: string,
    idempotencyKey: string,
    orderReference: string,
    now: Date,
  ): Promise<CreateLookup>;

  /** Inserts the session with its provider attempts, atomically; unique conflicts come back as outcomes. */
  abstract insert(session: Session, attempts: ProviderAttempt[]): Promise<InsertOutcome>;

  abstract recordAttempts(attempts: ProviderAttempt[]): Promise<void>;

  abstract findById(merchantId: string, id: string): Promise<Session | null>;

  abstract findAttempts(sessionId: string): Promise<ProviderAttempt[]>;

  /** Marks this session EXPIRED if it is still PENDING and past its expiry. */
  abstract markExpired(merchantId: string, id: string, now: Date): Promise<void>;

  /** Marks up to `limit` PENDING sessions past their expiry as EXPIRED; safe to run on many instances at once. */
  abstract expireDue(now: Date, limit: number): Promise<number>;
}
