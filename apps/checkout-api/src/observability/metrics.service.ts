import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitState } from '@app/routing';

export type IdempotencyOutcome = 'new' | 'replay' | 'conflict' | 'mismatch' | 'released';

const CIRCUIT_VALUES: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/** Every metric the service exports, in one registry served at GET /metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly sessionsCreated = new Counter({
    name: 'checkout_sessions_total',
    help: 'Session create outcomes by selected route (or "none") and outcome',
    labelNames: ['route', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerAttempts = new Histogram({
    name: 'provider_attempt_duration_seconds',
    help: 'Provider call latency by route and outcome',
    labelNames: ['route', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly idempotency = new Counter({
    name: 'idempotency_requests_total',
    help: 'Idempotency outcomes: new claim, replay, conflict (in progress), mismatch, released',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly reconcilerRuns = new Counter({
    name: 'reconciler_runs_total',
    help: 'Reconciliation passes run by this instance',
    registers: [this.registry],
  });

  readonly reconciledSessions = new Counter({
    name: 'reconciler_sessions_total',
    help: 'Sessions checked at their provider by outcome: applied, expired, unchanged, provider_error, no_route',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly reconcilerLag = new Gauge({
    name: 'reconciler_lag_seconds',
    help: 'Age of the oldest PENDING session overdue for a check at its provider (0 when none is)',
    registers: [this.registry],
  });

  readonly circuit = new Gauge({
    name: 'route_circuit_state',
    help: 'Circuit state per route as last seen by this instance: 0 closed, 1 half-open, 2 open',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  setCircuit(route: string, state: CircuitState): void {
    this.circuit.set({ route }, CIRCUIT_VALUES[state]);
  }

  /** Gauges read at scrape time (pool, connection and route state). */
  addCollectedGauge(
    name: string,
    help: string,
    labelNames: string[],
    read: (gauge: Gauge) => void | Promise<void>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        return read(this);
      },
    });
  }
}
