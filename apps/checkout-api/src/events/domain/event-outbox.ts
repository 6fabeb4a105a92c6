/** Anything that runs SQL inside the caller's transaction (a TypeORM EntityManager/QueryRunner or a pg client). */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export const EVENT_TYPES = [
  'session.completed',
  'session.failed',
  'session.expired',
  'session.cancelled',
  'payment.captured',
  'payment.voided',
  'payment.refunded',
  'refund.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export interface NewEvent {
  type: EventType;
  merchantId: string;
  sessionId: string;
  /** `session` is the session's GET view (sessionDetailView); a refund's events carry the refund too. */
  data: { session: unknown; refund?: unknown };
}

/**
 * The transactional outbox. `append` writes the event and one delivery job per
 * subscribed endpoint inside the caller's transaction, so the status change and
 * its event commit together or not at all.
 */
export abstract class EventOutbox {
  abstract append(executor: SqlExecutor, event: NewEvent): Promise<void>;
}
