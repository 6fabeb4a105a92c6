import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { ApiEndpointIdParam } from '../endpoint-param';
import { WebhookEndpointWithSecretDto } from '../webhook-endpoint.dto';
import { RotateSecretUseCase } from './rotate-secret.use-case';

@ApiTags('webhook endpoints')
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class RotateSecretController {
  constructor(private readonly rotateSecret: RotateSecretUseCase) {}

  @Post(':endpointId/rotate-secret')
  @HttpCode(200)
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'rotateWebhookEndpointSecret',
    summary: 'Rotate the signing secret',
    description:
      'Returns a new secret. For 24 hours the old one keeps signing beside it: webhook-signature carries both.',
  })
  @ApiEndpointIdParam()
  @ApiOkResponse({ type: WebhookEndpointWithSecretDto })
  @ApiErrors(['UNAUTHORIZED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'])
  rotate(@MerchantId() merchantId: string, @Param('endpointId') endpointId: string) {
    return this.rotateSecret.execute(merchantId, endpointId);
  }
}
