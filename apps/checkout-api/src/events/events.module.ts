import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { ObservabilityModule } from '../observability/observability.module';
import { WebhookEndpointsModule } from '../webhook-endpoints/webhook-endpoints.module';
import { DeliveryGauges } from './delivery/delivery-gauges';
import { DeliveryQueue } from './delivery/delivery-queue';
import { DeliveryStore } from './delivery/delivery-store';
import { WebhookDeliverer } from './delivery/webhook-deliverer';
import { EventOutbox } from './domain/event-outbox';
import { GetEventController } from './get-event/get-event.controller';
import { ListEventsController } from './list-events/list-events.controller';
import { EventsStore } from './persistence/events.store';
import { PgEventOutbox } from './persistence/pg-event-outbox';
import { RedeliverEventController } from './redeliver-event/redeliver-event.controller';
import { EventRetentionCleaner } from './retention/event-retention.cleaner';

/** Merchant events: the outbox, their signed delivery through pg-boss, and the recovery API. */
@Module({
  imports: [AuthModule, InfrastructureModule, ObservabilityModule, WebhookEndpointsModule],
  controllers: [ListEventsController, GetEventController, RedeliverEventController],
  providers: [
    DeliveryQueue,
    DeliveryStore,
    WebhookDeliverer,
    DeliveryGauges,
    EventRetentionCleaner,
    EventsStore,
    { provide: EventOutbox, useClass: PgEventOutbox },
  ],
  exports: [EventOutbox],
})
export class EventsModule {}
