import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MerchantId } from '@app/auth';
import { PaymentDto } from '../../sessions/get-session/get-session.response';
import { operationInput, PaymentOperationEndpoint, send } from '../payment-request';
import { CapturePaymentRequest } from './capture-payment.request';
import { CapturePaymentUseCase } from './capture-payment.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class CapturePaymentController {
  constructor(private readonly capturePayment: CapturePaymentUseCase) {}

  @PaymentOperationEndpoint({
    kind: 'capture',
    summary: 'Capture an authorized payment, in full or once in part',
    status: 200,
    conflicts:
      'PAYMENT_NOT_CAPTURABLE (not COMPLETED, not authorized, captured already), CAPTURE_EXCEEDS_AUTHORIZED',
  })
  @ApiBody({ type: CapturePaymentRequest, required: false })
  @ApiOkResponse({ type: PaymentDto, description: 'The payment after the capture' })
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
