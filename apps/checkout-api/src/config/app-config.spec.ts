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
