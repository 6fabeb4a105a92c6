import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError } from '@app/common';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { WebhookEndpointDto } from '../webhook-endpoint.dto';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@ApiTags('webhook endpoints')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class GetEndpointController {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  @Get(':endpointId')
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'Read one webhook endpoint (without its secret)' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'Unknown, or another merchant’s endpoint' })
  async get(@MerchantId() merchantId: string, @Param('endpointId') endpointId: string) {
    const endpoint = await this.endpoints.find(merchantId, this.policy.endpointId(endpointId));
    if (!endpoint) throw new DomainError('NOT_FOUND');
    return webhookEndpointView(endpoint);
  }
}
