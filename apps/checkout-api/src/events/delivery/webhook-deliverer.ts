import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { nextRetryDelay, postWebhook, signWebhook, WebhookPostResult } from '@app/webhooks';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../observability/metrics.service';
import { EndpointSecrets } from '../../webhook-endpoints/endpoint-secrets';
import { eventBody, MerchantEvent } from '../domain/merchant-event';
import { DeliveryJob, DeliveryQueue } from './delivery-queue';
import { AttemptOutcome, DeliveryContext, DeliveryStore } from './delivery-store';

const USER_AGENT = 'checkout-orchestrator-webhooks/1';
/* An endpoint at its concurrency limit: the attempt waits this long (plus jitter) for a slot. */
const SLOT_WAIT_MS = 1000;

/** Makes one attempt per job: sign, POST, record, and queue the next attempt when one is due. */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhookDelivery');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: DeliveryQueue,
    private readonly store: DeliveryStore,
    private readonly secrets: EndpointSecrets,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(this.config.webhooks.workerConcurrency, (job) => this.attempt(job));
  }

  async attempt(job: DeliveryJob): Promise<void> {
    const delivery = await this.store.load(job.deliveryId);
    // Gone (endpoint or event deleted), ended, or already past this attempt (a job run twice after a crash).
    if (!delivery || delivery.status !== 'pending' || delivery.attempts >= job.attempt) return;
    if (!delivery.endpointEnabled) {
      if (await this.store.failUnattempted(delivery.deliveryId, 'endpoint_disabled')) {
        this.metrics.webhookDeliveries.inc({ outcome: 'failed' });
      }
      return;
    }
    const attemptId = await this.store.startAttempt(
      delivery.deliveryId,
      delivery.endpointId,
      job.attempt,
      this.queue.timings.expireInSeconds,
      this.config.webhooks.endpointConcurrency,
    );
    if (!attemptId) {
      await this.queue.enqueue([job], undefined, new Date(Date.now() + SLOT_WAIT_MS * (1 + Math.random())));
      return;
    }
    const result = await this.post(delivery);
    await this.record(job, delivery, attemptId, result);
  }

  private async post(delivery: DeliveryContext): Promise<WebhookPostResult> {
    let secrets: string[];
    try {
      secrets = [delivery.secretSealed, delivery.previousSecretSealed]
        .filter((sealed): sealed is string => sealed !== null)
        .map((sealed) => this.secrets.open(sealed, delivery.endpointId));
    } catch {
      return {
        kind: 'error',
        error: 'the endpoint secret cannot be opened (WEBHOOK_SECRETS_KEY changed?)',
        durationMs: 0,
      };
    }
    const event = delivery.event as MerchantEvent;
    const body = eventBody(event);
    return postWebhook({
      url: delivery.endpointUrl,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        ...signWebhook(secrets, event.id, new Date(), body),
      },
      body,
      timeoutMs: this.config.webhooks.timeoutMs,
      allowPrivateTargets: this.config.webhooks.allowPrivateTargets,
    });
  }

  private async record(
    job: DeliveryJob,
    delivery: DeliveryContext,
    attemptId: string,
    result: WebhookPostResult,
  ): Promise<void> {
    const statusCode = result.kind === 'response' ? result.statusCode : null;
    const outcome: AttemptOutcome =
      statusCode !== null && statusCode >= 200 && statusCode < 300
        ? { kind: 'delivered', statusCode }
        : { kind: 'failed', statusCode, error: result.kind === 'error' ? result.error : null };
    const gone = statusCode === 410;
    const delay =
      outcome.kind === 'delivered' || gone
        ? null
        : nextRetryDelay(this.config.webhooks.retrySchedule, job.attempt);
    const nextAttemptAt = delay === null ? null : new Date(Date.now() + delay);
    const finished = await this.store.finishAttempt(
      {
        attemptId,
        deliveryId: delivery.deliveryId,
        endpointId: delivery.endpointId,
        attempt: job.attempt,
        outcome,
        durationMs: result.durationMs,
        nextAttemptAt,
        gone,
        disableAfterHours: this.config.webhooks.disableAfterHours,
      },
      (manager) =>
        this.queue.enqueue(
          [{ deliveryId: delivery.deliveryId, attempt: job.attempt + 1 }],
          manager,
          nextAttemptAt ?? undefined,
        ),
    );
    if (!finished.recorded) return;
    // One outcome per attempt: delivered, failed with a retry to come, or failed for good.
    const attemptOutcome =
      outcome.kind === 'delivered'
        ? 'delivered'
        : finished.deliveryStatus === 'failed'
          ? 'failed'
          : 'failed_attempt';
    this.metrics.webhookDeliveryDuration.observe({ outcome: attemptOutcome }, result.durationMs / 1000);
    this.metrics.webhookDeliveries.inc({ outcome: attemptOutcome });
    if (finished.endpointDisabled) {
      this.metrics.webhookEndpointsDisabled.inc({ reason: finished.endpointDisabled });
      this.logger.warn({
        msg: 'webhook endpoint disabled',
        endpointId: delivery.endpointId,
        reason: finished.endpointDisabled,
      });
    }
  }
}
