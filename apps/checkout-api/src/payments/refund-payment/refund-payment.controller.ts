import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MerchantId } from '@app/auth';
import { operationInput, PaymentOperationEndpoint, send } from '../payment-request';
import { RefundPaymentRequest } from './refund-payment.request';
import { CreatedRefundDto } from './refund-payment.response';
import { RefundPaymentUseCase } from './refund-payment.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class RefundPaymentController {
  constructor(private readonly refundPayment: RefundPaymentUseCase) {}

  @PaymentOperationEndpoint({
    kind: 'refund',
    summary: 'Refund a captured payment, in full or in parts',
    status: 201,
    conflicts: 'PAYMENT_NOT_REFUNDABLE (not COMPLETED, nothing captured), REFUND_EXCEEDS_CAPTURED',
  })
  @ApiBody({ type: RefundPaymentRequest, required: false })
  @ApiCreatedResponse({
    type: CreatedRefundDto,
    description: 'The refund; a replay carries Idempotent-Replayed',
  })
  async refund(
    @MerchantId() merchantId: string,
    @Param('sessionId') sessionId: string,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const input = await operationInput(
      'refund',
      { merchantId, sessionId, idempotencyKeyHeader, body, requestId: String(request.id) },
      RefundPaymentRequest,
    );
    return send(reply, await this.refundPayment.execute(input));
  }
}
