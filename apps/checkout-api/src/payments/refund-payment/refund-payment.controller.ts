import { Controller, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  OperationHttpRequest,
  operationInput,
  OperationRequest,
  PaymentOperationEndpoint,
  replayableResponse,
  send,
} from '../payment-request';
import { RefundPaymentRequest } from './refund-payment.request';
import { CreatedRefundDto } from './refund-payment.response';
import { RefundPaymentUseCase } from './refund-payment.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class RefundPaymentController {
  constructor(private readonly refundPayment: RefundPaymentUseCase) {}

  @PaymentOperationEndpoint({
    kind: 'refund',
    operationId: 'refundPayment',
    summary: 'Refund payment',
    description:
      'Gives back part or all of what was captured and is left, whichever provider took it; several partial ' +
      'refunds are allowed. The amount is checked and held before the provider is asked, so concurrent refunds ' +
      'can never give back more than was captured. The refund is `pending` until the provider settles it.',
    status: 201,
    conflicts: ['PAYMENT_NOT_REFUNDABLE', 'REFUND_EXCEEDS_CAPTURED'],
  })
  @ApiBody({ type: RefundPaymentRequest, required: false })
  @ApiCreatedResponse({ type: CreatedRefundDto, ...replayableResponse('The refund') })
  async refund(
    @OperationRequest() http: OperationHttpRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return send(
      reply,
      await this.refundPayment.execute(await operationInput('refund', http, RefundPaymentRequest)),
    );
  }
}
