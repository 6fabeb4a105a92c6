import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EVENT_TYPES } from '../../events/domain/event-outbox';
import { WebhookEndpoint, webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { EndpointSecrets } from '../endpoint-secrets';
import { CreateWebhookEndpointRequest } from '../webhook-endpoint.dto';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@Injectable()
export class CreateEndpointUseCase {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly secrets: EndpointSecrets,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  /** The new endpoint with its secret: the only answer, with a rotation's, that shows one. */
  async execute(merchantId: string, request: CreateWebhookEndpointRequest) {
    const now = new Date();
    const endpoint: WebhookEndpoint = {
      id: randomUUID(),
      merchantId,
      url: this.policy.acceptUrl(request.url),
      description: request.description ?? null,
      events: request.events ?? [...EVENT_TYPES],
      enabled: true,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    const { secret, sealed } = this.secrets.issue(endpoint.id);
    await this.endpoints.insert(endpoint, sealed);
    return { ...webhookEndpointView(endpoint), secret };
  }
}
