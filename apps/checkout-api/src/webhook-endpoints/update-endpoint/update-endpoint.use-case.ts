import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { UpdateWebhookEndpointRequest } from '../webhook-endpoint.dto';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@Injectable()
export class UpdateEndpointUseCase {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  async execute(merchantId: string, endpointId: string, request: UpdateWebhookEndpointRequest) {
    const id = this.policy.endpointId(endpointId);
    const updated = await this.endpoints.update(
      merchantId,
      id,
      {
        url: request.url === undefined ? undefined : this.policy.acceptUrl(request.url),
        events: request.events,
        description: request.description,
        enabled: request.enabled,
      },
      new Date(),
    );
    if (!updated) throw new DomainError('NOT_FOUND');
    return webhookEndpointView(updated);
  }
}
