import { NO_MONEY_MOVED, ProviderAttempt, Session } from '../sessions/domain/session';
import {
  CreateLookup,
  InsertOutcome,
  PaymentUpdate,
  ProviderSessionUpdate,
  SessionRepository,
} from '../sessions/domain/session.repository';

/* Postgres keeps at most this much of a decline reason. */
const DECLINE_REASON_MAX = 255;

/**
 * The session repository's contract in memory, for unit specs of the use cases:
 * unique (merchant, idempotency key), one live PENDING session per (merchant,
 * order), monotonic payments and webhook events deduplicated by (adapter, event
 * id), as the Postgres repository enforces them. Sessions go in and come out as
 * copies, so that a caller never edits the stored row by accident.
 */
export class InMemorySessionRepository extends SessionRepository {
  private readonly rows = new Map<string, Session>();
  private readonly attempts: ProviderAttempt[] = [];
  private readonly webhookEvents = new Set<string>();

  /** Every stored session, as it stands. */
  all(): Session[] {
    return [...this.rows.values()].map(copy);
  }

  async lookupForCreate(
    merchantId: string,
    idempotencyKey: string,
    orderReference: string,
    now: Date,
  ): Promise<CreateLookup> {
    const lookup: CreateLookup = {};
    for (const row of this.rows.values()) {
      if (row.merchantId !== merchantId) continue;
      if (row.idempotencyKey === idempotencyKey) lookup.byKey = copy(row);
      else if (row.orderReference === orderReference && row.status === 'PENDING') {
        if (row.expiresAt.getTime() > now.getTime()) lookup.liveOrder = copy(row);
        else expire(row, now);
      }
    }
    return lookup;
  }

  async insert(session: Session, attempts: ProviderAttempt[]): Promise<InsertOutcome> {
    const sameKey = this.find(
      (row) => row.merchantId === session.merchantId && row.idempotencyKey === session.idempotencyKey,
    );
    if (sameKey) return { kind: 'duplicate_key', existing: copy(sameKey) };
    const liveOrder = this.find(
      (row) =>
        row.merchantId === session.merchantId &&
        row.orderReference === session.orderReference &&
        row.status === 'PENDING',
    );
    if (liveOrder) {
      // An expired session does not block its order: it is marked EXPIRED and the insert goes on.
      if (liveOrder.expiresAt.getTime() > session.createdAt.getTime()) {
        return { kind: 'duplicate_order', existing: copy(liveOrder) };
      }
      expire(liveOrder, session.createdAt);
    }
    this.rows.set(session.id, copy(session));
    this.attempts.push(...attempts.map(copy));
    return { kind: 'inserted' };
  }

  async recordAttempts(attempts: ProviderAttempt[]): Promise<void> {
    this.attempts.push(...attempts.map(copy));
  }

  async findById(merchantId: string, id: string): Promise<Session | null> {
    const row = this.rows.get(id);
    return row && row.merchantId === merchantId ? copy(row) : null;
  }

  async findAttempts(sessionId: string): Promise<ProviderAttempt[]> {
    return this.attempts
      .filter((attempt) => attempt.sessionId === sessionId)
      .sort((a, b) => a.attemptNo - b.attemptNo)
      .map(copy);
  }

  async markExpired(merchantId: string, id: string, now: Date): Promise<void> {
    const row = this.rows.get(id);
    if (row && row.merchantId === merchantId && row.expiresAt.getTime() <= now.getTime()) expire(row, now);
  }

  async findForCheckout(id: string): Promise<Session | null> {
    const row = this.rows.get(id);
    return row ? copy(row) : null;
  }

  async findByTransaction(
    adapter: string,
    transactionId: string,
    providerSessionId?: string,
  ): Promise<Session | null> {
    const row = this.find(
      (candidate) =>
        candidate.providerAdapter === adapter &&
        (candidate.payment?.transactionId === transactionId ||
          (providerSessionId !== undefined && candidate.providerSessionId === providerSessionId)),
    );
    return row ? copy(row) : null;
  }

  async findByProviderSession(adapter: string, providerSessionId: string): Promise<Session | null> {
    const row = this.find(
      (candidate) =>
        candidate.providerAdapter === adapter && candidate.providerSessionId === providerSessionId,
    );
    return row ? copy(row) : null;
  }

  async applyPayment(sessionId: string, update: PaymentUpdate, now: Date): Promise<Session | null> {
    const row = this.rows.get(sessionId);
    if (!row) return null;
    applyMonotonically(row, update, now);
    return copy(row);
  }

  async webhookSeen(adapter: string, eventId: string): Promise<boolean> {
    return this.webhookEvents.has(eventKey(adapter, eventId));
  }

  async applyWebhook(
    adapter: string,
    eventId: string,
    sessionId: string,
    update: ProviderSessionUpdate,
    now: Date,
  ): Promise<boolean> {
    const key = eventKey(adapter, eventId);
    if (this.webhookEvents.has(key)) return false;
    this.webhookEvents.add(key);
    const row = this.rows.get(sessionId);
    if (row && update.kind === 'payment') applyMonotonically(row, update.payment, now);
    if (row && update.kind === 'expired') expire(row, now);
    return true;
  }

  async expireDue(now: Date, limit: number): Promise<number> {
    const due = [...this.rows.values()]
      .filter((row) => row.status === 'PENDING' && row.expiresAt.getTime() <= now.getTime())
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit);
    due.forEach((row) => expire(row, now));
    return due.length;
  }

  private find(predicate: (row: Session) => boolean): Session | undefined {
    return [...this.rows.values()].find(predicate);
  }
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function eventKey(adapter: string, eventId: string): string {
  return `${adapter}\n${eventId}`;
}

function expire(row: Session, now: Date): void {
  if (row.status !== 'PENDING') return;
  row.status = 'EXPIRED';
  row.updatedAt = now;
}

/**
 * As the Postgres update does it: a session bound to another transaction is left
 * alone; only PENDING moves, except that money taken on an EXPIRED session still
 * completes it; COMPLETED and FAILED are final, and a final session keeps the
 * payment status that made it so.
 */
function applyMonotonically(row: Session, update: PaymentUpdate, now: Date): void {
  const payment = row.payment ?? {};
  if (payment.transactionId !== undefined && payment.transactionId !== update.transactionId) return;
  const open = row.status === 'PENDING' || row.status === 'EXPIRED';
  const completes = update.transition === 'COMPLETED' && open;
  const fails = update.transition === 'FAILED' && row.status === 'PENDING';
  row.payment = {
    ...payment,
    transactionId: update.transactionId,
    ...(open && { status: update.status, providerStatus: update.providerStatus }),
    ...(completes && { completedAt: now }),
    ...(fails && { failedAt: now, declineReason: update.declineReason?.slice(0, DECLINE_REASON_MAX) }),
  };
  if (completes) {
    row.status = 'COMPLETED';
    row.balance = {
      ...NO_MONEY_MOVED,
      authorizedMinor: row.totalMinor,
      capturedMinor: update.status === 'captured' ? row.totalMinor : 0,
    };
  }
  if (fails) row.status = 'FAILED';
  row.updatedAt = now;
}
