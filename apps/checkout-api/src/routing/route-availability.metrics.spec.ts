import { Registry } from 'prom-client';
import { ProviderCatalog, RouteDefinition, RouteHealth, RouteHealthStore } from '@app/routing';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { RouteAvailabilityMetrics } from './route-availability.metrics';

const NOW = 1_700_000_000_000;
const circuit = { consecutiveFailures: 5, failureRateThreshold: 0.5, minimumCalls: 20, coolDownMs: 30_000 };

function route(id: string, currencies: string[], enabled = true): RouteDefinition {
  return { id, adapter: 'gr4vy', enabled, paymentMethods: ['card'], currencies, options: {} };
}

function healthStore(snapshot: () => Promise<Map<string, RouteHealth>>): RouteHealthStore {
  return {
    snapshot: jest.fn(snapshot),
    record: jest.fn(),
    acquireProbe: jest.fn(),
  } as unknown as RouteHealthStore;
}

const healthy: RouteHealth = { windowSuccesses: 1, windowFailures: 0, consecutiveFailures: 0 };

async function scrape(catalog: ProviderCatalog, store: RouteHealthStore): Promise<string> {
  const metrics = new MetricsService();
  new RouteAvailabilityMetrics({ circuit } as AppConfig, catalog, store, metrics).onModuleInit();
  const registry: Registry = metrics.registry;
  return (await registry.getSingleMetricAsString('routes_available')).trim();
}

describe('routes_available', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('counts, per currency, the enabled routes whose circuit is not open; half-open counts', async () => {
    const catalog = {
      routes: [
        route('open-aud', ['AUD']),
        route('half-open-aud-usd', ['AUD', 'USD']),
        route('closed-usd', ['USD']),
        route('open-eur', ['EUR']),
        route('disabled-jpy', ['JPY'], false),
      ],
    };
    const store = healthStore(
      async () =>
        new Map([
          ['open-aud', { ...healthy, openedAt: NOW - 1000 }],
          ['half-open-aud-usd', { ...healthy, openedAt: NOW - 60_000 }],
          ['closed-usd', healthy],
          ['open-eur', { ...healthy, openedAt: NOW }],
        ]),
    );
    const text = await scrape(catalog, store);
    expect(text).toContain('routes_available{currency="AUD"} 1');
    expect(text).toContain('routes_available{currency="USD"} 2');
    expect(text).toContain('routes_available{currency="EUR"} 0');
    expect(text).not.toContain('JPY');
    expect(store.snapshot).toHaveBeenCalledWith(
      ['open-aud', 'half-open-aud-usd', 'closed-usd', 'open-eur'],
      NOW,
    );
  });

  it('counts a route the shared health has never seen as available', async () => {
    const text = await scrape(
      { routes: [route('fresh', ['AUD'])] },
      healthStore(async () => new Map()),
    );
    expect(text).toContain('routes_available{currency="AUD"} 1');
  });

  it('exports no figure rather than a wrong one while the shared health cannot be read', async () => {
    const store = healthStore(() => Promise.reject(new Error('redis down')));
    const text = await scrape({ routes: [route('a', ['AUD'])] }, store);
    expect(text).toContain('# TYPE routes_available gauge');
    expect(text).not.toMatch(/^routes_available\{/m);
  });
});
