import { Body, Controller, Param, Patch, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { WEBHOOK_ENDPOINTS_ROUTE } from '../create-endpoint/create-endpoint.controller';
import { ApiEndpointIdParam } from '../endpoint-param';
import { UpdateWebhookEndpointRequest, WebhookEndpointDto } from '../webhook-endpoint.dto';
import { UpdateEndpointUseCase } from './update-endpoint.use-case';

@ApiTags('webhook endpoints')
@Controller(WEBHOOK_ENDPOINTS_ROUTE)
export class UpdateEndpointController {
  constructor(private readonly updateEndpoint: UpdateEndpointUseCase) {}

  @Patch(':endpointId')
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'updateWebhookEndpoint',
    summary: 'Change a webhook endpoint',
    description: 'Each field present is changed: url, events, description (null clears it), enabled.',
  })
  @ApiEndpointIdParam()
  @ApiBody({ type: UpdateWebhookEndpointRequest })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiErrors([
    'VALIDATION_FAILED',
    'MALFORMED_JSON',
    'WEBHOOK_URL_REFUSED',
    'UNAUTHORIZED',
    'NOT_FOUND',
    'SERVICE_UNAVAILABLE',
  ])
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
