import type { PaymentBalance, ProviderAttempt, Session, SessionPayment } from '../domain/session';
import {
  bigint,
  char,
  ColumnMap,
  ColumnShape,
  columnsOf,
  integer,
  jsonb,
  nullable,
  numeric,
  smallint,
  text,
  timestamptz,
  uuid,
  varchar,
} from './column-map';

/**
 * The only description of the session tables in the code: the statements, the row mapping and the
 * benchmark floor's insert are generated from it, and the schema test holds the migrations to it.
 */
export const SESSION_COLUMNS: ColumnMap<Omit<Session, 'payment' | 'balance'>> = {
  id: uuid('id'),
  merchantId: varchar('merchant_id', 128),
  orderReference: varchar('order_reference', 255),
  idempotencyKey: varchar('idempotency_key', 255),
  requestFingerprint: char('request_fingerprint', 64),
  status: varchar('status', 16),
  paymentMethod: varchar('payment_method', 32),
  currency: char('currency', 3),
  locale: nullable(varchar('locale', 16)),
  totalMinor: bigint('total_minor'),
  shippingMinor: bigint('shipping_minor'),
  taxMinor: bigint('tax_minor'),
  items: jsonb('items'),
  customer: nullable(jsonb('customer')),
  shipping: nullable(jsonb('shipping')),
  metadata: nullable(jsonb('metadata')),
  redirectUrls: nullable(jsonb('redirect_urls')),
  providerRouteId: varchar('provider_route_id', 64),
  providerAdapter: varchar('provider_adapter', 32),
  providerSessionId: varchar('provider_session_id', 255),
  checkoutUrl: text('checkout_url'),
  routingScore: numeric('routing_score', 4, 1),
  routingCandidates: jsonb('routing_candidates'),
  expiresAt: timestamptz('expires_at'),
  createdAt: timestamptz('created_at'),
  updatedAt: timestamptz('updated_at'),
};

/** The payment's columns, on the same rows: a session has a payment once it has a transaction id. */
export const PAYMENT_COLUMNS: ColumnMap<SessionPayment> = {
  transactionId: nullable(varchar('transaction_id', 255)),
  status: nullable(varchar('payment_status', 32)),
  providerStatus: nullable(varchar('transaction_status', 64, { clip: true })),
  declineReason: nullable(varchar('decline_reason', 255, { clip: true })),
  completedAt: nullable(timestamptz('completed_at')),
  failedAt: nullable(timestamptz('failed_at')),
};

/** The payment's money, on the same rows: the one row lock of capture, void and refund guards it. */
export const BALANCE_COLUMNS: ColumnMap<PaymentBalance> = {
  authorizedMinor: bigint('authorized_minor'),
  capturedMinor: bigint('captured_minor'),
  refundedMinor: bigint('refunded_minor'),
  reservedMinor: bigint('reserved_minor'),
};

export const ATTEMPT_COLUMNS: ColumnMap<ProviderAttempt> = {
  sessionId: uuid('session_id'),
  merchantId: varchar('merchant_id', 128),
  idempotencyKey: varchar('idempotency_key', 255),
  attemptNo: smallint('attempt_no'),
  routeId: varchar('route_id', 64),
  adapter: varchar('adapter', 32),
  outcome: varchar('outcome', 16),
  errorCode: nullable(varchar('error_code', 64, { clip: true })),
  providerStatus: nullable(integer('provider_status')),
  latencyMs: integer('latency_ms'),
};

export interface TableShape {
  readonly name: string;
  /** What the service writes and reads, in the order of every generated list. */
  readonly columns: readonly ColumnShape[];
  /** Filled by the database (bigserial, DEFAULT now()); never written nor read by the service. */
  readonly filledByDatabase: readonly ColumnShape[];
}

export const SESSION_TABLE: TableShape = {
  name: 'checkout_sessions',
  columns: [...columnsOf(SESSION_COLUMNS), ...columnsOf(PAYMENT_COLUMNS), ...columnsOf(BALANCE_COLUMNS)],
  filledByDatabase: [],
};

export const ATTEMPT_TABLE: TableShape = {
  name: 'provider_attempts',
  columns: columnsOf(ATTEMPT_COLUMNS),
  filledByDatabase: [
    { column: 'id', sqlType: 'bigint', nullable: false },
    { column: 'created_at', sqlType: 'timestamptz', nullable: false },
  ],
};
