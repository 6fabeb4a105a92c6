import { TransactionResult } from '@app/providers';
import { PaymentUpdate } from '../sessions/domain/session.repository';

/** Provider outcome → the session status it leads to: paid is COMPLETED, declined or failed is FAILED. */
export function paymentUpdate(result: TransactionResult): PaymentUpdate {
  const transition =
    result.outcome === 'succeeded'
      ? 'COMPLETED'
      : result.outcome === 'declined' || result.outcome === 'failed'
        ? 'FAILED'
        : null;
  return {
    transactionId: result.transactionId,
    providerStatus: result.providerStatus,
    transition,
    declineReason: transition === 'FAILED' ? result.declineReason : undefined,
  };
}

/** `url` with `sessionId=<id>` appended, keeping its query and fragment. */
export function withSessionId(url: string, sessionId: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('sessionId', sessionId);
  return parsed.toString();
}
