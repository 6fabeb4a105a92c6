import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { newWebhookSecret, SecretBox } from '@app/webhooks';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Endpoint secrets: made here, shown once, kept sealed under WEBHOOK_SECRETS_KEY. */
@Injectable()
export class EndpointSecrets {
  private readonly box: SecretBox;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const key = config.webhooks.secretsKey;
    if (!key) {
      // Only outside production (the config requires the key there).
      new Logger('EndpointSecrets').warn(
        'WEBHOOK_SECRETS_KEY is not set: endpoint secrets are sealed under a key that dies with this process',
      );
    }
    this.box = new SecretBox(key ?? randomBytes(32));
  }

  /** A new secret, and its sealed form bound to the endpoint. */
  issue(endpointId: string): { secret: string; sealed: string } {
    const secret = newWebhookSecret();
    return { secret, sealed: this.box.seal(secret, endpointId) };
  }

  open(sealed: string, endpointId: string): string {
    return this.box.open(sealed, endpointId);
  }
}
