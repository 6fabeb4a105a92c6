import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { WebhookEndpointListDto } from '../webhook-endpoint.dto';

@ApiTags('webhook endpoints')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class ListEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointRepository) {}

  /* No use case of its own: a list is a read through the port, oldest first, without secrets. */
  @Get()
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'List your webhook endpoints, oldest first (secrets are never shown)' })
  @ApiOkResponse({ type: WebhookEndpointListDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async list(@MerchantId() merchantId: string) {
    return { data: (await this.endpoints.list(merchantId)).map(webhookEndpointView) };
  }
}
