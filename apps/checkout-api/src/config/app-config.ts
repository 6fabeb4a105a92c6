import { readFileSync } from 'node:fs';
import { EnvReader } from '@app/common';
import { AdapterDefinition, ConfiguredAdapter } from '@app/providers';

/** Typed, validated configuration. Built once at start from the environment; nothing else reads process.env. */
export interface AppConfig {
  nodeEnv: string;
  host: string;
  port: number;
  databaseUrl: string;
  dbPoolSize: number;
  /** Longest a statement of the request pool may run, ms; migrations have none. */
  dbStatementTimeoutMs: number;
  /** How long a query waits for a pooled connection before it fails (503), ms. */
  dbAcquireTimeoutMs: number;
  dbMigrationsRun: boolean;
  /** Longest a migration waits for a lock (another instance migrating, a table in use), ms. */
  dbMigrationLockTimeoutMs: number;
  redis: RedisConfig;
  auth: {
    jwtSecret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    clockToleranceSeconds: number;
  };
  /** The provider adapters whose settings are present, each with its own validated config. */
  adapters: ConfiguredAdapter[];
  providersConfigPath: string;
  providerTimeoutMs: number;
  routingMaxAttempts: number;
  routingDeadlineMs: number;
  /** Sliding window of route health (success rate, failure-rate breaker). */
  routingStatsWindowMs: number;
  /** How long an instance reuses its read of the shared route health. */
  routingHealthCacheMs: number;
  circuit: {
    consecutiveFailures: number;
    failureRateThreshold: number;
    minimumCalls: number;
    coolDownMs: number;
  };
  sessionTtlSeconds: number;
  idempotencyTtlSeconds: number;
  /** Longer than any request can run, so a live request never loses its claim. */
  idempotencyLeaseMs: number;
  checkoutBaseUrl: string;
  logLevel: string;
  /** Allowed CORS origins; empty means CORS is off. */
  corsOrigins: string[];
  /** Fastify trustProxy: false, true, a hop count, or a list of addresses/CIDRs of the gateway. */
  trustProxy: boolean | number | string[];
  /** Whole-request deadline, above the routing deadline. */
  requestTimeoutMs: number;
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownDrainMs: number;
  /** After SIGTERM, how long readiness answers 503 while the listener still serves, before it closes. */
  shutdownDelayMs: number;
  /** Period of the expiry sweep; 0 turns it off. */
  sessionSweepIntervalMs: number;
  reconcile: {
    /** Period of a reconciliation pass on this instance; 0 turns it off. */
    intervalMs: number;
    /** A PENDING session with no update for this long is asked about. */
    afterMs: number;
    /** At most this many sessions per pass. */
    batchSize: number;
    /** The longest a session that keeps teaching nothing waits between two checks. */
    backoffMaxMs: number;
  };
  tracing: TracingConfig;
}

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export const TRACE_SAMPLERS = [
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_on',
  'always_off',
  'traceidratio',
] as const;

/**
 * OpenTelemetry traces, off unless an OTLP endpoint is set. The exporter itself reads
 * the rest of the standard OTLP variables (headers, timeout, per-signal endpoint, TLS)
 * and the batch processor its OTEL_BSP_* settings.
 */
export interface TracingConfig {
  enabled: boolean;
  protocol: (typeof OTLP_PROTOCOLS)[number];
  serviceName: string;
  sampler: (typeof TRACE_SAMPLERS)[number];
  /** Ratio of the *traceidratio samplers, 0..1. */
  samplerRatio: number;
}

export interface HostPort {
  host: string;
  port: number;
}

/** One of the three ways to reach Redis; exactly one is configured. */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; sentinelPassword?: string };

export interface RedisConfig {
  topology: RedisTopology;
  /** AUTH password of the data nodes (in single mode it may be in REDIS_URL instead). */
  password?: string;
  /** Present when TLS is on: rediss://, or REDIS_TLS=true for a cluster or sentinels. */
  tls?: { ca?: string };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadAppConfig(
  env: Record<string, string | undefined>,
  adapterDefinitions: readonly AdapterDefinition[],
): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.string('NODE_ENV', 'development');
  const port = r.int('PORT', 3000, 0, 65535);
  const jwtSecret = r.string('AUTH_JWT_SECRET');
  const jwksUrl = r.url('AUTH_JWKS_URL', ['https:', 'http:']);
  if (!jwtSecret && !jwksUrl) r.problem('AUTH_JWT_SECRET or AUTH_JWKS_URL is required');
  if (jwtSecret && Buffer.byteLength(jwtSecret) < 32) r.problem('AUTH_JWT_SECRET must be at least 32 bytes');

  const providerTimeoutMs = r.int('PROVIDER_TIMEOUT_MS', 8000, 100, 60_000);
  const routingMaxAttempts = r.int('ROUTING_MAX_ATTEMPTS', 3, 1, 10);
  const routingDeadlineMs = r.int('ROUTING_DEADLINE_MS', 20_000, 100, 120_000);
  const checkoutBaseUrl = r.url(
    'CHECKOUT_BASE_URL',
    ['https:', 'http:'],
    nodeEnv === 'production' ? undefined : `http://localhost:${port}`,
  );
  if (!checkoutBaseUrl) r.problem('CHECKOUT_BASE_URL is required in production');

  const config: AppConfig = {
    nodeEnv,
    host: r.string('HOST', '0.0.0.0'),
    port,
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']) ?? '',
    dbPoolSize: r.int('DB_POOL_SIZE', 20, 1, 500),
    dbStatementTimeoutMs: r.int('DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    dbAcquireTimeoutMs: r.int('DB_ACQUIRE_TIMEOUT_MS', 2000, 50, 60_000),
    dbMigrationsRun: r.bool('DB_MIGRATIONS_RUN', true),
    dbMigrationLockTimeoutMs: r.int('DB_MIGRATION_LOCK_TIMEOUT_MS', 300_000, 1000, 3_600_000),
    redis: readRedisConfig(r),
    auth: {
      jwtSecret,
      jwksUrl,
      issuer: r.string('AUTH_JWT_ISSUER'),
      audience: r.string('AUTH_JWT_AUDIENCE'),
      clockToleranceSeconds: r.int('AUTH_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
    },
    adapters: adapterDefinitions
      .map((definition) => ({ definition, config: definition.readConfig(r) }))
      .filter((adapter): adapter is ConfiguredAdapter => adapter.config !== null),
    providersConfigPath: r.string('PROVIDERS_CONFIG', 'config/providers.json'),
    providerTimeoutMs,
    routingMaxAttempts,
    routingDeadlineMs,
    routingStatsWindowMs: r.int('ROUTING_STATS_WINDOW_SECONDS', 120, 10, 86400) * 1000,
    routingHealthCacheMs: r.int('ROUTING_HEALTH_CACHE_MS', 250, 0, 10_000),
    circuit: {
      consecutiveFailures: r.int('CIRCUIT_CONSECUTIVE_FAILURES', 5, 1, 1000),
      failureRateThreshold: r.number('CIRCUIT_FAILURE_RATE', 0.5, 0.01, 1),
      minimumCalls: r.int('CIRCUIT_MIN_CALLS', 20, 1, 100000),
      coolDownMs: r.int('CIRCUIT_COOL_DOWN_MS', 30_000, 100, 3_600_000),
    },
    sessionTtlSeconds: r.int('SESSION_TTL_SECONDS', 3600, 60, 86400),
    idempotencyTtlSeconds: r.int('IDEMPOTENCY_TTL_SECONDS', 86400, 60, 30 * 86400),
    idempotencyLeaseMs: r.int('IDEMPOTENCY_LEASE_MS', routingDeadlineMs + 30_000, 1000, 600_000),
    checkoutBaseUrl: (checkoutBaseUrl ?? '').replace(/\/+$/, ''),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    corsOrigins: (r.string('CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustProxy: parseTrustProxy(r.string('TRUST_PROXY', 'false')),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', routingDeadlineMs + 10_000, 1000, 600_000),
    shutdownDrainMs: r.int('SHUTDOWN_DRAIN_MS', 25_000, 0, 600_000),
    shutdownDelayMs: r.int('SHUTDOWN_DELAY_MS', 0, 0, 600_000),
    sessionSweepIntervalMs: r.int('SESSION_SWEEP_INTERVAL_MS', 60_000, 0, 86_400_000),
    reconcile: {
      intervalMs: r.int('RECONCILE_INTERVAL_MS', 30_000, 0, 86_400_000),
      afterMs: r.int('RECONCILE_AFTER_SECONDS', 300, 1, 86_400) * 1000,
      batchSize: r.int('RECONCILE_BATCH_SIZE', 100, 1, 10_000),
      backoffMaxMs: r.int('RECONCILE_BACKOFF_MAX_SECONDS', 3600, 1, 86_400) * 1000,
    },
    tracing: readTracingConfig(r),
  };
  if (config.requestTimeoutMs <= routingDeadlineMs) {
    r.problem('REQUEST_TIMEOUT_MS must be longer than ROUTING_DEADLINE_MS, so provider calls finish first');
  }
  for (const origin of config.corsOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) r.problem(`CORS_ORIGINS has an invalid origin "${origin}"`);
  }
  if (config.idempotencyLeaseMs <= routingDeadlineMs) {
    r.problem(
      'IDEMPOTENCY_LEASE_MS must be longer than ROUTING_DEADLINE_MS, so a live request never loses its claim',
    );
  }
  if (!config.databaseUrl) r.problem('DATABASE_URL is required');
  r.done();
  return config;
}

/** Also read on its own by the instrumentation, which must start before the rest of the app loads. */
export function readTracingConfig(r: EnvReader): TracingConfig {
  const endpoint = r.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const disabled = r.bool('OTEL_SDK_DISABLED', false);
  return {
    enabled: endpoint !== undefined && !disabled,
    protocol: r.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf'),
    serviceName: r.string('OTEL_SERVICE_NAME', 'checkout-orchestrator'),
    sampler: r.oneOf('OTEL_TRACES_SAMPLER', TRACE_SAMPLERS, 'parentbased_always_on'),
    samplerRatio: r.number('OTEL_TRACES_SAMPLER_ARG', 1, 0, 1),
  };
}

function readRedisConfig(r: EnvReader): RedisConfig {
  const url = r.url('REDIS_URL', ['redis:', 'rediss:']);
  const clusterNodes = r.string('REDIS_CLUSTER_NODES');
  const sentinels = r.string('REDIS_SENTINELS');
  const sentinelName = r.string('REDIS_SENTINEL_NAME');
  const sentinelPassword = r.string('REDIS_SENTINEL_PASSWORD');
  const password = r.string('REDIS_PASSWORD');
  const tlsFlag = r.bool('REDIS_TLS', false);
  const caFile = r.string('REDIS_TLS_CA_FILE');

  const modes = { REDIS_URL: url, REDIS_CLUSTER_NODES: clusterNodes, REDIS_SENTINELS: sentinels };
  const set = Object.keys(modes).filter((name) => modes[name as keyof typeof modes] !== undefined);
  if (set.length === 0) r.problem('REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is required');
  if (set.length > 1)
    r.problem(`set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS (got ${set.join(', ')})`);
  if (sentinels && !sentinelName) r.problem('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS');
  if (!sentinels && sentinelName) r.problem('REDIS_SENTINEL_NAME is only used with REDIS_SENTINELS');
  if (!sentinels && sentinelPassword) r.problem('REDIS_SENTINEL_PASSWORD is only used with REDIS_SENTINELS');

  let topology: RedisTopology;
  let tls = tlsFlag;
  if (clusterNodes && set.length === 1) {
    topology = { kind: 'cluster', nodes: parseHostPorts(r, 'REDIS_CLUSTER_NODES', clusterNodes) };
  } else if (sentinels && set.length === 1) {
    topology = {
      kind: 'sentinel',
      sentinels: parseHostPorts(r, 'REDIS_SENTINELS', sentinels),
      name: sentinelName ?? '',
      sentinelPassword,
    };
  } else {
    topology = { kind: 'single', url: url ?? '' };
    const parsed = url ? safeUrl(url) : undefined;
    if (parsed) {
      tls = parsed.protocol === 'rediss:';
      if (tlsFlag && !tls) r.problem('REDIS_TLS=true needs a rediss:// REDIS_URL');
      if (password && parsed.password)
        r.problem('set the Redis password in REDIS_URL or REDIS_PASSWORD, not both');
    }
  }
  if (caFile && !tls) r.problem('REDIS_TLS_CA_FILE is set but TLS is off (use rediss:// or REDIS_TLS=true)');
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch {
      r.problem(`REDIS_TLS_CA_FILE cannot be read: ${caFile}`);
    }
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
      r.problem('REDIS_TLS_CA_FILE must hold PEM certificates');
    }
  }
  return { topology, password, tls: tls ? { ca } : undefined };
}

/** `host:port,host:port`; an IPv6 host goes in brackets: `[::1]:6379`. */
function parseHostPorts(r: EnvReader, name: string, value: string): HostPort[] {
  const nodes: HostPort[] = [];
  const entries = value.split(',').map((part) => part.trim());
  for (const entry of entries.filter(Boolean)) {
    const match = /^(?:\[([^\]]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : 0;
    if (!match || port < 1 || port > 65535) {
      r.problem(`${name} must be a comma-separated list of host:port, got "${entry}"`);
      continue;
    }
    nodes.push({ host: match[1] ?? match[2], port });
  }
  if (nodes.length === 0) r.problem(`${name} must list at least one host:port`);
  return nodes;
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((entry) => entry.trim());
}

/** DI token of the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
