import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MerchantId } from '@app/auth';
import { PaymentDto } from '../../sessions/get-session/get-session.response';
import { operationInput, PaymentOperationEndpoint, replayableResponse, send } from '../payment-request';
import { VoidPaymentUseCase } from './void-payment.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class VoidPaymentController {
  constructor(private readonly voidPayment: VoidPaymentUseCase) {}

  @PaymentOperationEndpoint({
    kind: 'void',
    operationId: 'voidPayment',
    summary: 'Void payment',
    description:
      'Releases an authorization nothing was captured from, whichever provider holds it. Takes no body. ' +
      'A captured payment is refunded instead.',
    status: 200,
    conflicts: ['PAYMENT_NOT_VOIDABLE'],
  })
  @ApiOkResponse({ type: PaymentDto, ...replayableResponse('The payment after the void') })
  async void(
    @MerchantId() merchantId: string,
    @Param('sessionId') sessionId: string,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const input = await operationInput('void', {
      merchantId,
      sessionId,
      idempotencyKeyHeader,
      body,
      requestId: String(request.id),
    });
    return send(reply, await this.voidPayment.execute(input));
  }
}
