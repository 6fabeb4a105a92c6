import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
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
