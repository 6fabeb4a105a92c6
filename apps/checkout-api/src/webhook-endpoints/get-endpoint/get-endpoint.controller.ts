import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { ApiEndpointIdParam } from '../endpoint-param';
import { WebhookEndpointDto } from '../webhook-endpoint.dto';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@ApiTags('webhook endpoints')
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class GetEndpointController {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  @Get(':endpointId')
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'getWebhookEndpoint',
    summary: 'Read a webhook endpoint (without its secret)',
  })
  @ApiEndpointIdParam()
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiErrors(['UNAUTHORIZED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'])
  async get(@MerchantId() merchantId: string, @Param('endpointId') endpointId: string) {
    const endpoint = await this.endpoints.find(merchantId, this.policy.endpointId(endpointId));
    if (!endpoint) throw new DomainError('NOT_FOUND');
    return webhookEndpointView(endpoint);
  }
}
