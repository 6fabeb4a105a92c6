import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { RefundListDto } from '../refund-payment/refund-payment.response';
import { ListRefundsUseCase } from './list-refunds.use-case';

@ApiTags('payments')
@Controller('api/v1/sessions')
export class ListRefundsController {
  constructor(private readonly listRefunds: ListRefundsUseCase) {}

  @Get(':sessionId/refunds')
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({
    operationId: 'listRefunds',
    summary: 'List refunds',
    description: 'The refunds asked for on the session’s payment, oldest first, each as it stands.',
  })
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiParam({
    name: 'sessionId',
    schema: { type: 'string', format: 'uuid' },
    description: 'The session whose refunds to list',
  })
  @ApiOkResponse({ type: RefundListDto, description: 'The refunds' })
  @ApiErrors(['UNAUTHORIZED', 'NOT_FOUND', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'])
  list(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.listRefunds.execute(merchantId, sessionId);
  }
}
