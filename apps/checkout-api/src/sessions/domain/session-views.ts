import { minorToMajorNumber } from '@app/money';
import { effectiveStatus, Session } from './session';

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

/** GET body: the 201 fields plus the order, its amounts (major units, as they were sent) and the routing breakdown. */
export function sessionDetailView(session: Session, now: Date) {
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
    payment: session.payment
      ? {
          transactionId: session.payment.transactionId,
          status: session.payment.status,
          providerStatus: session.payment.providerStatus,
          declineReason: session.payment.declineReason,
          completedAt: session.payment.completedAt?.toISOString(),
          failedAt: session.payment.failedAt?.toISOString(),
        }
      : undefined,
    expiresAt: session.expiresAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}
