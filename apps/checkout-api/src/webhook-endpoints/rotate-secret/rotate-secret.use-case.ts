import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { SECRET_OVERLAP_MS, webhookEndpointView } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { EndpointSecrets } from '../endpoint-secrets';
import { WebhookEndpointPolicy } from '../webhook-endpoint.policy';

@Injectable()
export class RotateSecretUseCase {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly secrets: EndpointSecrets,
    private readonly policy: WebhookEndpointPolicy,
  ) {}

  /** A new secret; the one it replaces keeps signing beside it for 24 hours. */
  async execute(merchantId: string, endpointId: string) {
    const now = new Date();
    let secret = '';
    const rotated = await this.endpoints.rotateSecret(merchantId, this.policy.endpointId(endpointId), {
      sealSecret: (id) => {
        const issued = this.secrets.issue(id);
        secret = issued.secret;
        return issued.sealed;
      },
      previousUntil: new Date(now.getTime() + SECRET_OVERLAP_MS),
      now,
    });
    if (!rotated) throw new DomainError('NOT_FOUND');
    return { ...webhookEndpointView(rotated), secret };
  }
}
