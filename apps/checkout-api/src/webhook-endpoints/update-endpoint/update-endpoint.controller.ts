import { Body, Controller, Param, Patch, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { UpdateWebhookEndpointRequest, WebhookEndpointDto } from '../webhook-endpoint.dto';
import { UpdateEndpointUseCase } from './update-endpoint.use-case';

@ApiTags('webhook endpoints')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class UpdateEndpointController {
  constructor(private readonly updateEndpoint: UpdateEndpointUseCase) {}

  @Patch(':endpointId')
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'Change url, events, description or enabled' })
  @ApiBody({ type: UpdateWebhookEndpointRequest })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiBadRequestResponse({
    type: ErrorEnvelopeDto,
    description: 'VALIDATION_FAILED, MALFORMED_JSON, WEBHOOK_URL_REFUSED',
  })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'Unknown, or another merchant’s endpoint' })
  async update(
    @MerchantId() merchantId: string,
    @Param('endpointId') endpointId: string,
    @Body() body: unknown,
  ) {
    return this.updateEndpoint.execute(
      merchantId,
      endpointId,
      await validateBody(UpdateWebhookEndpointRequest, body),
    );
  }
}
