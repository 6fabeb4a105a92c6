import { Inject, Injectable } from '@nestjs/common';
import { DomainError, isUuid } from '@app/common';
import { checkWebhookUrl } from '@app/webhooks';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** The URL rules as this deployment applies them, and the id check every :endpointId goes through. */
@Injectable()
export class WebhookEndpointPolicy {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The normalised URL, or a 400 naming the rule it breaks. */
  acceptUrl(url: string): string {
    const check = checkWebhookUrl(url, {
      requireHttps: this.config.nodeEnv === 'production',
      allowPrivateTargets: this.config.webhooks.allowPrivateTargets,
    });
    if (!check.ok)
      throw new DomainError('WEBHOOK_URL_REFUSED', { field: 'url', rule: check.rule, reason: check.reason });
    return check.url;
  }

  /** A malformed id names no endpoint: 404, as another merchant's does. */
  endpointId(id: string): string {
    if (!isUuid(id)) throw new DomainError('NOT_FOUND');
    return id.toLowerCase();
  }
}
