import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from './delivery-queue';

/** What one attempt needs: the delivery, its endpoint and its event. */
export interface DeliveryContext {
  deliveryId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  endpointId: string;
  endpointUrl: string;
  endpointEnabled: boolean;
  secretSealed: string;
  /** The secret replaced by a rotation, while its overlap lasts. */
  previousSecretSealed: string | null;
  event: { id: string; type: string; createdAt: Date; data: unknown };
}

export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'failed'; statusCode: number | null; error: string | null };

export interface FinishedAttempt {
  attemptId: string;
  deliveryId: string;
  endpointId: string;
  attempt: number;
  outcome: AttemptOutcome;
  durationMs: number;
  /** When the next attempt runs; null when this one ends the delivery. */
  nextAttemptAt: Date | null;
  /** 410 Gone: the receiver asks us to stop. */
  gone: boolean;
  disableAfterHours: number;
}

export interface FinishResult {
  /** False when another run of the same attempt got there first (only after a crash). */
  recorded: boolean;
  deliveryStatus: 'pending' | 'delivered' | 'failed';
  endpointDisabled?: 'failing' | 'gone';
}

const LOAD = `
SELECT d.id AS "deliveryId", d.status, d.attempts, d.endpoint_id AS "endpointId",
       e.url AS "endpointUrl", e.enabled AS "endpointEnabled", e.secret_sealed AS "secretSealed",
       CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_sealed END AS "previousSecretSealed",
       ev.id AS "eventId", ev.type AS "eventType", ev.created_at AS "eventCreatedAt", ev.data AS "eventData"
FROM event_deliveries d
JOIN webhook_endpoints e ON e.id = d.endpoint_id
JOIN merchant_events ev ON ev.id = d.event_id
WHERE d.id = $1`;

/* Attempts of a process that died are no longer in flight: they stop holding the endpoint's slots. */
const CLEAR_INTERRUPTED = `
UPDATE delivery_attempts SET outcome = 'interrupted', error = 'the process making this attempt stopped'
WHERE endpoint_id = $1 AND outcome = 'in_flight' AND started_at <= now() - make_interval(secs => $2)`;

const TAKE_SLOT = `
INSERT INTO delivery_attempts (delivery_id, endpoint_id, attempt_no, outcome, started_at)
SELECT $1, $2, $3, 'in_flight', now()
WHERE (SELECT count(*) FROM delivery_attempts
       WHERE endpoint_id = $2 AND outcome = 'in_flight' AND started_at > now() - make_interval(secs => $4)) < $5
RETURNING id`;

const RECORD_ATTEMPT = `
UPDATE delivery_attempts SET outcome = $2, status_code = $3, error = $4, duration_ms = $5 WHERE id = $1`;

/* Only the run that made attempt n may move the delivery past it. */
const ADVANCE_DELIVERY = `
UPDATE event_deliveries SET
  attempts = $2,
  status = $3::text,
  next_attempt_at = $4,
  delivered_at = CASE WHEN $3::text = 'delivered' THEN now() END,
  failed_at = CASE WHEN $3::text = 'failed' THEN now() END,
  failure_reason = $5
WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1
RETURNING id`;

const ENDPOINT_SUCCEEDED = `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`;

/* SET expressions see the old row: an endpoint is disabled by the failure that finds it gone (410)
 * or failing for longer than allowed, and only an enabled one is newly disabled. */
const ENDPOINT_FAILED = `
WITH before AS (SELECT id, enabled, failing_since FROM webhook_endpoints WHERE id = $1 FOR UPDATE)
UPDATE webhook_endpoints e SET
  failing_since = COALESCE(e.failing_since, now()),
  enabled = CASE WHEN $2 OR COALESCE(e.failing_since, now()) <= now() - make_interval(hours => $3) THEN false
                 ELSE e.enabled END,
  disabled_reason = CASE WHEN NOT e.enabled THEN e.disabled_reason
                         WHEN $2 THEN 'gone'
                         WHEN COALESCE(e.failing_since, now()) <= now() - make_interval(hours => $3) THEN 'failing'
                         END,
  updated_at = CASE WHEN e.enabled AND ($2 OR COALESCE(e.failing_since, now()) <= now() - make_interval(hours => $3))
                    THEN now() ELSE e.updated_at END
FROM before
WHERE e.id = before.id
RETURNING before.enabled AS "wasEnabled", e.enabled AS "enabled", e.disabled_reason AS "disabledReason"`;

const FAIL_UNATTEMPTED = `
UPDATE event_deliveries SET status = 'failed', failed_at = now(), failure_reason = $2, next_attempt_at = NULL
WHERE id = $1 AND status = 'pending'
RETURNING id`;

/** The worker's SQL: each step is one short transaction, never held across the HTTP call. */
@Injectable()
export class DeliveryStore {
  constructor(private readonly dataSource: DataSource) {}

  async load(deliveryId: string): Promise<DeliveryContext | null> {
    const [row] = rowsOf(await this.dataSource.query(LOAD, [deliveryId]));
    if (!row) return null;
    return {
      deliveryId: row.deliveryId as string,
      status: row.status as DeliveryContext['status'],
      attempts: row.attempts as number,
      endpointId: row.endpointId as string,
      endpointUrl: row.endpointUrl as string,
      endpointEnabled: row.endpointEnabled as boolean,
      secretSealed: row.secretSealed as string,
      previousSecretSealed: (row.previousSecretSealed as string | null) ?? null,
      event: {
        id: row.eventId as string,
        type: row.eventType as string,
        createdAt: row.eventCreatedAt as Date,
        data: row.eventData,
      },
    };
  }

  /**
   * Takes one of the endpoint's concurrency slots by recording the attempt as in flight;
   * null when all are taken. The advisory lock serialises the count and the insert per endpoint.
   */
  async startAttempt(
    deliveryId: string,
    endpointId: string,
    attempt: number,
    slotSeconds: number,
    slots: number,
  ): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 727001))', [endpointId]);
      await manager.query(CLEAR_INTERRUPTED, [endpointId, slotSeconds]);
      const [row] = rowsOf(
        await manager.query(TAKE_SLOT, [deliveryId, endpointId, attempt, slotSeconds, slots]),
      );
      return row ? String(row.id) : null;
    });
  }

  /** Records the attempt and moves the delivery and the endpoint on; `then` runs in the same transaction. */
  async finishAttempt(
    finished: FinishedAttempt,
    then: (manager: EntityManager) => Promise<void>,
  ): Promise<FinishResult> {
    return this.dataSource.transaction(async (manager) => {
      const { outcome } = finished;
      await manager.query(RECORD_ATTEMPT, [
        finished.attemptId,
        outcome.kind,
        outcome.statusCode,
        outcome.kind === 'failed' ? (outcome.error?.slice(0, 255) ?? null) : null,
        finished.durationMs,
      ]);
      const status =
        outcome.kind === 'delivered' ? 'delivered' : finished.nextAttemptAt ? 'pending' : 'failed';
      const reason = status !== 'failed' ? null : finished.gone ? 'gone' : 'schedule_spent';
      const advanced = rowsOf(
        await manager.query(ADVANCE_DELIVERY, [
          finished.deliveryId,
          finished.attempt,
          status,
          status === 'pending' ? finished.nextAttemptAt : null,
          reason,
        ]),
      );
      if (advanced.length === 0) return { recorded: false, deliveryStatus: status };
      if (outcome.kind === 'delivered') {
        await manager.query(ENDPOINT_SUCCEEDED, [finished.endpointId]);
        return { recorded: true, deliveryStatus: status };
      }
      const [endpoint] = rowsOf(
        await manager.query(ENDPOINT_FAILED, [
          finished.endpointId,
          finished.gone,
          finished.disableAfterHours,
        ]),
      );
      if (status === 'pending') await then(manager);
      const newlyDisabled = endpoint?.wasEnabled === true && endpoint.enabled === false;
      return {
        recorded: true,
        deliveryStatus: status,
        endpointDisabled: newlyDisabled ? (endpoint.disabledReason as 'failing' | 'gone') : undefined,
      };
    });
  }

  /** Ends a delivery that will not be attempted (its endpoint was disabled); false when it had already ended. */
  async failUnattempted(deliveryId: string, reason: string): Promise<boolean> {
    return rowsOf(await this.dataSource.query(FAIL_UNATTEMPTED, [deliveryId, reason])).length > 0;
  }
}
