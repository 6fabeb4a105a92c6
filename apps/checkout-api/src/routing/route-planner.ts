import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Attributes } from '@opentelemetry/api';
import { StoreUnavailable, withSpan } from '@app/common';
import { ProviderRoute } from '@app/providers';
import {
  CircuitState,
  circuitState,
  decideRoutes,
  ProviderCatalog,
  RouteDefinition,
  RouteHealth,
  RouteHealthStore,
  RouteStats,
  RoutingDecision,
  RoutingRequest,
} from '@app/routing';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { ProviderRegistry } from '../providers/provider-registry';
import { ROUTE_CATALOG } from './route-catalog';

export interface PlanInput extends RoutingRequest {
  redirectUrls?: { success?: string; failure?: string };
  /** The session's lifetime, which some providers bound. */
  ttlSeconds: number;
}

/** Route ids, scores and exclusion reasons: what the decision was made of, and nothing of the buyer. */
function decisionAttributes(decision: RoutingDecision): Attributes {
  return {
    'routing.candidates': decision.candidates.map((candidate) => candidate.routeId),
    'routing.scores': decision.candidates.map((candidate) => candidate.score),
    'routing.excluded': decision.excluded.map((route) => route.routeId),
    'routing.excluded_reasons': decision.excluded.map((route) => route.reason),
  };
}

export function toProviderRoute(route: RouteDefinition): ProviderRoute {
  return { id: route.id, adapter: route.adapter, options: route.options };
}

/** Every route of a decision as the API explains it: scored candidates first, then the excluded with their reason. */
export function explainedCandidates(decision: RoutingDecision) {
  return [...decision.candidates, ...decision.excluded.map(({ cause: _cause, ...excluded }) => excluded)];
}

/**
 * Feeds the pure routing core with live health from the shared store, owns the
 * half-open probe slots, and reports call outcomes back to the breaker.
 */
@Injectable()
export class RoutePlanner {
  private readonly logger = new Logger('Routing');
  private readonly routeIds: string[];
  private readonly routesById: Map<string, RouteDefinition>;
  /** The shared health, read at most every ROUTING_HEALTH_CACHE_MS instead of on every request. */
  private cached?: { at: number; health: Map<string, RouteHealth> };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROUTE_CATALOG) private readonly catalog: ProviderCatalog,
    private readonly health: RouteHealthStore,
    private readonly providers: ProviderRegistry,
    private readonly metrics: MetricsService,
  ) {
    this.routeIds = catalog.routes.map((route) => route.id);
    this.routesById = new Map(catalog.routes.map((route) => [route.id, route]));
  }

  route(id: string): RouteDefinition | undefined {
    return this.routesById.get(id);
  }

  /** The catalog's routes of one adapter kind, in catalog order. */
  routesOf(adapter: string): ProviderRoute[] {
    return this.catalog.routes.filter((route) => route.adapter === adapter).map(toProviderRoute);
  }

  /** `probe: false` for previews: they read the state and take no probe slot. */
  plan(input: PlanInput, options: { probe: boolean }): Promise<RoutingDecision> {
    return withSpan(
      'routing.decide',
      {
        'routing.currency': input.currency,
        'routing.payment_method': input.paymentMethod,
        'routing.probe': options.probe,
      },
      () => this.decide(input, options),
      { onResult: decisionAttributes },
    );
  }

  private async decide(input: PlanInput, options: { probe: boolean }): Promise<RoutingDecision> {
    const now = Date.now();
    const health = await this.readHealth(now);
    const stats = new Map<string, RouteStats>();
    const circuits = new Map<string, CircuitState>();
    for (const [routeId, h] of health) {
      stats.set(routeId, {
        successes: h.windowSuccesses,
        failures: h.windowFailures,
        latencyEwmaMs: h.latencyEwmaMs,
      });
      let state = circuitState(h, this.config.circuit, now);
      if (state === 'half_open' && options.probe && !(await this.acquireProbe(routeId))) state = 'open';
      circuits.set(routeId, state);
      this.metrics.setCircuit(routeId, circuitState(h, this.config.circuit, now));
    }
    return decideRoutes({
      request: input,
      routes: this.catalog.routes,
      stats,
      circuits,
      adapterIneligibility: (route) =>
        this.providers
          .flow(route.adapter, 'createSession')
          ?.ineligibilityReason(toProviderRoute(route), input) ?? null,
    });
  }

  /** Counts a call's outcome for scoring and the breaker. A provider's refusal (4xx) says nothing of its health. */
  async recordOutcome(routeId: string, succeeded: boolean, latencyMs: number): Promise<void> {
    try {
      const { moved, health } = await this.health.record(
        { routeId, succeeded, latencyMs },
        this.config.circuit,
        Date.now(),
      );
      // Our own observations are seen at once; other instances' within the cache's lifetime.
      this.cached?.health.set(routeId, health);
      if (moved) {
        this.logger.warn({ msg: `circuit ${moved}`, routeId });
        this.metrics.setCircuit(routeId, moved === 'opened' ? 'open' : 'closed');
      }
    } catch (error) {
      // Never fails the call it reports on: the provider already answered. A bug is still logged loudly.
      if (error instanceof StoreUnavailable) {
        this.logger.warn({ msg: 'could not record route health', routeId, error: String(error.cause) });
      } else {
        this.logger.error({ msg: 'recording route health failed', routeId, err: error });
      }
    }
  }

  private async readHealth(now: number): Promise<Map<string, RouteHealth>> {
    if (this.cached && now - this.cached.at < this.config.routingHealthCacheMs) return this.cached.health;
    try {
      const health = await this.health.snapshot(this.routeIds, now);
      this.cached = { at: now, health };
      return health;
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.logger.warn({ msg: 'route health unavailable; scoring on priors', error: String(error.cause) });
      return new Map();
    }
  }

  /* Without the shared slot we cannot know that nobody else probes: the route stays open for now. */
  private async acquireProbe(routeId: string): Promise<boolean> {
    try {
      return await this.health.acquireProbe(routeId, this.config.providerTimeoutMs + 1000);
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      return false;
    }
  }
}
