import { PaymentStatus, ProviderSessionState, TransactionResult } from '@app/providers';
import { PaymentTransition } from '../sessions/domain/session';
import { PaymentUpdate, ProviderSessionUpdate } from '../sessions/domain/session.repository';

/**
 * Payment status → the session status it leads to: money authorized or taken is
 * COMPLETED; declined, failed or voided before completion is FAILED; anything
 * still moving leaves the session as it is.
 */
export function sessionTransition(status: PaymentStatus): PaymentTransition {
  switch (status) {
    case 'authorized':
    case 'capture_pending':
    case 'captured':
      return 'COMPLETED';
    case 'declined':
    case 'failed':
    case 'voided':
      return 'FAILED';
    case 'processing':
    case 'approval_required':
    case 'void_pending':
      return null;
  }
}

export function paymentUpdate(result: TransactionResult): PaymentUpdate {
  const transition = sessionTransition(result.status);
  return {
    transactionId: result.transactionId,
    status: result.status,
    providerStatus: result.providerStatus,
    transition,
    declineReason: transition === 'FAILED' ? result.declineReason : undefined,
  };
}

/**
 * What the provider's word on one of its sessions does to ours: its payment, when
 * it names one, applied monotonically (paid completes, failed fails, one still in
 * flight is recorded); expired closes a PENDING session (a payment taken later
 * still completes it).
 */
export function sessionUpdate(status: ProviderSessionState): ProviderSessionUpdate {
  switch (status.state) {
    case 'paid':
    case 'failed':
    case 'open':
      return status.transaction
        ? { kind: 'payment', payment: paymentUpdate(status.transaction) }
        : { kind: 'unchanged' };
    case 'expired':
      return { kind: 'expired' };
  }
}

/** `url` with `sessionId=<id>` appended, keeping its query and fragment. */
export function withSessionId(url: string, sessionId: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('sessionId', sessionId);
  return parsed.toString();
}
