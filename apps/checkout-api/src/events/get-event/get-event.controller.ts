import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { deliveryView, eventView } from '../domain/event-views';
import { ApiEventIdParam, EventWithDeliveriesDto } from '../event.dto';
import { EVENTS_ROUTE } from '../list-events/list-events.controller';
import { EventsStore } from '../persistence/events.store';

@ApiTags('events')
@Controller(EVENTS_ROUTE)
export class GetEventController {
  constructor(private readonly events: EventsStore) {}

  @Get(':eventId')
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'getEvent',
    summary: 'Read an event with its deliveries',
    description:
      'The event, each delivery of it, and every attempt of each (time, status code or error, duration).',
  })
  @ApiEventIdParam()
  @ApiOkResponse({ type: EventWithDeliveriesDto })
  @ApiErrors(['UNAUTHORIZED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'])
  async get(@MerchantId() merchantId: string, @Param('eventId') eventId: string) {
    const event = await this.events.find(merchantId, eventId);
    if (!event) throw new DomainError('NOT_FOUND');
    return { ...eventView(event), deliveries: (await this.events.deliveries(event.id)).map(deliveryView) };
  }
}
