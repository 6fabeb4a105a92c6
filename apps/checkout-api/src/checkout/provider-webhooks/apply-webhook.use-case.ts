import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/common';
import {
  ProviderError,
  ProviderRoute,
  ProviderSessionState,
  TransactionResult,
  VerifiedWebhook,
  WebhookRejected,
  WebhookSubject,
} from '@app/providers';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { callProvider } from '../../providers/provider-call';
import { ProviderRegistry } from '../../providers/provider-registry';
import { RoutePlanner, toProviderRoute } from '../../routing/route-planner';
import { Session } from '../../sessions/domain/session';
import { SessionRepository } from '../../sessions/domain/session.repository';
import { paymentUpdate, sessionUpdate } from '../payment-outcome';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

type TransactionSubject = Extract<WebhookSubject, { kind: 'transaction' }>;
type SessionSubject = Extract<WebhookSubject, { kind: 'session' }>;

interface ResolvedEvent {
  session: Session;
  transaction: TransactionResult;
}

/**
 * A provider's notification: verified by the adapter, deduplicated by event id,
 * and applied monotonically, so redeliveries and out-of-order events cannot move a
 * session backwards. An event about a transaction that carries only its id is read
 * back from the provider through the route that created the session, so that a
 * route with its own merchant account reads where its transactions live. An event
 * about a provider checkout session finds ours by that session's id; only what the
 * signed event says of the session's state and payment is taken from it.
 */
@Injectable()
export class ApplyWebhookUseCase {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
  ) {}

  async execute(
    kind: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<WebhookOutcome> {
    const webhooks = this.providers.flow(kind, 'webhook');
    if (!webhooks) throw new DomainError('NOT_FOUND');
    let event: VerifiedWebhook;
    try {
      event = webhooks.verifyWebhook(headers, rawBody, new Date());
    } catch (error) {
      if (error instanceof WebhookRejected) {
        this.logger.warn({ msg: 'webhook rejected', adapter: kind, reason: error.reason });
        throw new DomainError(error.reason === 'payload' ? 'VALIDATION_FAILED' : 'WEBHOOK_REJECTED');
      }
      throw error;
    }
    const { eventId, subject } = event;
    if (!subject) return 'ignored';
    if (await this.sessions.webhookSeen(kind, eventId)) return 'duplicate';
    return subject.kind === 'session'
      ? this.applySession(kind, eventId, subject)
      : this.applyTransaction(kind, eventId, subject);
  }

  private async applySession(
    kind: string,
    eventId: string,
    subject: SessionSubject,
  ): Promise<WebhookOutcome> {
    const session = await this.sessions.findByProviderSession(kind, subject.providerSessionId);
    if (!session) {
      this.logger.warn({
        msg: 'webhook for an unknown provider session',
        adapter: kind,
        providerSessionId: subject.providerSessionId,
      });
      return 'ignored';
    }
    const outcome = subject.readBack
      ? await this.readSession(kind, session, subject.outcome)
      : subject.outcome;
    const applied = await this.sessions.applyWebhook(
      kind,
      eventId,
      session.id,
      sessionUpdate(outcome),
      new Date(),
    );
    return applied ? 'applied' : 'duplicate';
  }

  /**
   * Where the provider says the session stands, for an event that only hinted at its payment; the
   * event's own word when no route of this adapter can read it any more. A failed read leaves the
   * event unseen, so the provider's redelivery tries again.
   */
  private async readSession(
    kind: string,
    session: Session,
    hinted: ProviderSessionState,
  ): Promise<ProviderSessionState> {
    const definition = this.planner.route(session.providerRouteId);
    const reader = this.providers.flow(kind, 'sessionRead');
    if (!definition || !reader) return hinted;
    try {
      return await callProvider(this.config.providerTimeoutMs, (options) =>
        reader.readSession(
          toProviderRoute(definition),
          { providerSessionId: session.providerSessionId, transactionId: session.payment?.transactionId },
          options,
        ),
      );
    } catch (error) {
      this.logger.warn({ msg: 'could not read a webhook session back', adapter: kind, error: String(error) });
      throw new DomainError('PROVIDER_UNAVAILABLE');
    }
  }

  private async applyTransaction(
    kind: string,
    eventId: string,
    subject: TransactionSubject,
  ): Promise<WebhookOutcome> {
    const resolved = await this.resolve(kind, subject);
    if (!resolved) {
      this.logger.warn({
        msg: 'webhook for an unknown transaction',
        adapter: kind,
        transactionId: subject.transactionId,
      });
      return 'ignored';
    }
    const applied = await this.sessions.applyWebhook(
      kind,
      eventId,
      resolved.session.id,
      { kind: 'payment', payment: paymentUpdate(resolved.transaction) },
      new Date(),
    );
    return applied ? 'applied' : 'duplicate';
  }

  private async resolve(kind: string, event: TransactionSubject): Promise<ResolvedEvent | null> {
    if (event.transaction) {
      const session = await this.sessions.findByTransaction(
        kind,
        event.transaction.transactionId,
        event.transaction.providerSessionId,
      );
      return session && { session, transaction: event.transaction };
    }
    // A slim event names the transaction only: read it through the route of its session.
    const known = await this.sessions.findByTransaction(kind, event.transactionId);
    const knownRoute = known && this.planner.route(known.providerRouteId);
    if (known && knownRoute) {
      const transaction = await this.read(kind, toProviderRoute(knownRoute), event.transactionId);
      return transaction && { session: known, transaction };
    }
    // Not recorded yet (the pay step died before storing it): ask each route of this adapter.
    for (const route of this.planner.routesOf(kind)) {
      const transaction = await this.read(kind, route, event.transactionId);
      if (!transaction) continue;
      const session = await this.sessions.findByTransaction(
        kind,
        transaction.transactionId,
        transaction.providerSessionId,
      );
      return session && { session, transaction };
    }
    return null;
  }

  /** The transaction as this route sees it; null when the route cannot see it (another merchant account). */
  private async read(
    kind: string,
    route: ProviderRoute,
    transactionId: string,
  ): Promise<TransactionResult | null> {
    const reader = this.providers.flow(kind, 'transactionRead');
    if (!reader) return null;
    try {
      return await callProvider(this.config.providerTimeoutMs, (options) =>
        reader.getTransaction(route, transactionId, options),
      );
    } catch (error) {
      if (error instanceof ProviderError && error.providerStatus === 404) return null;
      // Not recorded as seen: the provider's redelivery will try again.
      this.logger.warn({
        msg: 'could not fetch webhook transaction',
        adapter: kind,
        routeId: route.id,
        error: String(error),
      });
      throw new DomainError('PROVIDER_UNAVAILABLE');
    }
  }
}
