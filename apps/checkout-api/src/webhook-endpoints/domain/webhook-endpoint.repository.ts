import type { EventType } from '../../events/domain/event-outbox';
import { WebhookEndpoint } from './webhook-endpoint';

export interface EndpointChanges {
  url?: string;
  events?: EventType[];
  description?: string | null;
  enabled?: boolean;
}

/** Persistence port of webhook endpoints; every call is scoped by merchant. */
export abstract class WebhookEndpointRepository {
  abstract insert(endpoint: WebhookEndpoint, secretSealed: string): Promise<void>;
  abstract list(merchantId: string): Promise<WebhookEndpoint[]>;
  abstract find(merchantId: string, id: string): Promise<WebhookEndpoint | null>;
  abstract update(
    merchantId: string,
    id: string,
    changes: EndpointChanges,
    now: Date,
  ): Promise<WebhookEndpoint | null>;
  abstract delete(merchantId: string, id: string): Promise<boolean>;
  /** The new secret signs from now on; the current one keeps signing beside it until `previousUntil`. */
  abstract rotateSecret(
    merchantId: string,
    id: string,
    rotation: { sealSecret: (endpointId: string) => string; previousUntil: Date; now: Date },
  ): Promise<WebhookEndpoint | null>;
}
