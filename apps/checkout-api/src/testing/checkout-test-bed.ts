import { randomUUID } from 'node:crypto';
import { IdempotencyRunner, InMemoryIdempotencyStore } from '@app/idempotency';
import { PaymentProvider } from '@app/providers';
import { RouteDefinition } from '@app/routing';
import { loadAppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { ProviderRegistry } from '../providers/provider-registry';
import { RoutePlanner } from '../routing/route-planner';
import { Session } from '../sessions/domain/session';
import { InMemoryRouteHealthStore } from './in-memory-route-health.store';
import { InMemorySessionRepository } from './in-memory-session.repository';

/* The least the config needs; nothing here is ever connected to. The health cache is off so that
 * each plan reads the store as the spec has just left it. */
const TEST_ENV = {
  DATABASE_URL: 'postgres://checkout:checkout@127.0.0.1:5432/checkout',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWT_SECRET: 'unit-spec-secret-of-at-least-32-bytes',
  CHECKOUT_BASE_URL: 'https://checkout.test',
  ROUTING_HEALTH_CACHE_MS: '0',
};

/** A card route of adapter `acme` taking AUD, unless told otherwise. */
export function testRoute(id: string, overrides: Partial<RouteDefinition> = {}): RouteDefinition {
  return {
    id,
    adapter: 'acme',
    enabled: true,
    paymentMethods: ['card'],
    currencies: ['AUD'],
    options: {},
    ...overrides,
  };
}

/**
 * The ports the use cases run on, in memory, around the real planner, registry,
 * runner and metrics: what the Nest modules wire, without Redis or Postgres.
 */
export function checkoutTestBed(options: {
  routes: RouteDefinition[];
  providers: PaymentProvider[];
  env?: Record<string, string>;
}) {
  const config = loadAppConfig({ ...TEST_ENV, ...options.env }, []);
  const registry = new ProviderRegistry(options.providers);
  const health = new InMemoryRouteHealthStore();
  const metrics = new MetricsService();
  const planner = new RoutePlanner(config, { routes: options.routes }, health, registry, metrics);
  const sessions = new InMemorySessionRepository();
  const idempotencyStore = new InMemoryIdempotencyStore();
  const idempotency = new IdempotencyRunner(idempotencyStore, {
    leaseMs: config.idempotencyLeaseMs,
    ttlSeconds: config.idempotencyTtlSeconds,
  });
  /** Stores a session as a create would have left it (see pendingSession). */
  async function seed(overrides: Partial<Session> = {}): Promise<Session> {
    const session = pendingSession(overrides);
    await sessions.insert(session, []);
    return session;
  }
  return { config, registry, health, metrics, planner, sessions, idempotencyStore, idempotency, seed };
}

/** An order of 140.76 AUD = 119.00 + 9.95 shipping + 11.81 tax, in minor units, as a create command and a session hold it. */
export const TEST_ORDER = {
  paymentMethod: 'card',
  currency: 'AUD',
  totalMinor: 14076,
  shippingMinor: 995,
  taxMinor: 1181,
  items: [{ name: 'Running shoes', sku: 'SHOE-1', quantity: 1, unitPriceMinor: 11900 }],
  redirectUrls: { success: 'https://shop.test/ok', failure: 'https://shop.test/ko' },
} satisfies Partial<Session>;

/** A PENDING session of TEST_ORDER on route `r1`, created a minute ago and live for the next hour. */
export function pendingSession(overrides: Partial<Session> = {}): Session {
  const now = Date.now();
  const id = randomUUID();
  return {
    id,
    merchantId: 'merchant-1',
    orderReference: `ORD-${id}`,
    idempotencyKey: `key-${id}`,
    requestFingerprint: 'fingerprint',
    status: 'PENDING',
    ...structuredClone(TEST_ORDER),
    providerRouteId: 'r1',
    providerAdapter: 'acme',
    providerSessionId: `ps-${id}`,
    checkoutUrl: `https://checkout.test/checkout/${id}`,
    routingScore: 90,
    routingCandidates: [],
    expiresAt: new Date(now + 3_600_000),
    createdAt: new Date(now - 60_000),
    updatedAt: new Date(now - 60_000),
    ...overrides,
  };
}
