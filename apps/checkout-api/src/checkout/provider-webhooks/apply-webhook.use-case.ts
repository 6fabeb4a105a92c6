import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/common';
import { PaymentProvider, TransactionResult, WebhookRejected } from '@app/providers';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { failClosed } from '../../infrastructure/availability';
import { callProvider } from '../../providers/provider-call';
import { ProviderRegistry } from '../../providers/provider-registry';
import { SessionRepository } from '../../sessions/domain/session.repository';
import { paymentUpdate } from '../payment-outcome';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * A provider's notification about a transaction: verified by the adapter,
 * deduplicated by event id, and applied monotonically, so redeliveries and
 * out-of-order events cannot move a session backwards.
 */
@Injectable()
export class ApplyWebhookUseCase {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly providers: ProviderRegistry,
  ) {}

  async execute(
    kind: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<WebhookOutcome> {
    const adapter = this.providers.find(kind);
    if (!adapter) throw new DomainError('NOT_FOUND');
    let event;
    try {
      event = adapter.verifyWebhook(headers, rawBody, new Date());
    } catch (error) {
      if (error instanceof WebhookRejected) {
        this.logger.warn({ msg: 'webhook rejected', adapter: kind, reason: error.reason });
        throw new DomainError(error.reason === 'payload' ? 'VALIDATION_FAILED' : 'WEBHOOK_REJECTED');
      }
      throw error;
    }
    if (await failClosed(() => this.sessions.webhookSeen(kind, event.eventId))) return 'duplicate';

    // A slim event names the transaction only: read it from the provider.
    const transaction: TransactionResult =
      event.transaction ?? (await this.fetch(adapter, event.transactionId));
    const session = await failClosed(() =>
      this.sessions.findByTransaction(transaction.transactionId, transaction.providerSessionId),
    );
    if (!session) {
      this.logger.warn({
        msg: 'webhook for an unknown transaction',
        adapter: kind,
        transactionId: transaction.transactionId,
      });
      return 'ignored';
    }
    const applied = await failClosed(() =>
      this.sessions.applyWebhook(kind, event.eventId, session.id, paymentUpdate(transaction), new Date()),
    );
    return applied ? 'applied' : 'duplicate';
  }

  private async fetch(adapter: PaymentProvider, transactionId: string): Promise<TransactionResult> {
    try {
      return await callProvider(this.config.providerTimeoutMs, (options) =>
        adapter.getTransaction(transactionId, options),
      );
    } catch (error) {
      // Not recorded as seen: the provider's redelivery will try again.
      this.logger.warn({
        msg: 'could not fetch webhook transaction',
        adapter: adapter.kind,
        error: String(error),
      });
      throw new DomainError('PROVIDER_UNAVAILABLE');
    }
  }
}
