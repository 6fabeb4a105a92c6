import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { WebhookEndpointWithSecretDto } from '../webhook-endpoint.dto';
import { RotateSecretUseCase } from './rotate-secret.use-case';

@ApiTags('webhook endpoints')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class RotateSecretController {
  constructor(private readonly rotateSecret: RotateSecretUseCase) {}

  @Post(':endpointId/rotate-secret')
  @HttpCode(200)
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({
    summary:
      'Replace the signing secret; for 24 h the old one still signs, so webhook-signature carries both',
  })
  @ApiOkResponse({ type: WebhookEndpointWithSecretDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'Unknown, or another merchant’s endpoint' })
  rotate(@MerchantId() merchantId: string, @Param('endpointId') endpointId: string) {
    return this.rotateSecret.execute(merchantId, endpointId);
  }
}
