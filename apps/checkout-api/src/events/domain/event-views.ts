import { MerchantEvent } from './merchant-event';

/** An event as listed: exactly the body its deliveries carry. */
export function eventView(event: MerchantEvent) {
  return { id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data };
}

export interface DeliveryAttemptRecord {
  attemptNo: number;
  startedAt: Date;
  outcome: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
}

export interface DeliveryRecord {
  id: string;
  endpointId: string;
  status: string;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  failureReason: string | null;
  createdAt: Date;
  attempts: DeliveryAttemptRecord[];
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function deliveryView(delivery: DeliveryRecord) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    status: delivery.status,
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    deliveredAt: iso(delivery.deliveredAt),
    failedAt: iso(delivery.failedAt),
    failureReason: delivery.failureReason,
    createdAt: delivery.createdAt.toISOString(),
    attempts: delivery.attempts.map((attempt) => ({
      attemptNo: attempt.attemptNo,
      startedAt: attempt.startedAt.toISOString(),
      outcome: attempt.outcome,
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
    })),
  };
}
