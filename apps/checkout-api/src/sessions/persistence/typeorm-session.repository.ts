import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DomainError, guardStore } from '@app/common';
import { EventOutbox } from '../../events/domain/event-outbox';
import { appendStatusEvents } from '../../events/domain/session-event';
import { ProviderAttempt, Session } from '../domain/session';
import {
  CreateLookup,
  InsertOutcome,
  PaymentUpdate,
  ProviderSessionUpdate,
  SessionRepository,
} from '../domain/session.repository';
import { PAYMENT_COLUMNS } from './session.columns';
import {
  ATTEMPT_SELECT,
  SESSION_SELECT,
  attemptRecordset,
  attemptsJson,
  sessionInsert,
  sessionInsertValues,
  toAttempt,
  toSession,
} from './session.mapper';

const SELECT_SESSIONS = `SELECT ${SESSION_SELECT} FROM checkout_sessions`;

const LOOKUP_FOR_CREATE = `${SELECT_SESSIONS}
WHERE merchant_id = $1 AND (idempotency_key = $2 OR (order_reference = $3 AND status = 'PENDING'))`;
const BY_ID = `${SELECT_SESSIONS} WHERE merchant_id = $1 AND id = $2`;
const BY_KEY = `${SELECT_SESSIONS} WHERE merchant_id = $1 AND idempotency_key = $2`;
const LIVE_ORDER = `${SELECT_SESSIONS} WHERE merchant_id = $1 AND order_reference = $2 AND status = 'PENDING'`;
const FOR_CHECKOUT = `${SELECT_SESSIONS} WHERE id = $1`;
/* $2 NULL matches nothing: then only the transaction id finds the session. */
const BY_TRANSACTION = `${SELECT_SESSIONS}
WHERE provider_adapter = $3 AND (transaction_id = $1 OR provider_session_id = $2) LIMIT 1`;
const BY_PROVIDER_SESSION = `${SELECT_SESSIONS} WHERE provider_session_id = $2 AND provider_adapter = $1 LIMIT 1`;
const ATTEMPTS_OF_SESSION = `SELECT ${ATTEMPT_SELECT} FROM provider_attempts WHERE session_id = $1 ORDER BY attempt_no`;

/* Monotonic: SET expressions see the old row, so only PENDING moves (and EXPIRED to COMPLETED: the money
 * was taken), the transaction id is never replaced, and COMPLETED / FAILED are final. Completing records
 * the money: the whole amount authorized, and captured too when the provider took it at once. The row is
 * locked and its status read first, so the statement also says what it moved from: a merchant event is
 * owed only when the status actually changed. */
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
  authorized_minor = CASE WHEN $4::text = 'COMPLETED' AND status IN ('PENDING', 'EXPIRED') THEN total_minor
    ELSE authorized_minor END,
  captured_minor = CASE WHEN $4::text = 'COMPLETED' AND status IN ('PENDING', 'EXPIRED') AND $7::text = 'captured'
    THEN total_minor ELSE captured_minor END,
  failed_at = CASE WHEN $4::text = 'FAILED' AND status = 'PENDING' THEN $6 ELSE failed_at END,
  updated_at = $6
FROM (SELECT id AS locked_id, status AS previous_status FROM checkout_sessions WHERE id = $1 FOR UPDATE) previous
WHERE id = previous.locked_id AND (transaction_id IS NULL OR transaction_id = $2)
RETURNING ${SESSION_SELECT}, previous.previous_status AS "previousStatus"`;

/* PENDING past its expiry becomes EXPIRED; every row returned moved, and is owed a session.expired. */
const EXPIRE_ONE = `
UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $3
WHERE merchant_id = $1 AND id = $2 AND status = 'PENDING' AND expires_at <= $3
RETURNING ${SESSION_SELECT}`;

const EXPIRE_ORDER = `
UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $3
WHERE merchant_id = $1 AND order_reference = $2 AND status = 'PENDING' AND expires_at <= $3
RETURNING ${SESSION_SELECT}`;

/* SKIP LOCKED: concurrent sweeps take disjoint rows instead of waiting on each other. */
const EXPIRE_DUE = `
UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $1
WHERE id IN (
  SELECT id FROM checkout_sessions
  WHERE status = 'PENDING' AND expires_at <= $1
  ORDER BY expires_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED)
AND status = 'PENDING'
RETURNING ${SESSION_SELECT}`;

/* Closed unpaid at the provider (as the lifecycle repository's expire): only PENDING moves, so a final
 * status never regresses, and a payment taken later still completes the session (APPLY_PAYMENT). */
const EXPIRE_AT_PROVIDER = `
UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $2
WHERE id = $1 AND status = 'PENDING'
RETURNING ${SESSION_SELECT}`;

/* webhook_events.transaction_id records what the event was about: its payment, or else the provider's session. */
const RECORD_WEBHOOK = `
INSERT INTO webhook_events (adapter, event_id, transaction_id)
VALUES ($1, $2, COALESCE($3, (SELECT provider_session_id FROM checkout_sessions WHERE id = $4)))
ON CONFLICT DO NOTHING RETURNING event_id`;

/* The session and its attempts go in one statement: atomic, and one round trip. */
const INSERT_SESSION_WITH_ATTEMPTS = `
WITH inserted AS (
  ${sessionInsert(2)}
  RETURNING id
)
INSERT INTO provider_attempts (${ATTEMPT_SELECT})
SELECT ${ATTEMPT_SELECT} FROM inserted, ${attemptRecordset('$1')}`;

const INSERT_ATTEMPTS = `INSERT INTO provider_attempts (${ATTEMPT_SELECT})
SELECT ${ATTEMPT_SELECT} FROM ${attemptRecordset('$1')}`;

const KEY_CONSTRAINT = 'ux_checkout_sessions_merchant_idempotency_key';
const ORDER_CONSTRAINT = 'ux_checkout_sessions_live_order';
type UniqueConflict = typeof KEY_CONSTRAINT | typeof ORDER_CONSTRAINT;

/* The row an insert collides with can change before it is read (cancelled, expired, completed): the insert
 * may then pass. A few rounds settle any real race; more would only hide a loop. */
const INSERT_ROUNDS = 3;

type Row = Record<string, unknown>;

function violatedConstraint(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? driverError.constraint : undefined;
}

/** Plain SQL throughout (no entity metadata): the statements and the mapping come from session.columns. */
@Injectable()
export class TypeOrmSessionRepository extends SessionRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
  ) {
    super();
  }

  lookupForCreate(
    merchantId: string,
    idempotencyKey: string,
    orderReference: string,
    now: Date,
  ): Promise<CreateLookup> {
    return guardStore('postgres', async () => {
      const rows = await this.sessions(LOOKUP_FOR_CREATE, [merchantId, idempotencyKey, orderReference]);
      const lookup: CreateLookup = {};
      for (const row of rows) {
        if (row.idempotencyKey === idempotencyKey) lookup.byKey = row;
        else if (row.expiresAt.getTime() > now.getTime()) lookup.liveOrder = row;
        else await this.expireOrder(merchantId, orderReference, now);
      }
      return lookup;
    });
  }

  insert(session: Session, attempts: ProviderAttempt[]): Promise<InsertOutcome> {
    return guardStore('postgres', async () => {
      for (let round = 1; ; round++) {
        const conflict = await this.tryInsert(session, attempts);
        if (!conflict) return { kind: 'inserted' };
        const outcome = await this.settle(session, conflict);
        if (outcome) return outcome;
        if (round === INSERT_ROUNDS) throw unsettledConflict(conflict);
      }
    });
  }

  /** Undefined once inserted; the unique constraint that refused the row otherwise. */
  private async tryInsert(
    session: Session,
    attempts: ProviderAttempt[],
  ): Promise<UniqueConflict | undefined> {
    try {
      await this.dataSource.query(INSERT_SESSION_WITH_ATTEMPTS, [
        attemptsJson(attempts),
        ...sessionInsertValues(session),
      ]);
      return undefined;
    } catch (error) {
      const constraint = violatedConstraint(error);
      if (constraint === KEY_CONSTRAINT || constraint === ORDER_CONSTRAINT) return constraint;
      throw error;
    }
  }

  /** The session that holds the key or the order; undefined when it no longer does, so the insert may pass. */
  private async settle(session: Session, conflict: UniqueConflict): Promise<InsertOutcome | undefined> {
    if (conflict === KEY_CONSTRAINT) {
      const [existing] = await this.sessions(BY_KEY, [session.merchantId, session.idempotencyKey]);
      return existing ? { kind: 'duplicate_key', existing } : undefined;
    }
    // An expired session must not block its order: mark it, and the next round may pass.
    if (await this.expireOrder(session.merchantId, session.orderReference, session.createdAt)) {
      return undefined;
    }
    const [existing] = await this.sessions(LIVE_ORDER, [session.merchantId, session.orderReference]);
    return existing ? { kind: 'duplicate_order', existing } : undefined;
  }

  recordAttempts(attempts: ProviderAttempt[]): Promise<void> {
    return guardStore('postgres', async () => {
      if (attempts.length > 0) await this.dataSource.query(INSERT_ATTEMPTS, [attemptsJson(attempts)]);
    });
  }

  findById(merchantId: string, id: string): Promise<Session | null> {
    return guardStore('postgres', async () => (await this.sessions(BY_ID, [merchantId, id]))[0] ?? null);
  }

  findAttempts(sessionId: string): Promise<ProviderAttempt[]> {
    return guardStore('postgres', async () => {
      const rows = (await this.dataSource.query(ATTEMPTS_OF_SESSION, [sessionId])) as Row[];
      return rows.map(toAttempt);
    });
  }

  markExpired(merchantId: string, id: string, now: Date): Promise<void> {
    return guardStore('postgres', async () => {
      await this.expireWith(EXPIRE_ONE, [merchantId, id, now], now);
    });
  }

  findForCheckout(id: string): Promise<Session | null> {
    return guardStore('postgres', () => this.forCheckout(id));
  }

  private async forCheckout(id: string): Promise<Session | null> {
    return (await this.sessions(FOR_CHECKOUT, [id]))[0] ?? null;
  }

  findByTransaction(
    adapter: string,
    transactionId: string,
    providerSessionId?: string,
  ): Promise<Session | null> {
    return guardStore('postgres', async () => {
      const [session] = await this.sessions(BY_TRANSACTION, [
        transactionId,
        providerSessionId ?? null,
        adapter,
      ]);
      return session ?? null;
    });
  }

  findByProviderSession(adapter: string, providerSessionId: string): Promise<Session | null> {
    return guardStore('postgres', async () => {
      const [session] = await this.sessions(BY_PROVIDER_SESSION, [adapter, providerSessionId]);
      return session ?? null;
    });
  }

  applyPayment(sessionId: string, update: PaymentUpdate, now: Date): Promise<Session | null> {
    return guardStore('postgres', async () => {
      const updated = await this.dataSource.transaction((manager) =>
        this.applyWith(manager, sessionId, update, now),
      );
      // No row back: the session belongs to another transaction; answer with it as it stands.
      return updated ?? this.forCheckout(sessionId);
    });
  }

  webhookSeen(adapter: string, eventId: string): Promise<boolean> {
    return guardStore('postgres', async () => {
      const rows = (await this.dataSource.query(
        'SELECT 1 FROM webhook_events WHERE adapter = $1 AND event_id = $2',
        [adapter, eventId],
      )) as unknown[];
      return rows.length > 0;
    });
  }

  applyWebhook(
    adapter: string,
    eventId: string,
    sessionId: string,
    update: ProviderSessionUpdate,
    now: Date,
  ): Promise<boolean> {
    const subject =
      update.kind === 'payment' ? PAYMENT_COLUMNS.transactionId.write(update.payment.transactionId) : null;
    return guardStore('postgres', () =>
      this.dataSource.transaction(async (manager) => {
        const inserted = (await manager.query(RECORD_WEBHOOK, [
          adapter,
          eventId,
          subject,
          sessionId,
        ])) as unknown[];
        if (inserted.length === 0) return false;
        if (update.kind === 'payment') await this.applyWith(manager, sessionId, update.payment, now);
        if (update.kind === 'expired')
          await this.expireOn(manager, EXPIRE_AT_PROVIDER, [sessionId, now], now);
        return true;
      }),
    );
  }

  /* The provider's words are written through their columns, which clip what we only record. The update and
   * the event it causes are one transaction: the caller's. */
  private async applyWith(
    manager: EntityManager,
    sessionId: string,
    update: PaymentUpdate,
    now: Date,
  ): Promise<Session | undefined> {
    const [rows] = (await manager.query(APPLY_PAYMENT, [
      sessionId,
      PAYMENT_COLUMNS.transactionId.write(update.transactionId),
      PAYMENT_COLUMNS.providerStatus.write(update.providerStatus),
      update.transition,
      PAYMENT_COLUMNS.declineReason.write(update.declineReason),
      now,
      PAYMENT_COLUMNS.status.write(update.status),
    ])) as [Row[], number];
    const [row] = rows;
    if (!row) return undefined;
    const session = toSession(row);
    await appendStatusEvents(this.outbox, manager, [session], String(row.previousStatus), now);
    return session;
  }

  /** Runs an EXPIRED update and appends session.expired for each row it moved, in one transaction. */
  private expireWith(sql: string, params: unknown[], now: Date): Promise<number> {
    return this.dataSource.transaction((manager) => this.expireOn(manager, sql, params, now));
  }

  /** The EXPIRED update on the caller's transaction, with session.expired for each row it moved. */
  private async expireOn(manager: EntityManager, sql: string, params: unknown[], now: Date): Promise<number> {
    const [rows] = (await manager.query(sql, params)) as [Row[], number];
    await appendStatusEvents(this.outbox, manager, rows.map(toSession), 'PENDING', now);
    return rows.length;
  }

  expireDue(now: Date, limit: number): Promise<number> {
    return guardStore('postgres', () => this.expireWith(EXPIRE_DUE, [now, limit], now));
  }

  private async sessions(sql: string, params: unknown[]): Promise<Session[]> {
    const rows = (await this.dataSource.query(sql, params)) as Row[];
    return rows.map(toSession);
  }

  private async expireOrder(merchantId: string, orderReference: string, now: Date): Promise<boolean> {
    return (await this.expireWith(EXPIRE_ORDER, [merchantId, orderReference, now], now)) > 0;
  }
}

/* Every round collided with a row that was gone when read: the key or the order is being fought over. */
function unsettledConflict(conflict: UniqueConflict): DomainError {
  return conflict === KEY_CONSTRAINT
    ? new DomainError(
        'IDEMPOTENCY_KEY_IN_USE',
        { reason: 'A request with this Idempotency-Key is still being processed' },
        { 'Retry-After': '1' },
      )
    : new DomainError('DUPLICATE_ORDER', {
        reason: 'Another session for this order was being created or closed at the same time',
      });
}
