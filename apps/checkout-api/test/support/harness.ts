import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADAPTER_DEFINITIONS } from '@app/providers';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/config/app-config';
// Test-only reach into the sibling app: the sandbox runs in-process, still spoken to over real HTTP.
import { startSandbox } from '../../../provider-sandbox/src/sandbox';
import { freePort } from './redis-process';
import { gr4vyKeyPair, TEST_JWT_SECRET } from './tokens';
import { gr4vyRoute } from './fixtures';

export const TEST_WEBHOOK_SECRET = 'whsec_e2e_0123456789abcdef';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the e2e tests through \`npm test\`, which provisions Postgres and Redis`,
    );
  return value;
}

export interface Harness {
  url: string;
  sandboxUrl: string;
  app: NestFastifyApplication;
  gr4vy: { privateKeyPem: string; publicKeyPem: string };
  close(): Promise<void>;
}

export interface HarnessOptions {
  routes?: Record<string, unknown>[];
  /** Serve hosted pages at the app's own address (browser tests) instead of http://checkout.test. */
  realCheckoutBaseUrl?: boolean;
  env?: Record<string, string>;
  /** Another harness's sandbox; pass that harness's `gr4vy` key too, or the sandbox refuses this one's tokens. */
  sandboxUrl?: string;
  gr4vy?: { privateKeyPem: string; publicKeyPem: string };
}

export function writeCatalog(routes: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  const path = join(dir, 'providers.json');
  writeFileSync(path, JSON.stringify({ providers: routes }));
  return path;
}

export function baseEnv(gr4vyPrivateKeyPem: string, sandboxUrl: string, routes: Record<string, unknown>[]) {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: requiredEnv('DATABASE_URL'),
    REDIS_URL: requiredEnv('REDIS_URL'),
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    GR4VY_ID: 'sandbox',
    GR4VY_ENVIRONMENT: 'sandbox',
    GR4VY_SERVER_URL: sandboxUrl,
    GR4VY_PRIVATE_KEY: gr4vyPrivateKeyPem,
    GR4VY_SECURE_FIELDS_URL: `${sandboxUrl}/secure-fields/latest/secure-fields.js`,
    GR4VY_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    STRIPE_API_BASE: sandboxUrl,
    STRIPE_SECRET_KEY: 'sk_test_e2e_default',
    PROVIDERS_CONFIG: writeCatalog(routes),
    PROVIDER_TIMEOUT_MS: '1500',
    CHECKOUT_BASE_URL: 'http://checkout.test',
    LOG_LEVEL: 'silent',
    // Each idle delivery worker polls Postgres every second: two per instance keep the suite's load down.
    WEBHOOK_WORKER_CONCURRENCY: '2',
  };
}

/** The real app on real Postgres and Redis, with the provider sandbox over HTTP on loopback. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const gr4vy = options.gr4vy ?? gr4vyKeyPair();
  const sandbox = options.sandboxUrl
    ? null
    : await startSandbox({ port: 0, gr4vyPublicKeyPem: gr4vy.publicKeyPem });
  const sandboxUrl = options.sandboxUrl ?? (sandbox as { url: string }).url;
  const port = await freePort();
  const env = {
    ...baseEnv(gr4vy.privateKeyPem, sandboxUrl, options.routes ?? [gr4vyRoute('gr4vy-card')]),
    ...(options.realCheckoutBaseUrl ? { CHECKOUT_BASE_URL: `http://127.0.0.1:${port}` } : {}),
    ...options.env,
  };
  const app = await createApp(loadAppConfig(env, ADAPTER_DEFINITIONS));
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${port}`,
    sandboxUrl,
    app,
    gr4vy,
    async close() {
      await app.close();
      await sandbox?.close();
      rmSync(dirname(env.PROVIDERS_CONFIG), { recursive: true, force: true });
    },
  };
}

/** Admin calls to the sandbox's fault and request-recording API. */
export const sandboxAdmin = {
  async fault(sandboxUrl: string, rule: Record<string, unknown> | Record<string, unknown>[]): Promise<void> {
    const res = await fetch(`${sandboxUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    if (!res.ok) throw new Error(`sandbox fault rejected: ${res.status} ${await res.text()}`);
  },
  async clearFaults(sandboxUrl: string): Promise<void> {
    await fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'DELETE' });
  },
  async requests(
    sandboxUrl: string,
    path?: string,
  ): Promise<Array<{ body: Record<string, unknown>; headers: Record<string, string>; path: string }>> {
    const res = await fetch(
      `${sandboxUrl}/__sandbox/requests${path ? `?path=${encodeURIComponent(path)}` : ''}`,
    );
    return (await res.json()) as Array<{
      body: Record<string, unknown>;
      headers: Record<string, string>;
      path: string;
    }>;
  },
  async clearRequests(sandboxUrl: string): Promise<void> {
    await fetch(`${sandboxUrl}/__sandbox/requests`, { method: 'DELETE' });
  },
};

/** Env for a separate service process sharing this harness's sandbox, Redis and Postgres (one AUD Gr4vy route). */
export function processEnv(h: Harness, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...baseEnv(h.gr4vy.privateKeyPem, h.sandboxUrl, [
      {
        id: 'gr4vy-card',
        adapter: 'gr4vy',
        enabled: true,
        paymentMethods: ['card'],
        currencies: ['AUD'],
        options: {},
      },
    ]),
    ...extra,
  };
}

/** Healthy routes for the next test: no outcomes counted, every circuit closed (state is shared in Redis). */
export async function resetRouteHealth(
  redis: { del(...keys: string[]): Promise<number> },
  routeIds: string[],
): Promise<void> {
  await redis.del(...routeIds.flatMap((id) => [`route:{${id}}:health`, `route:{${id}}:probe`]));
}
