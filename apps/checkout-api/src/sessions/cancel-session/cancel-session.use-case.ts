import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, isUuid } from '@app/common';
import { ProviderError, ProviderRoute } from '@app/providers';
import { paymentUpdate } from '../../checkout/payment-outcome';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { callProvider } from '../../providers/provider-call';
import { ProviderRegistry } from '../../providers/provider-registry';
import { RoutePlanner, toProviderRoute } from '../../routing/route-planner';
import { effectiveStatus, Session } from '../domain/session';
import { SessionLifecycleRepository } from '../domain/session-lifecycle.repository';
import { SessionRepository } from '../domain/session.repository';
import { sessionDetailView } from '../domain/session-views';

function notCancellable(session: Session, now: Date): DomainError {
  return new DomainError('SESSION_NOT_CANCELLABLE', { status: effectiveStatus(session, now) });
}

/** A provider failure as the merchant's answer: the session stays as it was, and a retry is safe. */
function providerFailure(error: unknown): DomainError {
  const failure = error instanceof ProviderError ? error : undefined;
  if (failure?.kind === 'timeout') return new DomainError('PROVIDER_TIMEOUT');
  if (failure && !failure.retryable) return new DomainError('PROVIDER_REJECTED');
  return new DomainError('PROVIDER_UNAVAILABLE');
}

/**
 * POST /api/v1/sessions/:id/cancel. The provider's session is closed first, so the
 * buyer can no longer pay it; only then is ours CANCELLED. The provider is where a
 * cancel and a payment meet: when it says the session was paid, ours becomes
 * COMPLETED and the cancel is refused. Cancelling a CANCELLED session answers the
 * same 200 again.
 */
@Injectable()
export class CancelSessionUseCase {
  private readonly logger = new Logger('CancelSession');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly lifecycle: SessionLifecycleRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
  ) {}

  async execute(merchantId: string, sessionId: string) {
    if (!isUuid(sessionId)) throw new DomainError('NOT_FOUND');
    const session = await this.sessions.findById(merchantId, sessionId.toLowerCase());
    if (!session) throw new DomainError('NOT_FOUND');
    const now = new Date();
    const status = effectiveStatus(session, now);
    // A session that never completed has no payment to refund: its view has no refunds.
    if (status === 'CANCELLED') return sessionDetailView(session, now, []);
    if (status !== 'PENDING') throw notCancellable(session, now);

    const definition = this.planner.route(session.providerRouteId);
    const closer = definition && this.providers.flow(definition.adapter, 'cancel');
    if (!definition || !closer) {
      throw new DomainError('SESSION_NOT_CANCELLABLE', {
        status,
        reason: 'the route that created this session is no longer configured',
      });
    }
    const route = toProviderRoute(definition);
    let outcome;
    try {
      ({ outcome } = await callProvider(this.config.providerTimeoutMs, (options) =>
        closer.cancelSession(route, session.providerSessionId, options),
      ));
    } catch (error) {
      this.logger.warn({ msg: 'provider cancel failed', routeId: route.id, error: String(error) });
      throw providerFailure(error);
    }
    if (outcome === 'already_paid') throw notCancellable(await this.settlePaid(session, route), new Date());

    const after = (await this.lifecycle.cancel(merchantId, session.id, new Date())) ?? session;
    // Lost a race with the payment's own update: the payment stands.
    if (after.status !== 'CANCELLED') throw notCancellable(after, new Date());
    return sessionDetailView(after, new Date(), []);
  }

  /** The provider says the buyer paid: learn the payment and record it, so the session is COMPLETED. */
  private async settlePaid(session: Session, route: ProviderRoute): Promise<Session> {
    const reader = this.providers.flow(route.adapter, 'sessionRead');
    if (!reader) return session;
    try {
      const reading = await callProvider(this.config.providerTimeoutMs, (options) =>
        reader.readSession(
          route,
          { providerSessionId: session.providerSessionId, transactionId: session.payment?.transactionId },
          options,
        ),
      );
      if (!reading.transaction) return session;
      return (
        (await this.sessions.applyPayment(session.id, paymentUpdate(reading.transaction), new Date())) ??
        session
      );
    } catch (error) {
      // The reconciler will learn it; the cancel is refused all the same.
      this.logger.warn({ msg: 'could not read a paid session after a refused cancel', error: String(error) });
      return session;
    }
  }
}
