import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { StoreUnavailable } from '@app/common';
import { Session } from '../domain/session';
import { TypeOrmSessionRepository } from './typeorm-session.repository';

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

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

function session(): Session {
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
  };
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
    const repository = new TypeOrmSessionRepository(dataSourceWith(query));

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
      const repository = new TypeOrmSessionRepository(dataSourceWith(query));

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
    ['findByTransaction', (r) => r.findByTransaction('tx', 'ps')],
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
    );

    const failure = call(repository);

    await expect(failure).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(failure).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', store: 'postgres' });
  });

  it.each(calls)('%s lets a TypeError through unchanged, so it is a logged 500', async (_, call) => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'rows')");
    const repository = new TypeOrmSessionRepository(dataSourceWith(async () => Promise.reject(bug)));

    await expect(call(repository)).rejects.toBe(bug);
  });

  it.each<[string, string, (r: TypeOrmSessionRepository) => Promise<unknown>]>([
    ['insert', 'ux_checkout_sessions_transaction', (r) => r.insert(session(), [])],
    ['recordAttempts', 'provider_attempts_pkey', (r) => r.recordAttempts([attemptOf(session())])],
  ])('%s lets a unique violation it does not settle (%s) through unchanged', async (_, constraint, call) => {
    const violation = uniqueViolation(constraint);
    const repository = new TypeOrmSessionRepository(dataSourceWith(async () => Promise.reject(violation)));

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
