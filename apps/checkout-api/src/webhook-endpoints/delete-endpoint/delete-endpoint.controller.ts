import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError } from '@app/common';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@ApiTags('webhook endpoints')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class DeleteEndpointController {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  @Delete(':endpointId')
  @HttpCode(204)
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'Delete an endpoint, with its deliveries; nothing more is sent to it' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'Unknown, or another merchant’s endpoint' })
  async delete(@MerchantId() merchantId: string, @Param('endpointId') endpointId: string): Promise<void> {
    if (!(await this.endpoints.delete(merchantId, this.policy.endpointId(endpointId)))) {
      throw new DomainError('NOT_FOUND');
    }
  }
}
