import { Injectable } from '@nestjs/common';
import { isUuid } from '@app/common';
import { HostedPaymentFlow, ProviderRoute, TransactionReadFlow } from '@app/providers';
import { ProviderRegistry } from '../providers/provider-registry';
import { RoutePlanner, toProviderRoute } from '../routing/route-planner';
import { Session } from '../sessions/domain/session';
import { SessionRepository } from '../sessions/domain/session.repository';

export interface CheckoutContext {
  session: Session;
  /** The route the session was created on, while the catalog still has it. */
  route?: ProviderRoute;
  /** Present when the buyer pays this session on our hosted page. */
  hostedPayment?: HostedPaymentFlow;
  transactionRead?: TransactionReadFlow;
}

/** A session by its public id, with the route it was created on and that route's payment flows. */
@Injectable()
export class CheckoutSessionLoader {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
  ) {}

  async load(sessionId: string): Promise<CheckoutContext | null> {
    if (!isUuid(sessionId)) return null;
    const session = await this.sessions.findForCheckout(sessionId.toLowerCase());
    if (!session) return null;
    const route = this.planner.route(session.providerRouteId);
    if (!route) return { session };
    return {
      session,
      route: toProviderRoute(route),
      hostedPayment: this.providers.flow(route.adapter, 'hostedPayment'),
      transactionRead: this.providers.flow(route.adapter, 'transactionRead'),
    };
  }
}
