import type { PaymentStatus } from '@app/providers';

/** The checkout session, our durable record of one order's payment session. Amounts are minor units. */
export const SESSION_STATUSES = ['PENDING', 'COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export interface SessionItem {
  name: string;
  sku?: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface SessionAddress {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

export interface SessionCustomer {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  billingAddress?: SessionAddress;
  shippingAddress?: SessionAddress;
}

/** One line of the routing explanation kept with the session. */
export interface RoutingCandidateRecord {
  routeId: string;
  adapter: string;
  eligible: boolean;
  score?: number;
  factors?: { successRate: number; latency: number; fee: number; priority: number };
  feeMinor?: number;
  reason?: string;
}

export interface Session {
  id: string;
  merchantId: string;
  orderReference: string;
  idempotencyKey: string;
  requestFingerprint: string;
  status: SessionStatus;
  paymentMethod: string;
  currency: string;
  locale?: string;
  totalMinor: number;
  shippingMinor: number;
  taxMinor: number;
  items: SessionItem[];
  customer?: SessionCustomer;
  shipping?: { type?: string; method?: string };
  metadata?: Record<string, string | number | boolean>;
  redirectUrls?: { success?: string; failure?: string };
  providerRouteId: string;
  providerAdapter: string;
  providerSessionId: string;
  checkoutUrl: string;
  routingScore: number;
  routingCandidates: RoutingCandidateRecord[];
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  payment?: SessionPayment;
  /** Absent only on a session not stored yet: no money has moved. */
  balance?: PaymentBalance;
}

/**
 * What the payment's money has done, in minor units. Changed only under the session's row
 * lock: `reservedMinor` is held by capture, void or refund calls in flight (or refunds the
 * provider has not settled), so two of them can never spend the same money.
 */
export interface PaymentBalance {
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  reservedMinor: number;
}

export const NO_MONEY_MOVED: PaymentBalance = {
  authorizedMinor: 0,
  capturedMinor: 0,
  refundedMinor: 0,
  reservedMinor: 0,
};

/** The transaction that pays the session, as last known. */
export interface SessionPayment {
  transactionId?: string;
  /** Where the payment stands, in our words: the API's `payment.status`. */
  status?: PaymentStatus;
  /** The provider's own word for it, for operators. */
  providerStatus?: string;
  declineReason?: string;
  completedAt?: Date;
  failedAt?: Date;
}

/** What a transaction outcome does to a session: only PENDING moves; a final status never regresses. */
export type PaymentTransition = 'COMPLETED' | 'FAILED' | null;

/** A PENDING session past its expiry is EXPIRED, whether or not the sweep has marked it yet. */
export function effectiveStatus(session: Pick<Session, 'status' | 'expiresAt'>, now: Date): SessionStatus {
  return session.status === 'PENDING' && session.expiresAt.getTime() <= now.getTime()
    ? 'EXPIRED'
    : session.status;
}

export const ATTEMPT_OUTCOMES = [
  'succeeded',
  'timeout',
  'network',
  'server',
  'rate_limited',
  'rejected',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export interface ProviderAttempt {
  sessionId: string;
  merchantId: string;
  idempotencyKey: string;
  attemptNo: number;
  routeId: string;
  adapter: string;
  outcome: AttemptOutcome;
  errorCode?: string;
  providerStatus?: number;
  latencyMs: number;
}
