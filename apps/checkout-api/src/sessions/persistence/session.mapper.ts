import type { PaymentStatus } from '@app/providers';
import {
  AttemptOutcome,
  ProviderAttempt,
  RoutingCandidateRecord,
  Session,
  SessionCustomer,
  SessionItem,
  SessionStatus,
} from '../domain/session';
import { ProviderAttemptEntity } from './provider-attempt.entity';
import { SessionEntity } from './session.entity';

export function toSession(row: SessionEntity): Session {
  return {
    id: row.id,
    merchantId: row.merchantId,
    orderReference: row.orderReference,
    idempotencyKey: row.idempotencyKey,
    requestFingerprint: row.requestFingerprint.trim(),
    status: row.status as SessionStatus,
    paymentMethod: row.paymentMethod,
    currency: row.currency.trim(),
    locale: row.locale ?? undefined,
    totalMinor: Number(row.totalMinor),
    shippingMinor: Number(row.shippingMinor),
    taxMinor: Number(row.taxMinor),
    items: row.items as SessionItem[],
    customer: (row.customer as SessionCustomer | null) ?? undefined,
    shipping: (row.shipping as Session['shipping'] | null) ?? undefined,
    metadata: (row.metadata as Session['metadata'] | null) ?? undefined,
    redirectUrls: (row.redirectUrls as Session['redirectUrls'] | null) ?? undefined,
    providerRouteId: row.providerRouteId,
    providerAdapter: row.providerAdapter,
    providerSessionId: row.providerSessionId,
    checkoutUrl: row.checkoutUrl,
    routingScore: Number(row.routingScore),
    routingCandidates: row.routingCandidates as RoutingCandidateRecord[],
    expiresAt: new Date(row.expiresAt),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    payment: row.transactionId
      ? {
          transactionId: row.transactionId,
          status: (row.paymentStatus as PaymentStatus | null) ?? undefined,
          providerStatus: row.transactionStatus ?? undefined,
          declineReason: row.declineReason ?? undefined,
          completedAt: row.completedAt ? new Date(row.completedAt) : undefined,
          failedAt: row.failedAt ? new Date(row.failedAt) : undefined,
        }
      : undefined,
  };
}

export function toAttempt(row: ProviderAttemptEntity): ProviderAttempt {
  return {
    sessionId: row.sessionId,
    merchantId: row.merchantId,
    idempotencyKey: row.idempotencyKey,
    attemptNo: row.attemptNo,
    routeId: row.routeId,
    adapter: row.adapter,
    outcome: row.outcome as AttemptOutcome,
    errorCode: row.errorCode ?? undefined,
    providerStatus: row.providerStatus ?? undefined,
    latencyMs: row.latencyMs,
  };
}

/** Column values of an insert, in SESSION_INSERT_COLUMNS order. */
export function sessionInsertValues(session: Session): unknown[] {
  return [
    session.id,
    session.merchantId,
    session.orderReference,
    session.idempotencyKey,
    session.requestFingerprint,
    session.status,
    session.paymentMethod,
    session.currency,
    session.locale ?? null,
    session.totalMinor,
    session.shippingMinor,
    session.taxMinor,
    JSON.stringify(session.items),
    session.customer ? JSON.stringify(session.customer) : null,
    session.shipping ? JSON.stringify(session.shipping) : null,
    session.metadata ? JSON.stringify(session.metadata) : null,
    session.redirectUrls ? JSON.stringify(session.redirectUrls) : null,
    session.providerRouteId,
    session.providerAdapter,
    session.providerSessionId,
    session.checkoutUrl,
    session.routingScore,
    JSON.stringify(session.routingCandidates),
    session.expiresAt,
    session.createdAt,
    session.updatedAt,
  ];
}

export const SESSION_INSERT_COLUMNS = [
  'id',
  'merchant_id',
  'order_reference',
  'idempotency_key',
  'request_fingerprint',
  'status',
  'payment_method',
  'currency',
  'locale',
  'total_minor',
  'shipping_minor',
  'tax_minor',
  'items',
  'customer',
  'shipping',
  'metadata',
  'redirect_urls',
  'provider_route_id',
  'provider_adapter',
  'provider_session_id',
  'checkout_url',
  'routing_score',
  'routing_candidates',
  'expires_at',
  'created_at',
  'updated_at',
];

export function attemptsJson(attempts: ProviderAttempt[]): string {
  return JSON.stringify(
    attempts.map((a) => ({
      session_id: a.sessionId,
      merchant_id: a.merchantId,
      idempotency_key: a.idempotencyKey,
      attempt_no: a.attemptNo,
      route_id: a.routeId,
      adapter: a.adapter,
      outcome: a.outcome,
      error_code: a.errorCode ?? null,
      provider_status: a.providerStatus ?? null,
      latency_ms: a.latencyMs,
    })),
  );
}
