import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/common';
import { IdempotencyRunner, IdempotentResult, StoredResponse } from '@app/idempotency';
import { ProviderError, TransactionResult } from '@app/providers';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { callProvider } from '../../providers/provider-call';
import { providerFailureError } from '../../providers/provider-failure';
import { effectiveStatus, Session } from '../../sessions/domain/session';
import { SessionRepository } from '../../sessions/domain/session.repository';
import { CheckoutContext, CheckoutSessionLoader } from '../checkout-session.loader';
import { paymentUpdate, withSessionId } from '../payment-outcome';

/* One claim per session; the session id is the scope, so each claim has its own Redis Cluster slot. */
const payScope = (sessionId: string) => `pay:${sessionId}`;
const PAY_KEY = 'pay';
const PAY_FINGERPRINT = 'pay';

export type PayResult = IdempotentResult;

/**
 * The hosted page's submit: creates the provider transaction for the session,
 * with the amount and currency of our stored session (never the browser's), at
 * most once per session — a claim serialises concurrent submits and the
 * provider's idempotency key makes a retry safe — then records the outcome and
 * tells the page where to send the buyer.
 */
@Injectable()
export class PaySessionUseCase {
  private readonly logger = new Logger('PaySession');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly loader: CheckoutSessionLoader,
    private readonly idempotency: IdempotencyRunner,
  ) {}

  /** Every submit of a session runs under one claim: a double submit waits (409) or replays the first answer. */
  async execute(sessionId: string, requestId?: string): Promise<PayResult> {
    const context = await this.loader.load(sessionId);
    if (!context) throw new DomainError('NOT_FOUND');
    return this.idempotency.run(
      {
        operation: 'pay_session',
        scope: payScope(context.session.id),
        key: PAY_KEY,
        fingerprint: PAY_FINGERPRINT,
        inProgressReason: 'This payment is already being processed',
      },
      { execute: () => this.payOnce(context, requestId), isFinal: () => false },
    );
  }

  private async payOnce(
    { session, route, hostedPayment }: CheckoutContext,
    requestId?: string,
  ): Promise<StoredResponse> {
    const status = effectiveStatus(session, new Date());
    // Only a PENDING session is paid; anything else is refused without calling the provider.
    if (status !== 'PENDING') {
      throw new DomainError('SESSION_NOT_PAYABLE', {
        status,
        redirectUrl: buyerDestination(session, this.config.checkoutBaseUrl),
      });
    }
    if (!route || !hostedPayment) throw new DomainError('NOT_FOUND');
    let result: TransactionResult;
    try {
      result = await callProvider(this.config.providerTimeoutMs, (options) =>
        hostedPayment.pay(
          {
            sessionId: session.id,
            providerSessionId: session.providerSessionId,
            orderReference: session.orderReference,
            currency: session.currency,
            amountMinor: session.totalMinor,
            idempotencyKey: `pay_${createHash('sha256').update(`pay\n${session.id}`).digest('hex').slice(0, 48)}`,
            returnUrl: `${this.config.checkoutBaseUrl}/checkout/${session.id}/return`,
            requestId,
            route,
          },
          options,
        ),
      );
    } catch (error) {
      const failure = error as ProviderError;
      this.logger.warn({
        msg: 'payment call failed',
        routeId: route.id,
        kind: failure.kind,
        reason: failure.message,
      });
      throw providerFailureError(failure);
    }
    const updated = await this.sessions.applyPayment(session.id, paymentUpdate(result), new Date());
    return { status: 200, headers: {}, body: this.answer(updated ?? session, result) };
  }

  private answer(session: Session, result: TransactionResult) {
    if (result.status === 'approval_required' && result.approvalUrl) {
      return { status: 'PENDING', redirectUrl: result.approvalUrl };
    }
    return { status: session.status, redirectUrl: buyerDestination(session, this.config.checkoutBaseUrl) };
  }
}

/** Where the buyer goes once the session has an outcome: the merchant's page, or ours when it gave none. */
export function buyerDestination(session: Session, checkoutBaseUrl: string): string {
  const own = `${checkoutBaseUrl}/checkout/${session.id}`;
  if (session.status === 'COMPLETED') {
    return session.redirectUrls?.success ? withSessionId(session.redirectUrls.success, session.id) : own;
  }
  if (session.status === 'FAILED') {
    return session.redirectUrls?.failure ? withSessionId(session.redirectUrls.failure, session.id) : own;
  }
  return own;
}
