import type { Session } from '../../sessions/domain/session';
import type { OperationKind, OperationOutcome, PaymentOperation } from './payment-operation';

export interface OperationRequest {
  kind: OperationKind;
  merchantId: string;
  sessionId: string;
  idempotencyKey: string;
  reason?: string;
  /** How much to hold, decided from the session under its row lock; throws a DomainError to refuse. */
  plan(session: Session): number;
}

export interface Reservation {
  session: Session;
  operation: PaymentOperation;
  /**
   * Whether the provider is to be asked now: a new operation, one a definite failure ended (asked
   * again as a new attempt), or one still `reserved` (its call's outcome is unknown: asked again
   * with the same provider key). False once the provider has answered: the answer is what it said.
   */
  callProvider: boolean;
}

/**
 * Persistence port of the money after checkout. Money moves under the session's row lock:
 * `reserve` checks and holds in one transaction before any provider call, and `settle` moves
 * or gives back what was held, in one transaction with the event it raises.
 */
export abstract class PaymentLedgerRepository {
  /** Null when the merchant has no such session. */
  abstract reserve(request: OperationRequest, now: Date): Promise<Reservation | null>;

  /** Applies the provider's answer once; an operation already final is returned as it is. */
  abstract settle(
    operationId: string,
    outcome: OperationOutcome,
    now: Date,
  ): Promise<{ session: Session; operation: PaymentOperation }>;

  /** The session's refunds, oldest first, and its currency; null when the merchant has no such session. */
  abstract refunds(
    merchantId: string,
    sessionId: string,
  ): Promise<{ currency: string; refunds: PaymentOperation[] } | null>;

  /** The refunds of many sessions at once (a page of the list), by session id. */
  abstract refundsOf(sessionIds: readonly string[]): Promise<Map<string, PaymentOperation[]>>;
}
