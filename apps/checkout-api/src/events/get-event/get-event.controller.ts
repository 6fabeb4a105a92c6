import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { DomainError } from '@app/common';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../../openapi';
import { deliveryView, eventView } from '../domain/event-views';
import { EventWithDeliveriesDto } from '../event.dto';
import { EVENTS_ROUTE } from '../list-events/list-events.controller';
import { EventsStore } from '../persistence/events.store';

@ApiTags('events')
@ApiBearerAuth(BEARER_SCHEME)
@Controller(EVENTS_ROUTE)
export class GetEventController {
  constructor(private readonly events: EventsStore) {}

  @Get(':eventId')
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({ summary: 'One event with its deliveries and every attempt of each' })
  @ApiOkResponse({ type: EventWithDeliveriesDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({
    type: ErrorEnvelopeDto,
    description: 'Unknown, expired, or another merchant’s event',
  })
  async get(@MerchantId() merchantId: string, @Param('eventId') eventId: string) {
    const event = await this.events.find(merchantId, eventId);
    if (!event) throw new DomainError('NOT_FOUND');
    return { ...eventView(event), deliveries: (await this.events.deliveries(event.id)).map(deliveryView) };
  }
}
