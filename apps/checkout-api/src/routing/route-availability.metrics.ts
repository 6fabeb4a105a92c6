import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import { circuitState, ProviderCatalog, RouteHealth, RouteHealthStore } from '@app/routing';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { ROUTE_CATALOG } from './route-catalog';

/**
 * `routes_available{currency}`: how many enabled routes of each currency the catalog
 * offers have a circuit that is not open, read from the shared health at scrape time
 * (so it is the same on every instance and current without traffic). 0 means every
 * create in that currency fails. A half-open route counts: it takes a probe.
 */
@Injectable()
export class RouteAvailabilityMetrics implements OnModuleInit {
  private readonly logger = new Logger('Routing');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROUTE_CATALOG) private readonly catalog: ProviderCatalog,
    private readonly health: RouteHealthStore,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.addCollectedGauge(
      'routes_available',
      'Enabled routes per currency whose circuit is not open (shared route health, read at scrape time)',
      ['currency'],
      (gauge) => this.collect(gauge),
    );
  }

  private async collect(gauge: Gauge): Promise<void> {
    gauge.reset();
    const routes = this.catalog.routes.filter((route) => route.enabled);
    const now = Date.now();
    let health: Map<string, RouteHealth>;
    try {
      health = await this.health.snapshot(
        routes.map((route) => route.id),
        now,
      );
    } catch (error) {
      // No figure rather than a wrong one: Redis being down has its own gauge and alert.
      this.logger.debug({ msg: 'route health unavailable for routes_available', error: String(error) });
      return;
    }
    const available = new Map<string, number>();
    for (const route of routes) {
      const state = circuitState(health.get(route.id) ?? {}, this.config.circuit, now);
      for (const currency of route.currencies) {
        available.set(currency, (available.get(currency) ?? 0) + (state === 'open' ? 0 : 1));
      }
    }
    for (const [currency, count] of available) gauge.set({ currency }, count);
  }
}
