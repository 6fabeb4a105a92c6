import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { guardStore } from '@app/common';
import { DeliveryQueue, rowsOf } from '../delivery/delivery-queue';
import { EventType } from '../domain/event-outbox';
import { DeliveryRecord } from '../domain/event-views';
import { MerchantEvent } from '../domain/merchant-event';

export interface EventFilter {
  type?: EventType;
  sessionId?: string;
  createdFrom?: Date;
  /** Keyset: events strictly older than this (created_at, id). */
  before?: { createdAt: Date; id: string };
  limit: number;
}

export type RedeliveryOutcome =
  | { kind: 'queued'; deliveries: Array<{ id: string; endpointId: string }> }
  | { kind: 'event_not_found' }
  | { kind: 'endpoint_not_found' }
  | { kind: 'endpoint_disabled' }
  | { kind: 'no_endpoint' };

type Row = Record<string, unknown>;

const EVENT_COLUMNS = 'id, type, data, created_at AS "createdAt"';

const toEvent = (row: Row): MerchantEvent => ({
  id: row.id as string,
  type: row.type as EventType,
  createdAt: row.createdAt as Date,
  data: row.data,
});

/* Newest first, keyset on (created_at, id): every page costs what the first one costs. */
const LIST = `
SELECT ${EVENT_COLUMNS} FROM merchant_events
WHERE merchant_id = $1
  AND ($2::text IS NULL OR type = $2)
  AND ($3::uuid IS NULL OR session_id = $3)
  AND ($4::timestamptz IS NULL OR created_at >= $4)
  AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::text))
ORDER BY created_at DESC, id DESC
LIMIT $7`;

const DELIVERIES_OF_EVENT = `
SELECT d.id, d.endpoint_id AS "endpointId", d.status, d.next_attempt_at AS "nextAttemptAt",
       d.delivered_at AS "deliveredAt", d.failed_at AS "failedAt", d.failure_reason AS "failureReason",
       d.created_at AS "createdAt",
       COALESCE((SELECT json_agg(json_build_object(
                   'attemptNo', a.attempt_no, 'startedAt', a.started_at, 'outcome', a.outcome,
                   'statusCode', a.status_code, 'error', a.error, 'durationMs', a.duration_ms) ORDER BY a.id)
                 FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
FROM event_deliveries d WHERE d.event_id = $1 ORDER BY d.created_at, d.id`;

/* The merchant's endpoints for a redelivery: the one named, or every enabled one subscribed to the type. */
const REDELIVERY_TARGETS = `
SELECT e.id, e.enabled FROM webhook_endpoints e
WHERE e.merchant_id = $1
  AND CASE WHEN $3::uuid IS NULL THEN e.enabled AND $2 = ANY (e.events) ELSE e.id = $3 END`;

const INSERT_DELIVERIES = `
INSERT INTO event_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at)
SELECT gen_random_uuid(), $1, endpoint_id, 'pending', 0, now(), now() FROM unnest($2::uuid[]) AS endpoint_id
RETURNING id, endpoint_id AS "endpointId"`;

@Injectable()
export class EventsStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
  ) {}

  list(merchantId: string, filter: EventFilter): Promise<MerchantEvent[]> {
    return guardStore('postgres', async () =>
      rowsOf(
        await this.dataSource.query(LIST, [
          merchantId,
          filter.type ?? null,
          filter.sessionId ?? null,
          filter.createdFrom ?? null,
          filter.before?.createdAt ?? null,
          filter.before?.id ?? null,
          filter.limit,
        ]),
      ).map(toEvent),
    );
  }

  find(merchantId: string, id: string): Promise<MerchantEvent | null> {
    return guardStore('postgres', async () => {
      const [row] = rowsOf(
        await this.dataSource.query(
          `SELECT ${EVENT_COLUMNS} FROM merchant_events WHERE merchant_id = $1 AND id = $2`,
          [merchantId, id],
        ),
      );
      return row ? toEvent(row) : null;
    });
  }

  deliveries(eventId: string): Promise<DeliveryRecord[]> {
    return guardStore('postgres', async () =>
      rowsOf(await this.dataSource.query(DELIVERIES_OF_EVENT, [eventId])).map((row) => ({
        ...(row as unknown as DeliveryRecord),
        attempts: (row.attempts as Array<Row>).map((attempt) => ({
          attemptNo: attempt.attemptNo as number,
          startedAt: new Date(attempt.startedAt as string),
          outcome: attempt.outcome as string,
          statusCode: (attempt.statusCode as number | null) ?? null,
          error: (attempt.error as string | null) ?? null,
          durationMs: (attempt.durationMs as number | null) ?? null,
        })),
      })),
    );
  }

  /** Fresh deliveries of a stored event (the same webhook-id), queued in the same transaction. */
  redeliver(merchantId: string, eventId: string, endpointId?: string): Promise<RedeliveryOutcome> {
    return guardStore('postgres', () =>
      this.dataSource.transaction(async (manager): Promise<RedeliveryOutcome> => {
        const [event] = rowsOf(
          await manager.query('SELECT type FROM merchant_events WHERE merchant_id = $1 AND id = $2', [
            merchantId,
            eventId,
          ]),
        );
        if (!event) return { kind: 'event_not_found' };
        const targets = rowsOf(
          await manager.query(REDELIVERY_TARGETS, [merchantId, event.type, endpointId ?? null]),
        );
        if (endpointId && targets.length === 0) return { kind: 'endpoint_not_found' };
        if (endpointId && targets[0].enabled !== true) return { kind: 'endpoint_disabled' };
        if (targets.length === 0) return { kind: 'no_endpoint' };
        const deliveries = rowsOf(
          await manager.query(INSERT_DELIVERIES, [eventId, targets.map((target) => target.id)]),
        ) as Array<{ id: string; endpointId: string }>;
        await this.queue.enqueue(
          deliveries.map((delivery) => ({ deliveryId: delivery.id, attempt: 1 })),
          manager,
        );
        return { kind: 'queued', deliveries };
      }),
    );
  }
}
