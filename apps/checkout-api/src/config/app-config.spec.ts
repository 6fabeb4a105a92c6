import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/common';
import { AdapterDefinition } from '@app/providers';
import { loadAppConfig } from './app-config';

const minimal = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/checkout',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWT_SECRET: 's'.repeat(32),
};

function problems(env: Record<string, string>, adapters: AdapterDefinition[] = []): string[] {
  try {
    loadAppConfig(env, adapters);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadAppConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadAppConfig(minimal, []);
    expect(config).toMatchObject({
      port: 3000,
      providerTimeoutMs: 8000,
      sessionTtlSeconds: 3600,
      idempotencyTtlSeconds: 86400,
      routingMaxAttempts: 3,
      dbMigrationsRun: true,
      dbAcquireTimeoutMs: 2000,
      shutdownDelayMs: 0,
      providersConfigPath: 'config/providers.json',
      checkoutBaseUrl: 'http://localhost:3000',
      logLevel: 'info',
    });
  });

  it('keeps the idempotency lease longer than the request deadline', () => {
    const config = loadAppConfig(minimal, []);
    expect(config.idempotencyLeaseMs).toBeGreaterThan(config.routingDeadlineMs);
  });

  it('names every bad variable at once', () => {
    const found = problems({
      DATABASE_URL: 'mysql://x',
      PORT: 'eighty',
      SESSION_TTL_SECONDS: '30',
      LOG_LEVEL: 'loud',
      DB_MIGRATIONS_RUN: 'maybe',
    });
    const text = found.join('\n');
    for (const name of [
      'DATABASE_URL',
      'PORT',
      'SESSION_TTL_SECONDS',
      'LOG_LEVEL',
      'DB_MIGRATIONS_RUN',
      'REDIS_URL',
      'AUTH_JWT_SECRET',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('refuses a short JWT secret and needs CHECKOUT_BASE_URL in production', () => {
    expect(problems({ ...minimal, AUTH_JWT_SECRET: 'short' }).join()).toContain('at least 32 bytes');
    expect(problems({ ...minimal, NODE_ENV: 'production' }).join()).toContain('CHECKOUT_BASE_URL');
  });

  it('accepts a JWKS URL instead of a secret', () => {
    const { AUTH_JWT_SECRET: _secret, ...rest } = minimal;
    expect(
      loadAppConfig({ ...rest, AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json' }, []).auth
        .jwksUrl,
    ).toBe('https://idp.example.com/.well-known/jwks.json');
  });

  it('keeps only the adapters whose settings are present, and collects their problems', () => {
    const present: AdapterDefinition = { kind: 'a', readConfig: () => ({ ok: true }), create: jest.fn() };
    const absent: AdapterDefinition = { kind: 'b', readConfig: () => null, create: jest.fn() };
    expect(loadAppConfig(minimal, [present, absent]).adapters.map((a) => a.definition.kind)).toEqual(['a']);
    const broken: AdapterDefinition = {
      kind: 'c',
      readConfig: (env) => {
        env.problem('C_KEY is required');
        return {};
      },
      create: jest.fn(),
    };
    expect(problems(minimal, [broken])).toEqual(['C_KEY is required']);
  });

  describe('tracing', () => {
    it('is off by default, with the documented defaults', () => {
      expect(loadAppConfig(minimal, []).tracing).toEqual({
        enabled: false,
        protocol: 'http/protobuf',
        serviceName: 'checkout-orchestrator',
        sampler: 'parentbased_always_on',
        samplerRatio: 1,
      });
    });

    it('is on when OTEL_EXPORTER_OTLP_ENDPOINT is set, unless OTEL_SDK_DISABLED', () => {
      const env = { ...minimal, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
      expect(loadAppConfig(env, []).tracing.enabled).toBe(true);
      expect(loadAppConfig({ ...env, OTEL_SDK_DISABLED: 'true' }, []).tracing.enabled).toBe(false);
    });

    it('accepts http/json and names every bad OTEL_ variable', () => {
      expect(
        loadAppConfig({ ...minimal, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, []).tracing.protocol,
      ).toBe('http/json');
      const text = problems({
        ...minimal,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }).join('\n');
      for (const name of [
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'OTEL_EXPORTER_OTLP_PROTOCOL',
        'OTEL_TRACES_SAMPLER ',
        'OTEL_TRACES_SAMPLER_ARG',
      ]) {
        expect(text).toContain(name);
      }
    });
  });
});

describe('loadAppConfig: Redis topologies', () => {
  const { REDIS_URL: _url, ...noRedis } = minimal;
  const redis = (env: Record<string, string>) => loadAppConfig({ ...noRedis, ...env }, []).redis;
  const caFile = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'redis-ca-')), 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    return file;
  };

  it('reads one server from REDIS_URL, with TLS on for rediss://', () => {
    expect(redis({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      topology: { kind: 'single', url: 'redis://127.0.0.1:6379' },
      password: undefined,
      tls: undefined,
    });
    expect(redis({ REDIS_URL: 'rediss://cache.example.com:6380', REDIS_PASSWORD: 'pw' })).toMatchObject({
      password: 'pw',
      tls: { ca: undefined },
    });
  });

  it('reads cluster seeds, IPv6 in brackets, with TLS, a password and a CA file', () => {
    const ca = caFile();
    expect(
      redis({
        REDIS_CLUSTER_NODES: '10.0.0.1:7000, node-2.example.com:7001,[::1]:7002',
        REDIS_PASSWORD: 'secret',
        REDIS_TLS: 'true',
        REDIS_TLS_CA_FILE: ca,
      }),
    ).toEqual({
      topology: {
        kind: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: 'node-2.example.com', port: 7001 },
          { host: '::1', port: 7002 },
        ],
      },
      password: 'secret',
      tls: { ca: expect.stringContaining('BEGIN CERTIFICATE') },
    });
  });

  it('reads sentinels with the primary name and the sentinels’ own password', () => {
    expect(
      redis({
        REDIS_SENTINELS: 's1:26379,s2:26379,s3:26379',
        REDIS_SENTINEL_NAME: 'checkout',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
        REDIS_PASSWORD: 'data-pw',
      }),
    ).toEqual({
      topology: {
        kind: 'sentinel',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
          { host: 's3', port: 26379 },
        ],
        name: 'checkout',
        sentinelPassword: 'sentinel-pw',
      },
      password: 'data-pw',
      tls: undefined,
    });
  });

  it.each([
    [{}, 'REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is required'],
    [
      { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' },
      'set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS (got REDIS_URL, REDIS_CLUSTER_NODES)',
    ],
    [
      { REDIS_CLUSTER_NODES: 'b:7000', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' },
      'set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS (got REDIS_CLUSTER_NODES, REDIS_SENTINELS)',
    ],
    [{ REDIS_SENTINELS: 's:26379' }, 'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS'],
    [
      { REDIS_URL: 'redis://a:6379', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINEL_NAME is only used with REDIS_SENTINELS',
    ],
    [
      { REDIS_CLUSTER_NODES: 'a:7000,b' },
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, got "b"',
    ],
    [
      { REDIS_CLUSTER_NODES: 'a:70000' },
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, got "a:70000"',
    ],
    [{ REDIS_URL: 'redis://a:6379', REDIS_TLS: 'true' }, 'REDIS_TLS=true needs a rediss:// REDIS_URL'],
    [
      { REDIS_URL: 'redis://:inline@a:6379', REDIS_PASSWORD: 'pw' },
      'set the Redis password in REDIS_URL or REDIS_PASSWORD, not both',
    ],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_TLS_CA_FILE: '/etc/ca.pem' },
      'REDIS_TLS_CA_FILE is set but TLS is off (use rediss:// or REDIS_TLS=true)',
    ],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_TLS: 'true', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' },
      'REDIS_TLS_CA_FILE cannot be read: /nonexistent/ca.pem',
    ],
  ])('refuses %j: %s', (env, problem) => {
    expect(problems({ ...noRedis, ...env })).toContain(problem);
  });
});
