import type { ProviderSessionState, TransactionResult } from '@app/providers';
import type { Session } from '../domain/session';

export type ReconcileAction =
  /** The provider knows the payment's outcome: apply it through the same monotonic path as a webhook. */
  | { kind: 'apply'; transaction: TransactionResult }
  /** The provider closed the session unpaid: it is EXPIRED here too. */
  | { kind: 'expire' }
  /** Our session is past its expiry but still open at the provider: close it there first (paid wins). */
  | { kind: 'close_at_provider' }
  /** Nothing to learn yet: look again later. */
  | { kind: 'wait' };

/**
 * The reconciler's decision for one session, a pure function of what we hold and
 * what the provider said. A final state here is never moved by it (the repository's
 * monotonic update is the second guard): it only asks about PENDING sessions, and a
 * session past its expiry becomes EXPIRED only once the provider has closed it unpaid.
 */
export function reconcileDecision(
  session: Pick<Session, 'status' | 'expiresAt'>,
  reading: ProviderSessionState,
  now: Date,
): ReconcileAction {
  if (session.status !== 'PENDING' && session.status !== 'EXPIRED') return { kind: 'wait' };
  switch (reading.state) {
    case 'paid':
    case 'failed':
      return reading.transaction ? { kind: 'apply', transaction: reading.transaction } : { kind: 'wait' };
    case 'expired':
      return { kind: 'expire' };
    case 'open':
      return session.expiresAt.getTime() <= now.getTime() ? { kind: 'close_at_provider' } : { kind: 'wait' };
  }
}

/**
 * How long until a session that taught us nothing is asked again: doubling from
 * `baseMs` with each fruitless check, capped at `maxMs`, with up to 20% jitter so
 * that sessions created together do not come due together.
 */
export function nextCheckDelayMs(
  fruitlessChecks: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const exponential = Math.min(baseMs * 2 ** Math.min(fruitlessChecks, 30), maxMs);
  return Math.round(exponential * (1 + 0.2 * random()));
}
