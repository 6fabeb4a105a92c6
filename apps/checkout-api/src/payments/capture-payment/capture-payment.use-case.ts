import { Injectable } from '@nestjs/common';
import { IdempotentResult } from '@app/idempotency';
import { OperationInput, PaymentOperationExecutor } from '../payment-operation.executor';

/** POST …/capture: takes the authorized money, in full or once in part; answers the payment view. */
@Injectable()
export class CapturePaymentUseCase {
  constructor(private readonly executor: PaymentOperationExecutor) {}

  execute(input: OperationInput): Promise<IdempotentResult> {
    return this.executor.movePayment('capture', input);
  }
}
