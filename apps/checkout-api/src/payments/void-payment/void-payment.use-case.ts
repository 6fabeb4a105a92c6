import { Injectable } from '@nestjs/common';
import { IdempotentResult } from '@app/idempotency';
import { OperationInput, PaymentOperationExecutor } from '../payment-operation.executor';

/** POST …/void: releases an authorization nothing was captured from; answers the payment view. */
@Injectable()
export class VoidPaymentUseCase {
  constructor(private readonly executor: PaymentOperationExecutor) {}

  execute(input: Omit<OperationInput, 'amount' | 'reason'>): Promise<IdempotentResult> {
    return this.executor.movePayment('void', input);
  }
}
