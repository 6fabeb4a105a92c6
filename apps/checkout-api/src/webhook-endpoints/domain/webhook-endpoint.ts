import type { EventType } from '../../events/domain/event-outbox';

export type DisabledReason = 'merchant' | 'failing' | 'gone';

/** A merchant's webhook endpoint; its secrets are kept sealed and never leave the store in clear. */
export interface WebhookEndpoint {
  id: string;
  merchantId: string;
  url: string;
  description: string | null;
  events: EventType[];
  enabled: boolean;
  disabledReason: DisabledReason | null;
  createdAt: Date;
  updatedAt: Date;
}

/** How long a replaced secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 3600 * 1000;

/** The answer of every endpoint call; the secret is added only on create and rotate. */
export function webhookEndpointView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
