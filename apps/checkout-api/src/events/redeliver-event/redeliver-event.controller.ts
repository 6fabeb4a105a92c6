import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError, validateBody } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { ApiEventIdParam, RedeliverEventRequest, RedeliveryDto } from '../event.dto';
import { EVENTS_ROUTE } from '../list-events/list-events.controller';
import { EventsStore } from '../persistence/events.store';

@ApiTags('events')
@Controller(EVENTS_ROUTE)
export class RedeliverEventController {
  constructor(private readonly events: EventsStore) {}

  @Post(':eventId/redeliver')
  @HttpCode(202)
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'redeliverEvent',
    summary: 'Redeliver an event',
    description:
      'Queues a fresh delivery with the same webhook-id: to the endpoint named, or to every enabled endpoint ' +
      'subscribed to the event type.',
  })
  @ApiEventIdParam()
  @ApiBody({ type: RedeliverEventRequest, required: false })
  @ApiAcceptedResponse({ type: RedeliveryDto, description: 'Queued' })
  @ApiErrors([
    'VALIDATION_FAILED',
    'MALFORMED_JSON',
    'UNAUTHORIZED',
    'NOT_FOUND',
    'WEBHOOK_ENDPOINT_DISABLED',
    'NO_WEBHOOK_ENDPOINT',
    'SERVICE_UNAVAILABLE',
  ])
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
