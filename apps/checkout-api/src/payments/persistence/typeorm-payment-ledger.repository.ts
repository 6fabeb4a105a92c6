import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { guardStore } from '@app/common';
import { EventOutbox, EventType } from '../../events/domain/event-outbox';
import { sessionDetailView } from '../../sessions/domain/session-views';
import { refundView } from '../domain/payment-views';
import { PaymentBalance, Session } from '../../sessions/domain/session';
import { columnList, placeholders, readRow, writeRow } from '../../sessions/persistence/column-map';
import {
  BALANCE_COLUMNS,
  PAYMENT_COLUMNS,
  SESSION_COLUMNS,
} from '../../sessions/persistence/session.columns';
import { SESSION_SELECT, toSession } from '../../sessions/persistence/session.mapper';
import { OperationRequest, PaymentLedgerRepository, Reservation } from '../domain/payment-ledger.repository';
import { OperationOutcome, PaymentOperation } from '../domain/payment-operation';
import { balanceOf, reserved, settled } from '../domain/payment-rules';
import { OPERATION_COLUMNS, OPERATION_TABLE } from './payment-operation.columns';

type Row = Record<string, unknown>;

const OPERATION_SELECT = columnList(OPERATION_TABLE.columns);

/* The row lock every money movement of a session takes first, so that they run one at a time. */
const LOCK_MERCHANT_SESSION = `SELECT ${SESSION_SELECT} FROM checkout_sessions WHERE merchant_id = $1 AND id = $2 FOR UPDATE`;
const LOCK_SESSION = `SELECT ${SESSION_SELECT} FROM checkout_sessions WHERE id = $1 FOR UPDATE`;
const MERCHANT_SESSION = `SELECT currency FROM checkout_sessions WHERE merchant_id = $1 AND id = $2 FOR UPDATE`;

const OPERATION_BY_KEY = `SELECT ${OPERATION_SELECT} FROM payment_operations
WHERE session_id = $1 AND kind = $2 AND idempotency_key = $3`;
const OPERATION_BY_ID = `SELECT ${OPERATION_SELECT} FROM payment_operations WHERE id = $1`;
const REFUNDS_OF = `SELECT ${OPERATION_SELECT} FROM payment_operations
WHERE session_id = ANY($1::uuid[]) AND kind = 'refund' ORDER BY created_at, id`;

const INSERT_OPERATION = `INSERT INTO payment_operations (${OPERATION_SELECT})
VALUES (${placeholders(OPERATION_TABLE.columns.length)})`;
const UPDATE_OPERATION = `UPDATE payment_operations SET
  attempt = $2, amount_minor = $3, status = $4, provider_reference = $5, provider_status = $6, failure_code = $7,
  updated_at = $8
WHERE id = $1`;

/* Absolute values computed under the lock; the payment's words change only when the provider gave new ones. */
const UPDATE_MONEY = `UPDATE checkout_sessions SET
  authorized_minor = $2, captured_minor = $3, refunded_minor = $4, reserved_minor = $5,
  payment_status = COALESCE($6, payment_status), transaction_status = COALESCE($7, transaction_status),
  updated_at = $8
WHERE id = $1
RETURNING ${SESSION_SELECT}`;

@Injectable()
export class TypeOrmPaymentLedgerRepository extends PaymentLedgerRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
  ) {
    super();
  }

  reserve(request: OperationRequest, now: Date): Promise<Reservation | null> {
    return guardStore('postgres', () =>
      this.dataSource.transaction(async (manager) => {
        const [session] = await sessions(manager, LOCK_MERCHANT_SESSION, [
          request.merchantId,
          request.sessionId,
        ]);
        if (!session) return null;
        const [existing] = await operations(manager, OPERATION_BY_KEY, [
          session.id,
          request.kind,
          request.idempotencyKey,
        ]);
        if (existing && existing.status !== 'failed') {
          return { session, operation: existing, callProvider: existing.status === 'reserved' };
        }
        const amountMinor = request.plan(session);
        const operation: PaymentOperation = existing
          ? { ...existing, attempt: existing.attempt + 1, amountMinor, status: 'reserved', updatedAt: now }
          : {
              id: randomUUID(),
              sessionId: session.id,
              merchantId: request.merchantId,
              kind: request.kind,
              idempotencyKey: request.idempotencyKey,
              attempt: 1,
              amountMinor,
              status: 'reserved',
              reason: request.reason,
              createdAt: now,
              updatedAt: now,
            };
        if (existing) await updateOperation(manager, operation);
        else await manager.query(INSERT_OPERATION, writeRow(OPERATION_COLUMNS, operation));
        const held = await updateMoney(manager, session, reserved(balanceOf(session), amountMinor), {}, now);
        return { session: held, operation, callProvider: true };
      }),
    );
  }

  settle(
    operationId: string,
    outcome: OperationOutcome,
    now: Date,
  ): Promise<{ session: Session; operation: PaymentOperation }> {
    return guardStore('postgres', () =>
      this.dataSource.transaction(async (manager) => {
        const [unlocked] = await operations(manager, OPERATION_BY_ID, [operationId]);
        if (!unlocked) throw new Error(`payment operation ${operationId} does not exist`);
        const [session] = await sessions(manager, LOCK_SESSION, [unlocked.sessionId]);
        // Read again under the session's lock: another settle of the same operation may have won.
        const [operation] = await operations(manager, OPERATION_BY_ID, [operationId]);
        if (operation.status !== 'reserved' && operation.status !== 'pending') return { session, operation };
        const done: PaymentOperation = {
          ...operation,
          status: outcome.status,
          providerReference: outcome.providerReference ?? operation.providerReference,
          providerStatus: outcome.providerStatus ?? operation.providerStatus,
          failureCode: outcome.failureCode,
          updatedAt: now,
        };
        await updateOperation(manager, done);
        const balance = settled(operation.kind, balanceOf(session), operation.amountMinor, outcome.status);
        // A capture or a void changes where the payment stands; a refund only moves money within it.
        const words = outcome.status === 'failed' || operation.kind === 'refund' ? {} : outcome;
        const after = await updateMoney(manager, session, balance, words, now);
        // The merchant's event commits with the money it reports, or not at all.
        const type = operationEvent(done);
        if (type) {
          const refunds = await operations(manager, REFUNDS_OF, [[after.id]]);
          await this.outbox.append(manager, {
            type,
            merchantId: after.merchantId,
            sessionId: after.id,
            data: {
              session: sessionDetailView(after, now, refunds),
              ...(done.kind === 'refund' ? { refund: refundView(done, after.currency) } : {}),
            },
          });
        }
        return { session: after, operation: done };
      }),
    );
  }

  refunds(
    merchantId: string,
    sessionId: string,
  ): Promise<{ currency: string; refunds: PaymentOperation[] } | null> {
    return guardStore('postgres', async () => {
      const [owned] = (await this.dataSource.query(MERCHANT_SESSION, [merchantId, sessionId])) as Row[];
      if (!owned) return null;
      return {
        currency: SESSION_COLUMNS.currency.read(owned.currency),
        refunds: await operations(this.dataSource.manager, REFUNDS_OF, [[sessionId]]),
      };
    });
  }

  refundsOf(sessionIds: readonly string[]): Promise<Map<string, PaymentOperation[]>> {
    return guardStore('postgres', async () => {
      const bySession = new Map<string, PaymentOperation[]>(sessionIds.map((id) => [id, []]));
      if (sessionIds.length === 0) return bySession;
      for (const refund of await operations(this.dataSource.manager, REFUNDS_OF, [[...sessionIds]])) {
        bySession.get(refund.sessionId)?.push(refund);
      }
      return bySession;
    });
  }
}

async function sessions(manager: EntityManager, sql: string, params: unknown[]): Promise<Session[]> {
  return ((await manager.query(sql, params)) as Row[]).map(toSession);
}

async function operations(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<PaymentOperation[]> {
  return ((await manager.query(sql, params)) as Row[]).map((row) => readRow(OPERATION_COLUMNS, row));
}

async function updateOperation(manager: EntityManager, operation: PaymentOperation): Promise<void> {
  const c = OPERATION_COLUMNS;
  await manager.query(UPDATE_OPERATION, [
    operation.id,
    operation.attempt,
    operation.amountMinor,
    operation.status,
    c.providerReference.write(operation.providerReference),
    c.providerStatus.write(operation.providerStatus),
    c.failureCode.write(operation.failureCode),
    operation.updatedAt,
  ]);
}

async function updateMoney(
  manager: EntityManager,
  session: Session,
  balance: PaymentBalance,
  words: Pick<OperationOutcome, 'paymentStatus' | 'providerStatus'>,
  now: Date,
): Promise<Session> {
  const [rows] = (await manager.query(UPDATE_MONEY, [
    session.id,
    ...writeRow(BALANCE_COLUMNS, balance),
    PAYMENT_COLUMNS.status.write(words.paymentStatus),
    PAYMENT_COLUMNS.providerStatus.write(words.providerStatus),
    now,
  ])) as [Row[], number];
  return toSession(rows[0]);
}

/** The event a settled operation owes the merchant: a pending one owes nothing until it settles. */
export function operationEvent(operation: PaymentOperation): EventType | null {
  if (operation.status === 'failed') return operation.kind === 'refund' ? 'refund.failed' : null;
  if (operation.status !== 'succeeded') return null;
  switch (operation.kind) {
    case 'capture':
      return 'payment.captured';
    case 'void':
      return 'payment.voided';
    case 'refund':
      return 'payment.refunded';
  }
}
