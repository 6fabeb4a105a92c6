import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { SessionDetailDto } from '../get-session/get-session.response';
import { CancelSessionUseCase } from './cancel-session.use-case';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class CancelSessionController {
  constructor(private readonly cancelSession: CancelSessionUseCase) {}

  @Post(':sessionId/cancel')
  @HttpCode(200)
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOkResponse({
    type: SessionDetailDto,
    description: 'CANCELLED (again, for a session already cancelled)',
  })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'Unknown, or another merchant’s session' })
  @ApiConflictResponse({
    type: ErrorEnvelopeDto,
    description: 'SESSION_NOT_CANCELLABLE: COMPLETED, FAILED or EXPIRED; details.status says which',
  })
  @ApiResponse({
    status: 502,
    type: ErrorEnvelopeDto,
    description: 'PROVIDER_UNAVAILABLE or PROVIDER_REJECTED',
  })
  @ApiResponse({ status: 503, type: ErrorEnvelopeDto, description: 'SERVICE_UNAVAILABLE' })
  @ApiResponse({ status: 504, type: ErrorEnvelopeDto, description: 'PROVIDER_TIMEOUT' })
  cancel(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.cancelSession.execute(merchantId, sessionId);
  }
}
