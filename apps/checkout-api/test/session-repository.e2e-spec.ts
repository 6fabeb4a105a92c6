import { randomUUID } from 'node:crypto';
import { ProviderAttempt, Session } from '../src/sessions/domain/session';
import { SessionRepository } from '../src/sessions/domain/session.repository';
import { db } from './support/db';
import { Harness, startHarness } from './support/harness';

/** A session as the creator builds it, for a fresh merchant and order. */
function newSession(overrides: Partial<Session> = {}): Session {
  const now = new Date();
  return {
    id: randomUUID(),
    merchantId: `merchant_${randomUUID()}`,
    orderReference: `ORD-${randomUUID()}`,
    idempotencyKey: randomUUID(),
    requestFingerprint: 'f'.repeat(64),
    status: 'PENDING',
    paymentMethod: 'card',
    currency: 'AUD',
    totalMinor: 14076,
    shippingMinor: 995,
    taxMinor: 1181,
    items: [{ name: 'Widget', quantity: 1, unitPriceMinor: 11900 }],
    providerRouteId: 'gr4vy-card',
    providerAdapter: 'gr4vy',
    providerSessionId: randomUUID(),
    checkoutUrl: 'http://checkout.test/checkout/x',
    routingScore: 87.5,
    routingCandidates: [{ routeId: 'gr4vy-card', adapter: 'gr4vy', eligible: true, score: 87.5 }],
    expiresAt: new Date(now.getTime() + 3600_000),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function attempt(session: Session, overrides: Partial<ProviderAttempt> = {}): ProviderAttempt {
  return {
    sessionId: session.id,
    merchantId: session.merchantId,
    idempotencyKey: session.idempotencyKey,
    attemptNo: 1,
    routeId: session.providerRouteId,
    adapter: session.providerAdapter,
    outcome: 'succeeded',
    latencyMs: 12,
    ...overrides,
  };
}

describe('TypeOrmSessionRepository on Postgres', () => {
  let h: Harness;
  let sessions: SessionRepository;

  beforeAll(async () => {
    h = await startHarness();
    sessions = h.app.get(SessionRepository);
  });
  afterAll(async () => h.close());

  it('inserts a session and its attempts when a provider error code and status word exceed their columns, storing them clipped', async () => {
    const session = newSession({
      payment: { transactionId: randomUUID(), status: 'processing', providerStatus: 's'.repeat(200) },
    });
    const failed = attempt(session, { outcome: 'rejected', errorCode: 'E'.repeat(300), providerStatus: 400 });
    const succeeded = attempt(session, { attemptNo: 2 });

    await expect(sessions.insert(session, [failed, succeeded])).resolves.toEqual({ kind: 'inserted' });

    const stored = await sessions.findAttempts(session.id);
    expect(stored.map((a) => a.errorCode)).toEqual(['E'.repeat(64), undefined]);
    const { rows } = await db().query('SELECT transaction_status FROM checkout_sessions WHERE id = $1', [
      session.id,
    ]);
    expect(rows).toEqual([{ transaction_status: 's'.repeat(64) }]);
  });

  it('applies a payment whose provider status word and decline reason are longer than their columns, clipped', async () => {
    const session = newSession();
    await sessions.insert(session, [attempt(session)]);

    const updated = await sessions.applyPayment(
      session.id,
      {
        transactionId: randomUUID(),
        status: 'declined',
        providerStatus: 'w'.repeat(200),
        transition: 'FAILED',
        declineReason: 'r'.repeat(300),
      },
      new Date(),
    );

    expect(updated?.status).toBe('FAILED');
    expect(updated?.payment?.providerStatus).toBe('w'.repeat(64));
    expect(updated?.payment?.declineReason).toBe('r'.repeat(255));
  });

  it('reads back every field of the session it inserted', async () => {
    const session = newSession({
      locale: 'en-AU',
      customer: { firstName: 'Ada', email: 'ada@example.com', billingAddress: { country: 'AU' } },
      shipping: { type: 'standard' },
      metadata: { cartId: 'c-1', gift: true, count: 2 },
      redirectUrls: { success: 'https://shop.test/ok', failure: 'https://shop.test/ko' },
    });
    await sessions.insert(session, [attempt(session)]);

    expect(await sessions.findById(session.merchantId, session.id)).toEqual({
      ...session,
      payment: undefined,
    });
    expect(await sessions.findAttempts(session.id)).toEqual([attempt(session)]);
  });
});
