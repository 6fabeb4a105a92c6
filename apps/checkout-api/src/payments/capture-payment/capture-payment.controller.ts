import { Controller, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
import { CapturePaymentRequest } from './capture-payment.request';
import { CapturePaymentUseCase } from './capture-payment.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class CapturePaymentController {
  constructor(private readonly capturePayment: CapturePaymentUseCase) {}

  @PaymentOperationEndpoint({
    kind: 'capture',
    operationId: 'capturePayment',
    summary: 'Capture payment',
    description:
      'Takes the money of an authorized payment, whichever provider holds it: all of it by default, or part ' +
      'of it once (the rest of the authorization is released). The amount is checked and held before the ' +
      'provider is asked.',
    status: 200,
    conflicts: ['PAYMENT_NOT_CAPTURABLE', 'CAPTURE_EXCEEDS_AUTHORIZED'],
  })
  @ApiBody({ type: CapturePaymentRequest, required: false })
  @ApiOkResponse({ type: PaymentDto, ...replayableResponse('The payment after the capture') })
  async capture(
    @OperationRequest() http: OperationHttpRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return send(
      reply,
      await this.capturePayment.execute(await operationInput('capture', http, CapturePaymentRequest)),
    );
  }
}
