import type { PaymentStatus, ProviderSessionState } from './provider.port';

type SessionStateName = ProviderSessionState['state'];

/**
 * Where a session stands once this payment is known: money authorized or taken
 * pays it; declined, failed or voided fails it; anything still moving leaves it open.
 * Exhaustive: a new payment status fails to compile until it is placed here.
 */
export function sessionStateOf(status: PaymentStatus): Exclude<SessionStateName, 'expired'> {
  switch (status) {
    case 'authorized':
    case 'capture_pending':
    case 'captured':
      return 'paid';
    case 'declined':
    case 'failed':
    case 'voided':
      return 'failed';
    case 'processing':
    case 'approval_required':
    case 'void_pending':
      return 'open';
  }
}
