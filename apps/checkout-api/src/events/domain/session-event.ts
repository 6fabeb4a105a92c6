import { SessionStatus, Session } from '../../sessions/domain/session';
import { sessionDetailView } from '../../sessions/domain/session-views';
import { EventOutbox, EventType, NewEvent, SqlExecutor } from './event-outbox';

const EVENT_OF_STATUS: Partial<Record<SessionStatus, EventType>> = {
  COMPLETED: 'session.completed',
  FAILED: 'session.failed',
  EXPIRED: 'session.expired',
  CANCELLED: 'session.cancelled',
};

/**
 * The event a session's move to its current status causes, or null when that status
 * causes none (PENDING). `previousStatus` equal to the current one means nothing moved.
 */
export function sessionStatusEvent(session: Session, previousStatus: string, now: Date): NewEvent | null {
  if (session.status === previousStatus) return null;
  const type = EVENT_OF_STATUS[session.status];
  if (!type) return null;
  return {
    type,
    merchantId: session.merchantId,
    sessionId: session.id,
    // A session moves status before anything is refunded from it: its view has no refunds yet.
    data: { session: sessionDetailView(session, now, []) },
  };
}

/**
 * Appends, on the caller's transaction, the event each session's move from `previousStatus`
 * causes: the one call every status-changing statement makes after its UPDATE … RETURNING.
 */
export async function appendStatusEvents(
  outbox: EventOutbox,
  executor: SqlExecutor,
  sessions: readonly Session[],
  previousStatus: string,
  now: Date,
): Promise<void> {
  for (const session of sessions) {
    const event = sessionStatusEvent(session, previousStatus, now);
    if (event) await outbox.append(executor, event);
  }
}
