import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { callProvider } from '../../providers/provider-call';
import { CheckoutSessionLoader } from '../checkout-session.loader';
import { SessionRepository } from '../../sessions/domain/session.repository';
import { paymentUpdate } from '../payment-outcome';
import { buyerDestination } from './pay-session.use-case';

/** After the buyer approved at the provider: read the transaction, record it, send the buyer on. */
@Injectable()
export class ReturnFromApprovalUseCase {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly loader: CheckoutSessionLoader,
  ) {}

  async execute(sessionId: string): Promise<string> {
    const context = await this.loader.load(sessionId);
    if (!context) throw new DomainError('NOT_FOUND');
    const { session, route, transactionRead } = context;
    const transactionId = session.payment?.transactionId;
    if (!transactionId || !route || !transactionRead || session.status !== 'PENDING') {
      return buyerDestination(session, this.config.checkoutBaseUrl);
    }
    try {
      const result = await callProvider(this.config.providerTimeoutMs, (options) =>
        transactionRead.getTransaction(route, transactionId, options),
      );
      const updated = await this.sessions.applyPayment(session.id, paymentUpdate(result), new Date());
      return buyerDestination(updated ?? session, this.config.checkoutBaseUrl);
    } catch {
      // The webhook will settle it; the page shows where the payment stands.
      return buyerDestination(session, this.config.checkoutBaseUrl);
    }
  }
}
