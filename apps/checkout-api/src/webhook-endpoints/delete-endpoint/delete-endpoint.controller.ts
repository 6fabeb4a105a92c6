import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { ApiEndpointIdParam } from '../endpoint-param';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@ApiTags('webhook endpoints')
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class DeleteEndpointController {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  @Delete(':endpointId')
  @HttpCode(204)
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint',
    description: 'Its deliveries go with it, and nothing more is sent to it.',
  })
  @ApiEndpointIdParam()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(['UNAUTHORIZED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'])
  async delete(@MerchantId() merchantId: string, @Param('endpointId') endpointId: string): Promise<void> {
    if (!(await this.endpoints.delete(merchantId, this.policy.endpointId(endpointId)))) {
      throw new DomainError('NOT_FOUND');
    }
  }
}
