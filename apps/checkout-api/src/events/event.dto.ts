import { ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { SessionDetailDto } from '../sessions/get-session/get-session.response';
import { EVENT_TYPES } from './domain/event-outbox';

class EventDataDto {
  @ApiProperty({
    type: SessionDetailDto,
    description: 'The session as GET /api/v1/sessions/:sessionId showed it then',
  })
  session!: SessionDetailDto;
}

/** An event: the very body its deliveries carry. */
export class EventDto {
  @ApiProperty({
    example: 'evt_3f9d2c6b0a8e4f1c9b7a6d5e4c3b2a10',
    description: 'Also the webhook-id of every delivery',
  })
  id!: string;
  @ApiProperty({ enum: EVENT_TYPES }) type!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: EventDataDto }) data!: EventDataDto;
}

export class EventListDto {
  @ApiProperty({ type: [EventDto] }) data!: EventDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last',
  })
  nextCursor!: string | null;
}

class DeliveryAttemptDto {
  @ApiProperty() attemptNo!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ enum: ['in_flight', 'delivered', 'failed', 'interrupted'] }) outcome!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The receiver’s status code (its body is never kept)',
  })
  statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'no response within 10000 ms' }) error!:
    string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
}

class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['schedule_spent', 'gone', 'endpoint_disabled', null],
    description: 'Why a failed delivery stopped',
  })
  failureReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attempts!: DeliveryAttemptDto[];
}

export class EventWithDeliveriesDto extends EventDto {
  @ApiProperty({ type: [DeliveryDto] }) deliveries!: DeliveryDto[];
}

/** Body of POST /api/v1/events/:eventId/redeliver (optional). */
export class RedeliverEventRequest {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this endpoint; otherwise every enabled endpoint subscribed to the type',
  })
  @IsOptional()
  @IsUUID()
  endpointId?: string;
}

class QueuedDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
}

export class RedeliveryDto {
  @ApiProperty() eventId!: string;
  @ApiProperty({ type: [QueuedDeliveryDto] }) deliveries!: QueuedDeliveryDto[];
}

/** The :eventId of every event route, as the document declares it. */
export const ApiEventIdParam = () =>
  ApiParam({
    name: 'eventId',
    schema: { type: 'string', pattern: '^evt_[0-9a-f]{32}$' },
    description: 'The event',
  });
