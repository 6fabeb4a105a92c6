import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { RefundListDto } from '../refund-payment/refund-payment.response';
import { ListRefundsUseCase } from './list-refunds.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class ListRefundsController {
  constructor(private readonly listRefunds: ListRefundsUseCase) {}

  @Get(':sessionId/refunds')
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({ summary: 'List a session’s refunds, oldest first' })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @ApiOkResponse({ type: RefundListDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED' })
  @ApiNotFoundResponse({
    type: ErrorEnvelopeDto,
    description: 'NOT_FOUND: unknown, or another merchant’s session',
  })
  list(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.listRefunds.execute(merchantId, sessionId);
  }
}
