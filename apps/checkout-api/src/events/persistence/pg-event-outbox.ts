import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MetricsService } from '../../observability/metrics.service';
import { DeliveryQueue, rowsOf } from '../delivery/delivery-queue';
import { EventOutbox, NewEvent, SqlExecutor } from '../domain/event-outbox';

/* The event and one pending delivery per enabled endpoint of the merchant subscribed to its type, in one
 * statement; the delivery jobs follow on the same executor, so all of it commits with the caller. */
const APPEND = `
WITH event AS (
  INSERT INTO merchant_events (id, merchant_id, type, session_id, data, created_at)
  VALUES ($1, $2, $3, $4, $5::json, $6)
  RETURNING id, merchant_id, type, created_at
)
INSERT INTO event_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at)
SELECT gen_random_uuid(), event.id, endpoint.id, 'pending', 0, event.created_at, event.created_at
FROM event
JOIN webhook_endpoints endpoint
  ON endpoint.merchant_id = event.merchant_id AND endpoint.enabled AND event.type = ANY (endpoint.events)
RETURNING id`;

export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}

@Injectable()
export class PgEventOutbox extends EventOutbox {
  constructor(
    private readonly queue: DeliveryQueue,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  async append(executor: SqlExecutor, event: NewEvent): Promise<void> {
    const deliveries = rowsOf(
      await executor.query(APPEND, [
        newEventId(),
        event.merchantId,
        event.type,
        event.sessionId,
        JSON.stringify(event.data),
        new Date(),
      ]),
    );
    await this.queue.enqueue(
      deliveries.map((row) => ({ deliveryId: row.id as string, attempt: 1 })),
      executor,
    );
    // Counted when written; a caller's rollback takes the event back but not the count.
    this.metrics.webhookEvents.inc({ type: event.type });
  }
}
