import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, FindOptionsWhere, QueryFailedError, Repository } from 'typeorm';
import { ProviderAttempt, Session } from '../domain/session';
import { CreateLookup, InsertOutcome, PaymentUpdate, SessionRepository } from '../domain/session.repository';
import { ProviderAttemptEntity } from './provider-attempt.entity';
import { SessionEntity } from './session.entity';
import {
  SESSION_INSERT_COLUMNS,
  attemptsJson,
  sessionInsertValues,
  toAttempt,
  toSession,
} from './session.mapper';

/* Every column, aliased to the entity's field names, so plain rows map with toSession. */
const SESSION_SELECT = [
  ...SESSION_INSERT_COLUMNS,
  'transaction_id',
  'transaction_status',
  'payment_status',
  'decline_reason',
  'completed_at',
  'failed_at',
]
  .map((column) => `${column} AS "${column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}"`)
  .join(', ');

/* Monotonic: SET expressions see the old row, so only PENDING moves (and EXPIRED to COMPLETED: the money
 * was taken), the transaction id is never replaced, and COMPLETED / FAILED are final. */
const APPLY_PAYMENT = `
UPDATE checkout_sessions SET
  transaction_id     = COALESCE(transaction_id, $2),
  transaction_status = CASE WHEN status IN ('PENDING', 'EXPIRED') THEN $3 ELSE transaction_status END,
  payment_status     = CASE WHEN status IN ('PENDING', 'EXPIRED') THEN $7 ELSE payment_status END,
  status = CASE
    WHEN $4::text = 'COMPLETED' AND status IN ('PENDING', 'EXPIRED') THEN 'COMPLETED'
    WHEN $4::text = 'FAILED' AND status = 'PENDING' THEN 'FAILED'
    ELSE status END,
  decline_reason = CASE WHEN $4::text = 'FAILED' AND status = 'PENDING' THEN $5 ELSE decline_reason END,
  completed_at = CASE WHEN $4::text = 'COMPLETED' AND status IN ('PENDING', 'EXPIRED') THEN $6 ELSE completed_at END,
  failed_at = CASE WHEN $4::text = 'FAILED' AND status = 'PENDING' THEN $6 ELSE failed_at END,
  updated_at = $6
WHERE id = $1 AND (transaction_id IS NULL OR transaction_id = $2)
RETURNING ${SESSION_SELECT}`;

const LOOKUP_FOR_CREATE = `
SELECT ${SESSION_SELECT}
FROM checkout_sessions
WHERE merchant_id = $1 AND (idempotency_key = $2 OR (order_reference = $3 AND status = 'PENDING'))`;

const KEY_CONSTRAINT = 'ux_checkout_sessions_merchant_idempotency_key';
const ORDER_CONSTRAINT = 'ux_checkout_sessions_live_order';

const ATTEMPT_COLUMNS =
  'session_id, merchant_id, idempotency_key, attempt_no, route_id, adapter, outcome, error_code, provider_status, latency_ms';
const ATTEMPT_RECORDSET = `jsonb_to_recordset($1::jsonb) AS a(session_id uuid, merchant_id text, idempotency_key text,
  attempt_no int, route_id text, adapter text, outcome text, error_code text, provider_status int, latency_ms int)`;

/* The session and its attempts go in one statement: atomic, and one round trip. */
const INSERT_SESSION_WITH_ATTEMPTS = `
WITH inserted AS (
  INSERT INTO checkout_sessions (${SESSION_INSERT_COLUMNS.join(', ')})
  VALUES (${SESSION_INSERT_COLUMNS.map((_, i) => `$${i + 2}`).join(', ')})
  RETURNING id
)
INSERT INTO provider_attempts (${ATTEMPT_COLUMNS})
SELECT ${ATTEMPT_COLUMNS} FROM inserted, ${ATTEMPT_RECORDSET}`;

function violatedConstraint(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? driverError.constraint : undefined;
}

@Injectable()
export class TypeOrmSessionRepository extends SessionRepository {
  private readonly sessions: Repository<SessionEntity>;
  private readonly attempts: Repository<ProviderAttemptEntity>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sessions = dataSource.getRepository(SessionEntity);
    this.attempts = dataSource.getRepository(ProviderAttemptEntity);
  }

  async lookupForCreate(
    merchantId: string,
    idempotencyKey: string,
    orderReference: string,
    now: Date,
  ): Promise<CreateLookup> {
    // Hot path: one plain statement, columns aliased to the entity's fields (no query builder).
    const rows = (await this.dataSource.query(LOOKUP_FOR_CREATE, [
      merchantId,
      idempotencyKey,
      orderReference,
    ])) as SessionEntity[];
    const lookup: CreateLookup = {};
    for (const row of rows.map(toSession)) {
      if (row.idempotencyKey === idempotencyKey) lookup.byKey = row;
      else if (row.expiresAt.getTime() > now.getTime()) lookup.liveOrder = row;
      else await this.expireOrder(merchantId, orderReference, now);
    }
    return lookup;
  }

  async insert(session: Session, attempts: ProviderAttempt[]): Promise<InsertOutcome> {
    for (let round = 0; round < 2; round++) {
      try {
        await this.dataSource.query(INSERT_SESSION_WITH_ATTEMPTS, [
          attemptsJson(attempts),
          ...sessionInsertValues(session),
        ]);
        return { kind: 'inserted' };
      } catch (error) {
        const constraint = violatedConstraint(error);
        if (constraint === KEY_CONSTRAINT) {
          const existing = await this.sessions.findOneBy({
            merchantId: session.merchantId,
            idempotencyKey: session.idempotencyKey,
          });
          if (existing) return { kind: 'duplicate_key', existing: toSession(existing) };
        }
        if (constraint === ORDER_CONSTRAINT) {
          // An expired session must not block its order: mark it and try once more.
          if (
            round === 0 &&
            (await this.expireOrder(session.merchantId, session.orderReference, session.createdAt))
          ) {
            continue;
          }
          const existing = await this.sessions.findOneBy({
            merchantId: session.merchantId,
            orderReference: session.orderReference,
            status: 'PENDING',
          });
          if (existing) return { kind: 'duplicate_order', existing: toSession(existing) };
        }
        throw error;
      }
    }
    throw new Error('unreachable: insert retried without outcome');
  }

  async recordAttempts(attempts: ProviderAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO provider_attempts (${ATTEMPT_COLUMNS}) SELECT ${ATTEMPT_COLUMNS} FROM ${ATTEMPT_RECORDSET}`,
      [attemptsJson(attempts)],
    );
  }

  async findById(merchantId: string, id: string): Promise<Session | null> {
    const row = await this.sessions.findOneBy({ merchantId, id });
    return row ? toSession(row) : null;
  }

  async findAttempts(sessionId: string): Promise<ProviderAttempt[]> {
    const rows = await this.attempts.find({ where: { sessionId }, order: { attemptNo: 'ASC' } });
    return rows.map(toAttempt);
  }

  async markExpired(merchantId: string, id: string, now: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $3
       WHERE merchant_id = $1 AND id = $2 AND status = 'PENDING' AND expires_at <= $3`,
      [merchantId, id, now],
    );
  }

  async findForCheckout(id: string): Promise<Session | null> {
    const row = await this.sessions.findOneBy({ id });
    return row ? toSession(row) : null;
  }

  async findByTransaction(transactionId: string, providerSessionId?: string): Promise<Session | null> {
    const where: FindOptionsWhere<SessionEntity>[] = [{ transactionId }];
    if (providerSessionId) where.push({ providerSessionId });
    const row = await this.sessions.findOne({ where });
    return row ? toSession(row) : null;
  }

  async applyPayment(sessionId: string, update: PaymentUpdate, now: Date): Promise<Session | null> {
    const [updated] = await this.applyWith(this.dataSource.manager, sessionId, update, now);
    // No row back: the session belongs to another transaction; answer with it as it stands.
    return updated ? toSession(updated) : this.findForCheckout(sessionId);
  }

  async webhookSeen(adapter: string, eventId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      'SELECT 1 FROM webhook_events WHERE adapter = $1 AND event_id = $2',
      [adapter, eventId],
    )) as unknown[];
    return rows.length > 0;
  }

  async applyWebhook(
    adapter: string,
    eventId: string,
    sessionId: string,
    update: PaymentUpdate,
    now: Date,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO webhook_events (adapter, event_id, transaction_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [adapter, eventId, update.transactionId],
      )) as unknown[];
      if (inserted.length === 0) return false;
      await this.applyWith(manager, sessionId, update, now);
      return true;
    });
  }

  private async applyWith(
    manager: EntityManager,
    sessionId: string,
    update: PaymentUpdate,
    now: Date,
  ): Promise<SessionEntity[]> {
    const [rows] = (await manager.query(APPLY_PAYMENT, [
      sessionId,
      update.transactionId,
      update.providerStatus,
      update.transition,
      update.declineReason?.slice(0, 255) ?? null,
      now,
      update.status,
    ])) as [SessionEntity[], number];
    return rows;
  }

  async expireDue(now: Date, limit: number): Promise<number> {
    // SKIP LOCKED: concurrent sweeps take disjoint rows instead of waiting on each other.
    const [, affected] = (await this.dataSource.query(
      `UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $1
       WHERE id IN (
         SELECT id FROM checkout_sessions
         WHERE status = 'PENDING' AND expires_at <= $1
         ORDER BY expires_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       AND status = 'PENDING'`,
      [now, limit],
    )) as [unknown, number];
    return affected;
  }

  private async expireOrder(merchantId: string, orderReference: string, now: Date): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $3
       WHERE merchant_id = $1 AND order_reference = $2 AND status = 'PENDING' AND expires_at <= $3`,
      [merchantId, orderReference, now],
    )) as [unknown, number];
    return affected > 0;
  }
}
