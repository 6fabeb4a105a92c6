import { Injectable } from '@nestjs/common';
import { isUuid } from '@app/common';
import { PaymentProvider, ProviderRoute } from '@app/providers';
import { failClosed } from '../infrastructure/availability';
import { ProviderRegistry } from '../providers/provider-registry';
import { RoutePlanner, toProviderRoute } from '../routing/route-planner';
import { Session } from '../sessions/domain/session';
import { SessionRepository } from '../sessions/domain/session.repository';

export interface CheckoutContext {
  session: Session;
  route?: ProviderRoute;
  adapter?: PaymentProvider;
}

/** A session by its public id, with the route and adapter it was created on (when they still exist). */
@Injectable()
export class CheckoutSessionLoader {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
  ) {}

  async load(sessionId: string): Promise<CheckoutContext | null> {
    if (!isUuid(sessionId)) return null;
    const session = await failClosed(() => this.sessions.findForCheckout(sessionId.toLowerCase()));
    if (!session) return null;
    const route = this.planner.route(session.providerRouteId);
    const adapter = route && this.providers.find(route.adapter);
    return { session, route: route && toProviderRoute(route), adapter };
  }
}
