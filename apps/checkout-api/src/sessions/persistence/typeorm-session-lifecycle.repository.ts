import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { guardStore } from '@app/common';
import { EventOutbox } from '../../events/domain/event-outbox';
import { appendStatusEvents } from '../../events/domain/session-event';
import { Session } from '../domain/session';
import {
  ReconcileClaim,
  ReconcileTask,
  SessionLifecycleRepository,
  SessionListFilter,
} from '../domain/session-lifecycle.repository';
import { SESSION_SELECT, toSession } from './session.mapper';

type Row = Record<string, unknown>;

/* What a merchant sees: a PENDING session past its expiry is EXPIRED, whether or not it is marked yet. */
const EFFECTIVE_STATUS = `CASE WHEN status = 'PENDING' AND expires_at <= $2 THEN 'EXPIRED' ELSE status END`;

/* Keyset pagination on (created_at, id), newest first, over ix_checkout_sessions_merchant_created. */
const LIST = `
SELECT ${SESSION_SELECT} FROM checkout_sessions
WHERE merchant_id = $1
  AND ($3::text IS NULL OR order_reference = $3)
  AND ($4::text[] IS NULL OR ${EFFECTIVE_STATUS} = ANY($4::text[]))
  AND ($5::timestamptz IS NULL OR created_at >= $5)
  AND ($6::timestamptz IS NULL OR created_at <= $6)
  AND ($7::timestamptz IS NULL OR (created_at, id) < ($7, $8::uuid))
ORDER BY created_at DESC, id DESC
LIMIT $9`;

/* Only a live PENDING session is cancelled; SET sees the old row, so a payment that won keeps its status. */
const CANCEL = `
UPDATE checkout_sessions SET status = 'CANCELLED', updated_at = $3
WHERE merchant_id = $1 AND id = $2 AND status = 'PENDING' AND expires_at > $3
RETURNING ${SESSION_SELECT}`;

const BY_ID = `SELECT ${SESSION_SELECT} FROM checkout_sessions WHERE merchant_id = $1 AND id = $2`;

/*
 * Due: PENDING and stale (or past expiry), or EXPIRED but not yet closed at the provider; and neither
 * backing off nor leased to another instance. SKIP LOCKED hands disjoint sessions to concurrent passes.
 * The lease is taken by the upsert, whose conflict branch re-reads the lease as committed: two passes
 * whose snapshots both saw a session free cannot both take it (the second waits for the first's
 * insert or update and then finds the lease live). Only rows the upsert wrote are handed out.
 */
const CLAIM_DUE = `
WITH due AS (
  SELECT s.id FROM checkout_sessions s
  LEFT JOIN session_reconciliation r ON r.session_id = s.id
  WHERE ((s.status = 'PENDING' AND (s.updated_at <= $1::timestamptz - make_interval(secs => $2 / 1000.0)
                                     OR s.expires_at <= $1))
         OR (s.status = 'EXPIRED' AND r.closed_at_provider IS NULL))
    AND (r.next_check_at IS NULL OR r.next_check_at <= $1)
    AND (r.lease_until IS NULL OR r.lease_until <= $1)
  ORDER BY s.updated_at
  LIMIT $3
  FOR UPDATE OF s SKIP LOCKED
), leased AS (
  INSERT INTO session_reconciliation (session_id, lease_until)
  SELECT id, $1::timestamptz + make_interval(secs => $4 / 1000.0) FROM due
  -- Re-checked on the newest row version: a pass that read an old snapshot cannot take a live lease.
  ON CONFLICT (session_id) DO UPDATE SET lease_until = EXCLUDED.lease_until
    WHERE (session_reconciliation.lease_until IS NULL OR session_reconciliation.lease_until <= $1)
      AND (session_reconciliation.next_check_at IS NULL OR session_reconciliation.next_check_at <= $1)
  RETURNING session_id, checks
)
SELECT ${SESSION_SELECT.split(', ')
  .map((column) => `s.${column}`)
  .join(', ')}, leased.checks AS reconcile_checks
FROM leased JOIN checkout_sessions s ON s.id = leased.session_id`;

const FRUITLESS = `
UPDATE session_reconciliation SET checks = checks + 1, next_check_at = $3, last_checked_at = $2, lease_until = NULL
WHERE session_id = $1`;

const SETTLED = `
UPDATE session_reconciliation SET last_checked_at = $2, lease_until = NULL,
  closed_at_provider = CASE WHEN $3::boolean THEN COALESCE(closed_at_provider, $2) ELSE closed_at_provider END
WHERE session_id = $1`;

const EXPIRE = `
UPDATE checkout_sessions SET status = 'EXPIRED', updated_at = $2
WHERE id = $1 AND status = 'PENDING'
RETURNING ${SESSION_SELECT}`;

const OLDEST_OVERDUE = `
SELECT EXTRACT(EPOCH FROM ($1::timestamptz - MIN(s.updated_at))) * 1000 AS age_ms
FROM checkout_sessions s
LEFT JOIN session_reconciliation r ON r.session_id = s.id
WHERE s.status = 'PENDING' AND s.updated_at <= $1::timestamptz - make_interval(secs => $2 / 1000.0)
  AND (r.last_checked_at IS NULL OR r.last_checked_at <= $1::timestamptz - make_interval(secs => $2 / 1000.0))`;

@Injectable()
export class TypeOrmSessionLifecycleRepository extends SessionLifecycleRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
  ) {
    super();
  }

  list(merchantId: string, filter: SessionListFilter, now: Date): Promise<Session[]> {
    return guardStore('postgres', async () =>
      this.sessions(LIST, [
        merchantId,
        now,
        filter.orderReference ?? null,
        filter.statuses ? [...filter.statuses] : null,
        filter.createdFrom ?? null,
        filter.createdTo ?? null,
        filter.after?.createdAt ?? null,
        filter.after?.id ?? null,
        filter.limit,
      ]),
    );
  }

  cancel(merchantId: string, sessionId: string, now: Date): Promise<Session | null> {
    return guardStore('postgres', async () => {
      const [cancelled] = await this.moved(CANCEL, [merchantId, sessionId, now], now);
      return cancelled ?? (await this.sessions(BY_ID, [merchantId, sessionId]))[0] ?? null;
    });
  }

  claimDue(now: Date, claim: ReconcileClaim): Promise<ReconcileTask[]> {
    return guardStore('postgres', async () => {
      const rows = (await this.dataSource.query(CLAIM_DUE, [
        now,
        claim.staleAfterMs,
        claim.limit,
        claim.leaseMs,
      ])) as Row[];
      return rows.map((row) => ({ session: toSession(row), checks: Number(row.reconcile_checks) }));
    });
  }

  recordFruitlessCheck(sessionId: string, now: Date, nextCheckAt: Date): Promise<void> {
    return guardStore('postgres', async () => {
      await this.dataSource.query(FRUITLESS, [sessionId, now, nextCheckAt]);
    });
  }

  recordSettled(sessionId: string, now: Date, closedAtProvider: boolean): Promise<void> {
    return guardStore('postgres', async () => {
      await this.dataSource.query(SETTLED, [sessionId, now, closedAtProvider]);
    });
  }

  expire(sessionId: string, now: Date): Promise<Session | null> {
    return guardStore('postgres', async () => (await this.moved(EXPIRE, [sessionId, now], now))[0] ?? null);
  }

  oldestOverdueMs(now: Date, staleAfterMs: number): Promise<number> {
    return guardStore('postgres', async () => {
      const [row] = (await this.dataSource.query(OLDEST_OVERDUE, [now, staleAfterMs])) as Row[];
      return row?.age_ms === null || row?.age_ms === undefined
        ? 0
        : Math.max(0, Math.round(Number(row.age_ms)));
    });
  }

  /* A PENDING session moved by `sql` (TypeORM answers an UPDATE with [rows, affected]), and the event
   * each move causes, in one transaction. */
  private moved(sql: string, params: unknown[], now: Date): Promise<Session[]> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(sql, params)) as [Row[], number];
      const sessions = rows.map(toSession);
      await appendStatusEvents(this.outbox, manager, sessions, 'PENDING', now);
      return sessions;
    });
  }

  private async sessions(sql: string, params: unknown[]): Promise<Session[]> {
    const rows = (await this.dataSource.query(sql, params)) as Row[];
    return rows.map(toSession);
  }
}
