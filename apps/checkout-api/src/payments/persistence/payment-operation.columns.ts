import {
  bigint,
  ColumnMap,
  columnsOf,
  nullable,
  smallint,
  timestamptz,
  uuid,
  varchar,
} from '../../sessions/persistence/column-map';
import type { TableShape } from '../../sessions/persistence/session.columns';
import type { OperationKind, OperationStatus, PaymentOperation } from '../domain/payment-operation';

/** The only description of payment_operations in the code; the schema test holds the migration to it. */
export const OPERATION_COLUMNS: ColumnMap<PaymentOperation> = {
  id: uuid('id'),
  sessionId: uuid('session_id'),
  merchantId: varchar('merchant_id', 128),
  kind: varchar<OperationKind>('kind', 16),
  idempotencyKey: varchar('idempotency_key', 255),
  attempt: smallint('attempt'),
  amountMinor: bigint('amount_minor'),
  status: varchar<OperationStatus>('status', 16),
  reason: nullable(varchar('reason', 100)),
  providerReference: nullable(varchar('provider_reference', 255, { clip: true })),
  providerStatus: nullable(varchar('provider_status', 64, { clip: true })),
  failureCode: nullable(varchar('failure_code', 64, { clip: true })),
  createdAt: timestamptz('created_at'),
  updatedAt: timestamptz('updated_at'),
};

export const OPERATION_TABLE: TableShape = {
  name: 'payment_operations',
  columns: columnsOf(OPERATION_COLUMNS),
  filledByDatabase: [],
};
