import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { StoreUnavailable } from '@app/common';
import { EventOutbox } from '../../events/domain/event-outbox';
import { Session } from '../domain/session';
import { sessionFixture as session } from '../domain/test/session.fixtures';
import { TypeOrmSessionRepository } from './typeorm-session.repository';

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

const outbox: EventOutbox = { append: jest.fn(async () => undefined) };

/** A DataSource whose every statement, in or out of a transaction, goes to `query`. */
function dataSourceWith(query: Query): DataSource {
  const manager = { query } as unknown as EntityManager;
  return {
    query,
    manager,
    transaction: <T>(work: (m: EntityManager) => Promise<T>) => work(manager),
  } as unknown as DataSource;
}

function uniqueViolation(constraint: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT …',
    [],
    Object.assign(new Error('duplicate key value'), { code: '23505', constraint }),
  );
}

function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

/* Answers like node-postgres through TypeORM: SELECT gives rows, UPDATE gives [rows, affected]. */
function answer(sql: string): unknown {
  if (/^\s*UPDATE/i.test(sql)) return [[], 0];
  return [];
}

describe('TypeOrmSessionRepository.insert under unique conflicts', () => {
  it.each([
    ['a live order', 'ux_checkout_sessions_live_order'],
    ['an idempotency key', 'ux_checkout_sessions_merchant_idempotency_key'],
  ])('retries when the session that held %s is gone by the time it is read', async (_, constraint) => {
    let inserts = 0;
    const query = jest.fn(async (sql: string) => {
      if (/^\s*WITH inserted/i.test(sql) && inserts++ === 0) throw uniqueViolation(constraint);
      return answer(sql);
    });
    const repository = new TypeOrmSessionRepository(dataSourceWith(query), outbox);

    await expect(repository.insert(session(), [])).resolves.toEqual({ kind: 'inserted' });
    expect(inserts).toBe(2);
  });

  it.each([
    ['a live order', 'ux_checkout_sessions_live_order', 'DUPLICATE_ORDER'],
    ['an idempotency key', 'ux_checkout_sessions_merchant_idempotency_key', 'IDEMPOTENCY_KEY_IN_USE'],
  ])(
    'answers with a conflict, not the driver error, when %s keeps conflicting with a row it cannot read',
    async (_, constraint, code) => {
      let inserts = 0;
      const query = jest.fn(async (sql: string) => {
        if (/^\s*WITH inserted/i.test(sql)) {
          inserts++;
          throw uniqueViolation(constraint);
        }
        return answer(sql);
      });
      const repository = new TypeOrmSessionRepository(dataSourceWith(query), outbox);

      const outcome = repository.insert(session(), []);

      await expect(outcome).rejects.toMatchObject({ code });
      await expect(outcome).rejects.not.toBeInstanceOf(QueryFailedError);
      expect(inserts).toBeGreaterThan(1);
      expect(inserts).toBeLessThanOrEqual(5);
    },
  );
});

describe('TypeOrmSessionRepository store failures', () => {
  const now = new Date();
  const update = {
    transactionId: 'tx',
    status: 'processing',
    providerStatus: 'processing',
    transition: null,
  } as const;
  const calls: Array<[string, (r: TypeOrmSessionRepository) => Promise<unknown>]> = [
    ['lookupForCreate', (r) => r.lookupForCreate('m', 'k', 'o', now)],
    ['insert', (r) => r.insert(session(), [])],
    ['recordAttempts', (r) => r.recordAttempts([attemptOf(session())])],
    ['findById', (r) => r.findById('m', randomUUID())],
    ['findAttempts', (r) => r.findAttempts(randomUUID())],
    ['markExpired', (r) => r.markExpired('m', randomUUID(), now)],
    ['findForCheckout', (r) => r.findForCheckout(randomUUID())],
    ['findByTransaction', (r) => r.findByTransaction('gr4vy', 'tx', 'ps')],
    ['findByProviderSession', (r) => r.findByProviderSession('stripe', 'cs_1')],
    ['applyPayment', (r) => r.applyPayment(randomUUID(), update, now)],
    ['webhookSeen', (r) => r.webhookSeen('gr4vy', 'ev')],
    [
      'applyWebhook',
      (r) => r.applyWebhook('gr4vy', 'ev', randomUUID(), { kind: 'payment', payment: update }, now),
    ],
    ['expireDue', (r) => r.expireDue(now, 10)],
  ];

  it.each(calls)('%s reports a refused connection as StoreUnavailable', async (_, call) => {
    const repository = new TypeOrmSessionRepository(
      dataSourceWith(async () => Promise.reject(connectionRefused())),
      outbox,
    );

    const failure = call(repository);

    await expect(failure).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(failure).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', store: 'postgres' });
  });

  it.each(calls)('%s lets a TypeError through unchanged, so it is a logged 500', async (_, call) => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'rows')");
    const repository = new TypeOrmSessionRepository(
      dataSourceWith(async () => Promise.reject(bug)),
      outbox,
    );

    await expect(call(repository)).rejects.toBe(bug);
  });

  it.each<[string, string, (r: TypeOrmSessionRepository) => Promise<unknown>]>([
    ['insert', 'ux_checkout_sessions_transaction', (r) => r.insert(session(), [])],
    ['recordAttempts', 'provider_attempts_pkey', (r) => r.recordAttempts([attemptOf(session())])],
  ])('%s lets a unique violation it does not settle (%s) through unchanged', async (_, constraint, call) => {
    const violation = uniqueViolation(constraint);
    const repository = new TypeOrmSessionRepository(
      dataSourceWith(async () => Promise.reject(violation)),
      outbox,
    );

    await expect(call(repository)).rejects.toBe(violation);
  });
});

function attemptOf(s: Session) {
  return {
    sessionId: s.id,
    merchantId: s.merchantId,
    idempotencyKey: s.idempotencyKey,
    attemptNo: 1,
    routeId: s.providerRouteId,
    adapter: s.providerAdapter,
    outcome: 'succeeded' as const,
    latencyMs: 5,
  };
}

describe('TypeOrmSessionRepository and the event outbox', () => {
  const now = new Date();
  const completed = {
    transactionId: 'tx',
    status: 'captured',
    providerStatus: 'capture_succeeded',
    transition: 'COMPLETED',
  } as const;

  /* Every statement of one call, in one transaction: the outbox gets that transaction's manager. */
  function recording(updateRows: (sql: string) => Record<string, unknown>[]) {
    const manager = {
      query: jest.fn(async (sql: string) =>
        /^\s*UPDATE/i.test(sql) ? [updateRows(sql), 1] : [{ event_id: 'e' }],
      ),
    };
    const dataSource = {
      query: manager.query,
      manager,
      transaction: jest.fn(<T>(work: (m: unknown) => Promise<T>) => work(manager)),
    } as unknown as DataSource;
    const append = jest.fn(async () => undefined);
    return { repository: new TypeOrmSessionRepository(dataSource, { append }), append, manager };
  }

  const row = (s: Session, previousStatus?: string): Record<string, unknown> => ({
    id: s.id,
    merchant_id: s.merchantId,
    order_reference: s.orderReference,
    idempotency_key: s.idempotencyKey,
    request_fingerprint: s.requestFingerprint,
    status: s.status,
    payment_method: s.paymentMethod,
    currency: s.currency,
    locale: null,
    total_minor: String(s.totalMinor),
    shipping_minor: String(s.shippingMinor),
    tax_minor: String(s.taxMinor),
    items: s.items,
    customer: null,
    shipping: null,
    metadata: null,
    redirect_urls: null,
    provider_route_id: s.providerRouteId,
    provider_adapter: s.providerAdapter,
    provider_session_id: s.providerSessionId,
    checkout_url: s.checkoutUrl,
    routing_score: String(s.routingScore),
    routing_candidates: s.routingCandidates,
    expires_at: s.expiresAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    transaction_id: 'tx',
    payment_status: 'captured',
    transaction_status: 'capture_succeeded',
    decline_reason: null,
    completed_at: now,
    failed_at: null,
    authorized_minor: String(s.totalMinor),
    captured_minor: String(s.totalMinor),
    refunded_minor: '0',
    reserved_minor: '0',
    ...(previousStatus ? { previousStatus } : {}),
  });

  it('appends session.completed in the payment’s own transaction when the payment moves the session', async () => {
    const paid = { ...session(), status: 'COMPLETED' as const };
    const { repository, append, manager } = recording(() => [row(paid, 'PENDING')]);
    await repository.applyPayment(paid.id, completed, now);
    expect(append).toHaveBeenCalledTimes(1);
    expect(append).toHaveBeenCalledWith(
      manager,
      expect.objectContaining({ type: 'session.completed', sessionId: paid.id }),
    );
  });

  it('appends nothing when the payment leaves the status as it was (a replayed outcome)', async () => {
    const paid = { ...session(), status: 'COMPLETED' as const };
    const { repository, append } = recording(() => [row(paid, 'COMPLETED')]);
    await repository.applyPayment(paid.id, completed, now);
    expect(append).not.toHaveBeenCalled();
  });

  it('appends session.expired for every session the expiry sweep moved', async () => {
    const expired = [1, 2, 3].map(() => ({ ...session(), status: 'EXPIRED' as const }));
    const { repository, append } = recording(() => expired.map((s) => row(s)));
    await expect(repository.expireDue(now, 10)).resolves.toBe(3);
    expect(append).toHaveBeenCalledTimes(3);
    expect(append.mock.calls.map((call) => (call as unknown[])[1])).toEqual(
      expired.map((s) => expect.objectContaining({ type: 'session.expired', sessionId: s.id })),
    );
  });

  it('appends session.expired when a Stripe webhook says the provider closed the session unpaid', async () => {
    const expired = { ...session(), status: 'EXPIRED' as const };
    const { repository, append } = recording(() => [row(expired)]);
    await expect(
      repository.applyWebhook('stripe', 'evt_1', expired.id, { kind: 'expired' }, now),
    ).resolves.toBe(true);
    expect(append).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ type: 'session.expired' }),
    );
  });
});
