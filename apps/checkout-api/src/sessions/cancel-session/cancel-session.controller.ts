import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { SessionDetailDto } from '../get-session/get-session.response';
import { CancelSessionUseCase } from './cancel-session.use-case';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class CancelSessionController {
  constructor(private readonly cancelSession: CancelSessionUseCase) {}

  @Post(':sessionId/cancel')
  @HttpCode(200)
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({
    operationId: 'cancelSession',
    summary: 'Cancel checkout session',
    description:
      'Closes the session at its provider first, so the buyer can no longer pay it, then marks it CANCELLED. ' +
      'A cancelled session frees its orderReference. If the provider says the buyer already paid, the session ' +
      'becomes COMPLETED and the cancel is refused. Cancelling a CANCELLED session answers 200 again.',
  })
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiParam({
    name: 'sessionId',
    schema: { type: 'string', format: 'uuid' },
    description: 'The session to cancel',
  })
  @ApiOkResponse({ type: SessionDetailDto, description: 'The session, CANCELLED' })
  @ApiErrors([
    'UNAUTHORIZED',
    'NOT_FOUND',
    'SESSION_NOT_CANCELLABLE',
    'INTERNAL_ERROR',
    'PROVIDER_UNAVAILABLE',
    'PROVIDER_REJECTED',
    'SERVICE_UNAVAILABLE',
    'PROVIDER_TIMEOUT',
  ])
  cancel(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.cancelSession.execute(merchantId, sessionId);
  }
}
