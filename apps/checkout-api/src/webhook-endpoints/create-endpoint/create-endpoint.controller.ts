import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { CreateWebhookEndpointRequest, WebhookEndpointWithSecretDto } from '../webhook-endpoint.dto';
import { CreateEndpointUseCase } from './create-endpoint.use-case';

export const WEBHOOK_ENDPOINTS_ROUTE = 'api/v1/webhook-endpoints';

@ApiTags('webhook endpoints')
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class CreateEndpointController {
  constructor(private readonly createEndpoint: CreateEndpointUseCase) {}

  @Post()
  @HttpCode(201)
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'createWebhookEndpoint',
    summary: 'Register a webhook endpoint',
    description:
      'The answer carries the signing secret, once. A URL is refused (400 WEBHOOK_URL_REFUSED, naming the rule) ' +
      'when it has credentials, is over 2048 characters, is not https in production, or names a non-public address.',
  })
  @ApiBody({ type: CreateWebhookEndpointRequest })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto })
  @ApiErrors([
    'VALIDATION_FAILED',
    'MALFORMED_JSON',
    'WEBHOOK_URL_REFUSED',
    'UNAUTHORIZED',
    'SERVICE_UNAVAILABLE',
  ])
  async create(@MerchantId() merchantId: string, @Body() body: unknown) {
    return this.createEndpoint.execute(merchantId, await validateBody(CreateWebhookEndpointRequest, body));
  }
}
