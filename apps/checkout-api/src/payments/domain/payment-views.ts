import { minorToMajorNumber } from '@app/money';
import type { OperationStatus, PaymentOperation } from './payment-operation';

/** A refund's status as the API shows it: held money the provider has not settled is `pending`. */
export type RefundStatus = 'pending' | 'succeeded' | 'failed';

export function refundStatus(status: OperationStatus): RefundStatus {
  return status === 'reserved' ? 'pending' : status;
}

/** The 201 body of a refund, rebuilt identically from the stored refund on replay. */
export function createdRefundView(refund: PaymentOperation, currency: string) {
  return {
    refundId: refund.id,
    amount: minorToMajorNumber(refund.amountMinor, currency),
    status: refundStatus(refund.status),
    createdAt: refund.createdAt.toISOString(),
  };
}

/** A refund in a list: the 201 fields, the merchant's reason, and why it failed when it did. */
export function refundView(refund: PaymentOperation, currency: string) {
  return {
    ...createdRefundView(refund, currency),
    reason: refund.reason,
    failureReason: refund.status === 'failed' ? refund.failureCode : undefined,
    updatedAt: refund.updatedAt.toISOString(),
  };
}
