import { Controller, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PaymentDto } from '../../sessions/get-session/get-session.response';
import {
  OperationHttpRequest,
  operationInput,
  OperationRequest,
  PaymentOperationEndpoint,
  replayableResponse,
  send,
} from '../payment-request';
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
    @OperationRequest() http: OperationHttpRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return send(reply, await this.voidPayment.execute(await operationInput('void', http)));
  }
}
