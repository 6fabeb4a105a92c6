import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError, validateBody } from '@app/common';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { RedeliverEventRequest, RedeliveryDto } from '../event.dto';
import { EVENTS_ROUTE } from '../list-events/list-events.controller';
import { EventsStore } from '../persistence/events.store';

@ApiTags('events')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(EVENTS_ROUTE)
export class RedeliverEventController {
  constructor(private readonly events: EventsStore) {}

  @Post(':eventId/redeliver')
  @HttpCode(202)
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'Queue a fresh delivery of a stored event, with the same webhook-id' })
  @ApiBody({ type: RedeliverEventRequest, required: false })
  @ApiAcceptedResponse({ type: RedeliveryDto })
  @ApiBadRequestResponse({
    type: ErrorEnvelopeDto,
    description: 'VALIDATION_FAILED (endpointId not a UUID), MALFORMED_JSON',
  })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({
    type: ErrorEnvelopeDto,
    description: 'Unknown event, or unknown endpoint (another merchant’s included)',
  })
  @ApiConflictResponse({
    type: ErrorEnvelopeDto,
    description:
      'WEBHOOK_ENDPOINT_DISABLED: the endpoint named is disabled; NO_WEBHOOK_ENDPOINT: no enabled endpoint takes this type',
  })
  async redeliver(
    @MerchantId() merchantId: string,
    @Param('eventId') eventId: string,
    @Body() body: unknown,
  ) {
    const request = await validateBody(RedeliverEventRequest, body ?? {});
    const outcome = await this.events.redeliver(merchantId, eventId, request.endpointId?.toLowerCase());
    switch (outcome.kind) {
      case 'queued':
        return { eventId, deliveries: outcome.deliveries };
      case 'event_not_found':
      case 'endpoint_not_found':
        throw new DomainError('NOT_FOUND');
      case 'endpoint_disabled':
        throw new DomainError('WEBHOOK_ENDPOINT_DISABLED', { endpointId: request.endpointId });
      case 'no_endpoint':
        throw new DomainError('NO_WEBHOOK_ENDPOINT', {
          reason: 'No enabled endpoint is subscribed to this event type',
        });
    }
  }
}
