import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { EVENT_TYPES } from '../domain/event-outbox';
import { eventView } from '../domain/event-views';
import { EventListDto } from '../event.dto';
import { EventsStore } from '../persistence/events.store';
import { encodeCursor, MAX_LIMIT, parseEventQuery } from './list-events.query';

export const EVENTS_ROUTE = 'api/v1/events';

@ApiTags('events')
@Controller(EVENTS_ROUTE)
export class ListEventsController {
  constructor(private readonly events: EventsStore) {}

  @Get()
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'List events',
    description:
      'Your events, newest first, kept EVENT_RETENTION_DAYS: what a storefront that was down missed.',
  })
  @ApiQuery({ name: 'type', required: false, enum: EVENT_TYPES })
  @ApiQuery({ name: 'sessionId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'createdFrom', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 20 },
  })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'From `nextCursor`' })
  @ApiOkResponse({ type: EventListDto })
  @ApiErrors(['VALIDATION_FAILED', 'UNAUTHORIZED', 'SERVICE_UNAVAILABLE'])
  async list(
    @MerchantId() merchantId: string,
    @Query() query: Record<string, string | string[] | undefined>,
  ) {
    const filter = parseEventQuery(query);
    const page = await this.events.list(merchantId, { ...filter, limit: filter.limit + 1 });
    const data = page.slice(0, filter.limit);
    const last = data[data.length - 1];
    return {
      data: data.map(eventView),
      nextCursor:
        page.length > filter.limit ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }
}
