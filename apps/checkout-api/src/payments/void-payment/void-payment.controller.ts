import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MerchantId } from '@app/auth';
import { PaymentDto } from '../../sessions/get-session/get-session.response';
import { operationInput, PaymentOperationEndpoint, send } from '../payment-request';
import { VoidPaymentUseCase } from './void-payment.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class VoidPaymentController {
  constructor(private readonly voidPayment: VoidPaymentUseCase) {}

  @PaymentOperationEndpoint({
    kind: 'void',
    summary: 'Release an authorization nothing was captured from',
    status: 200,
    conflicts: 'PAYMENT_NOT_VOIDABLE (not COMPLETED, captured already, not authorized)',
  })
  @ApiOkResponse({ type: PaymentDto, description: 'The payment after the void' })
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
