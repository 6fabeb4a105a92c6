import type { PaymentStatus } from '@app/providers';
import { PaymentTransition, ProviderAttempt, Session } from './session';

/** A transaction's state as the provider reported it, in our terms. */
export interface PaymentUpdate {
  transactionId: string;
  status: PaymentStatus;
  providerStatus: string;
  /** The session status this outcome leads to; null while the payment is still open. */
  transition: PaymentTransition;
  declineReason?: string;
}

/**
 * What a provider says happened to a session, applied monotonically: a payment (as
 * applyPayment applies it); the provider closed the session unpaid (only a PENDING
 * session becomes EXPIRED, and money taken later still completes it); or nothing
 * that moves it.
 */
export type ProviderSessionUpdate =
  { kind: 'payment'; payment: PaymentUpdate } | { kind: 'expired' } | { kind: 'unchanged' };

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

  /** A session by id alone, for the buyer-facing checkout page (the id is the unguessable capability). */
  abstract findForCheckout(id: string): Promise<Session | null>;

  /** The adapter's session a provider transaction belongs to: by transaction id, or by the provider's session id. */
  abstract findByTransaction(
    adapter: string,
    transactionId: string,
    providerSessionId?: string,
  ): Promise<Session | null>;

  /** The session an adapter's checkout session belongs to (events that name the provider's session, not a payment). */
  abstract findByProviderSession(adapter: string, providerSessionId: string): Promise<Session | null>;

  /**
   * Applies a payment update monotonically: only a PENDING (or, for money that
   * was taken, EXPIRED) session moves; COMPLETED and FAILED never regress.
   */
  abstract applyPayment(sessionId: string, update: PaymentUpdate, now: Date): Promise<Session | null>;

  /** Whether a provider event was already applied. */
  abstract webhookSeen(adapter: string, eventId: string): Promise<boolean>;

  /** Records the event and applies its update atomically; false when the event was already recorded. */
  abstract applyWebhook(
    adapter: string,
    eventId: string,
    sessionId: string,
    update: ProviderSessionUpdate,
    now: Date,
  ): Promise<boolean>;

  /** Marks up to `limit` PENDING sessions past their expiry as EXPIRED; safe to run on many instances at once. */
  abstract expireDue(now: Date, limit: number): Promise<number>;
}
