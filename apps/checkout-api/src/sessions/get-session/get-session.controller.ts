import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { SessionDetailDto } from './get-session.response';
import { GetSessionUseCase } from './get-session.use-case';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class GetSessionController {
  constructor(private readonly getSession: GetSessionUseCase) {}

  @Get(':sessionId')
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOkResponse({ type: SessionDetailDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'Unknown, or another merchant’s session' })
  get(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.getSession.execute(merchantId, sessionId);
  }
}
