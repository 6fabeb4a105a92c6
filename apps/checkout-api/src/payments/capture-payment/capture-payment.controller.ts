import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MerchantId } from '@app/auth';
import { PaymentDto } from '../../sessions/get-session/get-session.response';
import { operationInput, PaymentOperationEndpoint, replayableResponse, send } from '../payment-request';
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
    @MerchantId() merchantId: string,
    @Param('sessionId') sessionId: string,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const input = await operationInput(
      'capture',
      { merchantId, sessionId, idempotencyKeyHeader, body, requestId: String(request.id) },
      CapturePaymentRequest,
    );
    return send(reply, await this.capturePayment.execute(input));
  }
}
