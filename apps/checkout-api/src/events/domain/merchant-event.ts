import { EventType } from './event-outbox';

/** An event as stored and as sent: its body is `{id, type, createdAt, data}`. */
export interface MerchantEvent {
  id: string;
  type: EventType;
  createdAt: Date;
  data: unknown;
}

/** The exact bytes of a delivery, signed and posted; the same for every attempt. */
export function eventBody(event: MerchantEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    data: event.data,
  });
}
