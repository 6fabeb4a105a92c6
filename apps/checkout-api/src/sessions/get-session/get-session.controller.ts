import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { SessionDetailDto } from './get-session.response';
import { GetSessionUseCase } from './get-session.use-case';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class GetSessionController {
  constructor(private readonly getSession: GetSessionUseCase) {}

  @Get(':sessionId')
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({
    operationId: 'getSession',
    summary: 'Get checkout session',
    description:
      'The session as it stands: its order, the routing decision and the payment, once there is one.',
  })
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiParam({
    name: 'sessionId',
    schema: { type: 'string', format: 'uuid' },
    description: 'The sessionId the create answered',
  })
  @ApiOkResponse({ type: SessionDetailDto, description: 'The session' })
  @ApiErrors(['UNAUTHORIZED', 'NOT_FOUND', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'])
  get(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.getSession.execute(merchantId, sessionId);
  }
}
