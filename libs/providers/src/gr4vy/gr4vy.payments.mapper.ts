/**
 * Pure translation for the money flows after checkout: our capture and refund
 * commands → Gr4vy's request bodies, and Gr4vy's answers → our results. No I/O.
 */
import type {
  Refund,
  Transaction,
  TransactionCapture,
  TransactionCaptureCreate,
  TransactionRefundCreate,
  TransactionVoid,
} from '@gr4vy/sdk/models/components';
import type { PaymentOperationResult, RefundCommand, RefundOutcome, RefundResult } from '../provider.port';
import { toTransactionResult, type Gr4vyTransactionLike } from './gr4vy.transactions';

/** Gr4vy's limit on a refund's `reason`. */
export const GR4VY_REFUND_REASON_MAX = 100;

export function toGr4vyCaptureCreate(amountMinor: number): TransactionCaptureCreate {
  return { amount: amountMinor };
}

/** Our refund id travels as the refund's external identifier, so either side can find the other's record. */
export function toGr4vyRefundCreate(command: RefundCommand): TransactionRefundCreate {
  const body: TransactionRefundCreate = { amount: command.amountMinor, externalIdentifier: command.refundId };
  const reason = command.reason?.trim();
  if (reason) body.reason = [...reason].slice(0, GR4VY_REFUND_REASON_MAX).join('');
  return body;
}

/**
 * Capture and void answer the transaction, or (with `Prefer: resource=transaction-capture|void`)
 * a wrapper around it; either way the transaction's status is where the payment stands.
 * Throws UnknownGr4vyStatus for a status Gr4vy does not document.
 */
export function toOperationResult(
  answer: Transaction | TransactionCapture | TransactionVoid,
): PaymentOperationResult {
  const transaction = 'transaction' in answer ? answer.transaction : answer;
  const { status, providerStatus } = toTransactionResult(transaction as Gr4vyTransactionLike);
  return { status, providerStatus };
}

/** Gr4vy's refund status → ours: processing is not final; declined, failed and voided gave nothing back. */
export function gr4vyRefundOutcome(status: string): RefundOutcome {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'processing') return 'pending';
  return 'failed';
}

export function toRefundResult(
  refund: Pick<Refund, 'id' | 'status' | 'errorCode' | 'rawResponseDescription'>,
): RefundResult {
  const outcome = gr4vyRefundOutcome(refund.status);
  const result: RefundResult = { providerRefundId: refund.id, outcome, providerStatus: refund.status };
  if (outcome === 'failed') {
    result.failureReason = refund.errorCode ?? refund.rawResponseDescription ?? refund.status;
  }
  return result;
}
