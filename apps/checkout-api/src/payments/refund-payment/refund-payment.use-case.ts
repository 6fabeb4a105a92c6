import { Injectable } from '@nestjs/common';
import { IdempotentResult } from '@app/idempotency';
import { createdRefundView } from '../domain/payment-views';
import { OperationInput, PaymentOperationExecutor } from '../payment-operation.executor';

/**
 * POST …/refunds: gives back part or all of what was captured and is left; answers 201 with the
 * refund, `pending` while the provider has not settled it.
 */
@Injectable()
export class RefundPaymentUseCase {
  constructor(private readonly executor: PaymentOperationExecutor) {}

  execute(input: OperationInput): Promise<IdempotentResult> {
    return this.executor.run('refund', input, async ({ session, operation }) => ({
      status: 201,
      headers: {},
      body: createdRefundView(operation, session.currency),
    }));
  }
}
