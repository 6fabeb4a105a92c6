import { randomUUID } from 'node:crypto';
import { Session } from '../session';

/** A PENDING session as the create path stores it; `overrides` change what a test is about. */
export function sessionFixture(overrides: Partial<Session> = {}): Session {
  const now = new Date();
  return {
    id: randomUUID(),
    merchantId: 'merchant_1',
    orderReference: 'ORD-1',
    idempotencyKey: 'key-1',
    requestFingerprint: 'f'.repeat(64),
    status: 'PENDING',
    paymentMethod: 'card',
    currency: 'AUD',
    totalMinor: 100,
    shippingMinor: 0,
    taxMinor: 0,
    items: [{ name: 'Widget', quantity: 1, unitPriceMinor: 100 }],
    providerRouteId: 'gr4vy-card',
    providerAdapter: 'gr4vy',
    providerSessionId: 'ps_1',
    checkoutUrl: 'http://checkout.test/checkout/1',
    routingScore: 90,
    routingCandidates: [],
    expiresAt: new Date(now.getTime() + 3600_000),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
