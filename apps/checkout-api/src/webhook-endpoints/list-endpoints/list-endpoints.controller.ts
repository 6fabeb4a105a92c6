import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { WebhookEndpointListDto } from '../webhook-endpoint.dto';

@ApiTags('webhook endpoints')
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class ListEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointRepository) {}

  /* No use case of its own: a list is a read through the port, oldest first, without secrets. */
  @Get()
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints',
    description: 'Your endpoints, oldest first; secrets are never shown again.',
  })
  @ApiOkResponse({ type: WebhookEndpointListDto })
  @ApiErrors(['UNAUTHORIZED', 'SERVICE_UNAVAILABLE'])
  async list(@MerchantId() merchantId: string) {
    return { data: (await this.endpoints.list(merchantId)).map(webhookEndpointView) };
  }
}
