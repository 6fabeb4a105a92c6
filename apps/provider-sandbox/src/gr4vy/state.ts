import { BoundedMap, IdempotencyStore } from '../store';
import type { StoredCard } from './card';
import type { CheckoutSessionUpdateBody } from './schemas';

/** A payment method stored on a checkout session through the fields call. */
export type StoredPaymentMethod =
  | StoredCard
  | { method: 'id'; id: string; outcome: 'approve' }
  | { method: 'click-to-pay'; outcome: 'approve' };

export interface CheckoutSessionRecord {
  id: string;
  merchantAccountId: string;
  createdAt: number;
  expiresAt: number;
  /** What the client set (CheckoutSessionUpdate without expires_in). */
  fields: Omit<CheckoutSessionUpdateBody, 'expires_in'>;
  paymentMethod: StoredPaymentMethod | null;
}

/** A Transaction as returned to clients (JSON-ready). */
export type TransactionView = Record<string, unknown> & { id: string; status: string };

/** A transaction created in `buyer_approval_pending` (the approval card). */
export interface PendingApproval {
  /** TransactionCreate.payment_method.redirect_url, where the approval page sends the buyer back. */
  redirectUrl: string | null;
  /** Set once the buyer approved (a second POST only redirects again). */
  approvedAt: string | null;
}

const CAPACITY = 200_000;

/** Everything the Gr4vy simulator remembers, in memory and bounded. */
export class Gr4vyState {
  readonly sessions = new BoundedMap<string, CheckoutSessionRecord>(CAPACITY);
  readonly transactions = new BoundedMap<string, TransactionView>(CAPACITY);
  readonly idempotency = new IdempotencyStore();
  /** Keyed by transaction id. */
  readonly approvals = new BoundedMap<string, PendingApproval>(CAPACITY);

  /** A session that exists and has not expired (expired ones are dropped, like Gr4vy does). */
  liveSession(id: string, now = Date.now()): CheckoutSessionRecord | undefined {
    const session = this.sessions.get(id.toLowerCase());
    if (!session) return undefined;
    if (now >= session.expiresAt) {
      this.sessions.delete(session.id);
      return undefined;
    }
    return session;
  }

  clear(): void {
    this.sessions.clear();
    this.transactions.clear();
    this.idempotency.clear();
    this.approvals.clear();
  }
}
