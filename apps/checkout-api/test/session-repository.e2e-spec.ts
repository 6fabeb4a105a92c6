import { randomUUID } from 'node:crypto';
import { NO_MONEY_MOVED, ProviderAttempt, Session } from '../src/sessions/domain/session';
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

  describe('what a provider says about its own session', () => {
    const stripeSession = () =>
      newSession({
        providerAdapter: 'stripe',
        providerRouteId: 'stripe-eu',
        providerSessionId: `cs_test_${randomUUID()}`,
      });
    const captured = (transactionId = `pi_${randomUUID()}`) => ({
      kind: 'payment' as const,
      payment: {
        transactionId,
        status: 'captured' as const,
        providerStatus: 'paid',
        transition: 'COMPLETED' as const,
      },
    });
    const eventRow = async (eventId: string) =>
      (
        await db().query('SELECT transaction_id FROM webhook_events WHERE adapter = $1 AND event_id = $2', [
          'stripe',
          eventId,
        ])
      ).rows;

    it('finds a session by its adapter and provider session id, and no other adapter’s', async () => {
      const session = stripeSession();
      await sessions.insert(session, [attempt(session)]);

      expect((await sessions.findByProviderSession('stripe', session.providerSessionId))?.id).toBe(
        session.id,
      );
      expect(await sessions.findByProviderSession('gr4vy', session.providerSessionId)).toBeNull();
      expect(await sessions.findByProviderSession('stripe', 'cs_test_unknown')).toBeNull();
    });

    it('expires a PENDING session on the provider’s expiry event, before its own expiry, and never a final one', async () => {
      const pending = stripeSession();
      const completed = stripeSession();
      await sessions.insert(pending, [attempt(pending)]);
      await sessions.insert(completed, [attempt(completed)]);
      await sessions.applyPayment(completed.id, captured().payment, new Date());

      for (const session of [pending, completed]) {
        await sessions.applyWebhook(
          'stripe',
          `evt_${randomUUID()}`,
          session.id,
          { kind: 'expired' },
          new Date(),
        );
      }

      expect((await sessions.findForCheckout(pending.id))?.status).toBe('EXPIRED');
      expect((await sessions.findForCheckout(completed.id))?.status).toBe('COMPLETED');
    });

    it('records an expiry event against the provider session, and lets a later payment complete the session', async () => {
      const session = stripeSession();
      await sessions.insert(session, [attempt(session)]);
      const eventId = `evt_${randomUUID()}`;

      expect(
        await sessions.applyWebhook('stripe', eventId, session.id, { kind: 'expired' }, new Date()),
      ).toBe(true);
      expect(await sessions.applyWebhook('stripe', eventId, session.id, captured(), new Date())).toBe(false);
      expect((await sessions.findForCheckout(session.id))?.status).toBe('EXPIRED');
      expect(await eventRow(eventId)).toEqual([{ transaction_id: session.providerSessionId }]);

      const paid = captured();
      expect(await sessions.applyWebhook('stripe', `evt_${randomUUID()}`, session.id, paid, new Date())).toBe(
        true,
      );
      expect(await sessions.findForCheckout(session.id)).toMatchObject({
        status: 'COMPLETED',
        payment: { transactionId: paid.payment.transactionId },
      });
    });

    it('records an event that moves nothing, so that its redelivery is a duplicate', async () => {
      const session = stripeSession();
      await sessions.insert(session, [attempt(session)]);
      const eventId = `evt_${randomUUID()}`;

      expect(
        await sessions.applyWebhook('stripe', eventId, session.id, { kind: 'unchanged' }, new Date()),
      ).toBe(true);
      expect(await sessions.webhookSeen('stripe', eventId)).toBe(true);
      expect((await sessions.findForCheckout(session.id))?.status).toBe('PENDING');
    });
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
      // A session just created: no money has moved yet.
      balance: NO_MONEY_MOVED,
    });
    expect(await sessions.findAttempts(session.id)).toEqual([attempt(session)]);
  });
});
