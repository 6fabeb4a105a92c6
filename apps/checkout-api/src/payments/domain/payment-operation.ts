import type { PaymentStatus } from '@app/providers';

/** What a merchant can do with a payment after checkout. */
export const OPERATION_KINDS = ['capture', 'void', 'refund'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/**
 * - `reserved`: the money is held and the provider has been (or is being) asked, with no answer
 *   yet: a timeout or a crash leaves it here, and a retry with the same Idempotency-Key asks again
 *   with the same provider key;
 * - `pending`: the provider took it but has not settled it (its webhook or a read settles it);
 * - `succeeded` / `failed`: final; a failure gave the money back to what is left to use.
 */
export const OPERATION_STATUSES = ['reserved', 'pending', 'succeeded', 'failed'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** One capture, void or refund asked for, with the money it holds or moved. Amounts are minor units. */
export interface PaymentOperation {
  /** For a refund, the `refundId` the API shows. */
  id: string;
  sessionId: string;
  merchantId: string;
  kind: OperationKind;
  idempotencyKey: string;
  /** Counts the calls that ended in a definite failure and were asked again: each gets its own provider key. */
  attempt: number;
  amountMinor: number;
  status: OperationStatus;
  /** The merchant's reason for a refund. */
  reason?: string;
  /** The provider's id for what it did (its refund id). */
  providerReference?: string;
  providerStatus?: string;
  failureCode?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What the provider's answer (or its failure) makes of an operation. */
export interface OperationOutcome {
  status: Exclude<OperationStatus, 'reserved'>;
  /** Where the payment stands afterwards, for a capture or a void the provider answered. */
  paymentStatus?: PaymentStatus;
  providerStatus?: string;
  providerReference?: string;
  failureCode?: string;
}
