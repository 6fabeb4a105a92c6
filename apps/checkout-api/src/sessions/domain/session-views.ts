import { minorToMajorNumber } from '@app/money';
import type { PaymentOperation } from '../../payments/domain/payment-operation';
import { refundView } from '../../payments/domain/payment-views';
import { effectiveStatus, NO_MONEY_MOVED, Session } from './session';

/** The 201 body of a create, rebuilt identically from the stored session on replay. */
export function createdSessionView(session: Session) {
  return {
    sessionId: session.id,
    checkoutUrl: session.checkoutUrl,
    status: 'PENDING' as const,
    routing: { selectedProvider: session.providerRouteId, score: session.routingScore },
    expiresAt: session.expiresAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
  };
}

/**
 * GET body: the 201 fields plus the order, its amounts (major units, as they were sent), the routing
 * breakdown and the payment with its refunds (the session's, oldest first).
 */
export function sessionDetailView(session: Session, now: Date, refunds: readonly PaymentOperation[]) {
  const major = (minor: number) => minorToMajorNumber(minor, session.currency);
  return {
    sessionId: session.id,
    checkoutUrl: session.checkoutUrl,
    status: effectiveStatus(session, now),
    orderReference: session.orderReference,
    paymentMethod: session.paymentMethod,
    currency: session.currency,
    locale: session.locale,
    amount: {
      total: major(session.totalMinor),
      shipping: major(session.shippingMinor),
      tax: major(session.taxMinor),
    },
    orderItems: session.items.map((item) => ({
      name: item.name,
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: major(item.unitPriceMinor),
    })),
    routing: {
      selectedProvider: session.providerRouteId,
      score: session.routingScore,
      candidates: session.routingCandidates,
    },
    payment: paymentView(session, refunds),
    expiresAt: session.expiresAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}

/** The paying transaction, its money in major units and its refunds: also the answer of a capture or a void. */
export function paymentView(session: Session, refunds: readonly PaymentOperation[]) {
  if (!session.payment) return undefined;
  const major = (minor: number) => minorToMajorNumber(minor, session.currency);
  const balance = session.balance ?? NO_MONEY_MOVED;
  return {
    transactionId: session.payment.transactionId,
    status: session.payment.status,
    providerStatus: session.payment.providerStatus,
    declineReason: session.payment.declineReason,
    completedAt: session.payment.completedAt?.toISOString(),
    failedAt: session.payment.failedAt?.toISOString(),
    authorizedAmount: major(balance.authorizedMinor),
    capturedAmount: major(balance.capturedMinor),
    refundedAmount: major(balance.refundedMinor),
    refunds: refunds.map((refund) => refundView(refund, session.currency)),
  };
}
