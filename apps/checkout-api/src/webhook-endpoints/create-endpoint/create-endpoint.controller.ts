import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { CreateWebhookEndpointRequest, WebhookEndpointWithSecretDto } from '../webhook-endpoint.dto';
import { CreateEndpointUseCase } from './create-endpoint.use-case';

export const WEBHOOK_ENDPOINTS_ROUTE = 'api/v1/webhook-endpoints';

@ApiTags('webhook endpoints')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class CreateEndpointController {
  constructor(private readonly createEndpoint: CreateEndpointUseCase) {}

  @Post()
  @HttpCode(201)
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'Register a webhook endpoint; the answer carries its signing secret, once' })
  @ApiBody({ type: CreateWebhookEndpointRequest })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto })
  @ApiBadRequestResponse({
    type: ErrorEnvelopeDto,
    description:
      'VALIDATION_FAILED, MALFORMED_JSON, or WEBHOOK_URL_REFUSED with details {field, rule, reason}; rule is one of ' +
      'valid_url, max_length, https_only, no_credentials, public_address',
  })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async create(@MerchantId() merchantId: string, @Body() body: unknown) {
    return this.createEndpoint.execute(merchantId, await validateBody(CreateWebhookEndpointRequest, body));
  }
}
