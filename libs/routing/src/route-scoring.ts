import { RouteDefinition } from './catalog';

export interface RoutingRequest {
  paymentMethod: string;
  currency: string;
  /** Buyer billing country, when known. */
  country?: string;
  amountMinor: number;
}

/** Live health of a route over the recent window. */
export interface RouteStats {
  successes: number;
  failures: number;
  /** EWMA of successful call latency, ms; undefined before the first observation. */
  latencyEwmaMs?: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface ScoreFactors {
  /** Success rate with the prior applied, 0..1. */
  successRate: number;
  /** 0..1, 1 is instant. */
  latency: number;
  /** 0..1, 1 is free. */
  fee: number;
  /** 0..1 from the configured priority. */
  priority: number;
}

export interface ScoredCandidate {
  routeId: string;
  adapter: string;
  eligible: true;
  score: number;
  factors: ScoreFactors;
  feeMinor: number;
}

/**
 * Why a route was left out: `request` when the catalog and the request alone decide
 * it (currency, method, country, limits, an adapter's own rule), so that the same
 * request is always refused the same way; `health` when it depends on the route's
 * live state (an open circuit), which may have changed by the next attempt.
 */
export type ExclusionCause = 'request' | 'health';

export interface ExcludedRoute {
  routeId: string;
  adapter: string;
  eligible: false;
  reason: string;
  cause: ExclusionCause;
}

export interface RoutingDecision {
  /** Eligible routes, best first. */
  candidates: ScoredCandidate[];
  excluded: ExcludedRoute[];
}

/**
 * The documented weights of the score (sum 1). Success dominates: a route that
 * fails is worse than a slow or dear one.
 */
export const SCORE_WEIGHTS = { successRate: 0.5, latency: 0.2, fee: 0.2, priority: 0.1 } as const;
/** Beta prior: a new route starts as if it had PRIOR_SUCCESSES of PRIOR_TOTAL calls succeed. */
export const PRIOR_SUCCESSES = 9;
export const PRIOR_TOTAL = 10;
/** Latency at which the latency factor reaches 0, and the latency assumed before any observation. */
export const LATENCY_CEILING_MS = 2000;
export const PRIOR_LATENCY_MS = 300;
/** A fee of this share of the amount or more scores 0. */
export const FEE_CEILING_RATIO = 0.05;
export const DEFAULT_PRIORITY = 50;

export interface RoutingInput {
  request: RoutingRequest;
  routes: readonly RouteDefinition[];
  stats: ReadonlyMap<string, RouteStats>;
  circuits: ReadonlyMap<string, CircuitState>;
  /** Adapter-specific eligibility (e.g. a route that needs redirect URLs). */
  adapterIneligibility?: (route: RouteDefinition) => string | null;
}

/** Why the catalog and the request alone rule this route out, or null. */
export function ineligibilityReason(route: RouteDefinition, request: RoutingRequest): string | null {
  if (!route.enabled) return 'route disabled';
  if (!route.paymentMethods.includes(request.paymentMethod)) {
    return `payment method ${request.paymentMethod} not supported`;
  }
  if (!route.currencies.includes(request.currency)) return `currency ${request.currency} not supported`;
  if (route.countries && route.countries.length > 0) {
    if (!request.country) return 'billing country required by route';
    if (!route.countries.includes(request.country)) return `country ${request.country} not supported`;
  }
  const limit = route.limits?.[request.currency];
  if (limit?.minMinor !== undefined && request.amountMinor < limit.minMinor) {
    return `amount below route minimum ${limit.minMinor}`;
  }
  if (limit?.maxMinor !== undefined && request.amountMinor > limit.maxMinor) {
    return `amount above route maximum ${limit.maxMinor}`;
  }
  return null;
}

/** Fee in minor units, rounded half up; integer arithmetic on basis points of a percent. */
export function feeMinor(route: RouteDefinition, request: RoutingRequest): number {
  const percentBp = Math.round((route.fees?.percent ?? 0) * 100);
  const variable = (BigInt(request.amountMinor) * BigInt(percentBp) + 5000n) / 10000n;
  return Number(variable) + (route.fees?.fixedMinor?.[request.currency] ?? 0);
}

export function scoreFactors(
  route: RouteDefinition,
  request: RoutingRequest,
  stats?: RouteStats,
): ScoreFactors {
  const successes = stats?.successes ?? 0;
  const total = successes + (stats?.failures ?? 0);
  const successRate = (successes + PRIOR_SUCCESSES) / (total + PRIOR_TOTAL);
  const latencyMs = Math.min(stats?.latencyEwmaMs ?? PRIOR_LATENCY_MS, LATENCY_CEILING_MS);
  const latency = 1 - latencyMs / LATENCY_CEILING_MS;
  const fee =
    request.amountMinor === 0
      ? 1
      : 1 - Math.min(feeMinor(route, request) / request.amountMinor / FEE_CEILING_RATIO, 1);
  const priority = Math.min(Math.max(route.priority ?? DEFAULT_PRIORITY, 0), 100) / 100;
  return { successRate, latency, fee, priority };
}

/** 0..100 with one decimal: the weighted sum of the factors. */
export function scoreOf(factors: ScoreFactors): number {
  const weighted =
    SCORE_WEIGHTS.successRate * factors.successRate +
    SCORE_WEIGHTS.latency * factors.latency +
    SCORE_WEIGHTS.fee * factors.fee +
    SCORE_WEIGHTS.priority * factors.priority;
  return Math.round(weighted * 1000) / 10;
}

/**
 * The routing decision, a pure function: eligible routes ordered by score, ties
 * broken by priority and then by catalog order; every other route with its reason.
 */
export function decideRoutes(input: RoutingInput): RoutingDecision {
  const scored: Array<ScoredCandidate & { order: number; priorityValue: number }> = [];
  const excluded: ExcludedRoute[] = [];
  input.routes.forEach((route, order) => {
    const staticReason =
      ineligibilityReason(route, input.request) ?? input.adapterIneligibility?.(route) ?? null;
    if (staticReason) {
      excluded.push({
        routeId: route.id,
        adapter: route.adapter,
        eligible: false,
        reason: staticReason,
        cause: 'request',
      });
      return;
    }
    if ((input.circuits.get(route.id) ?? 'closed') === 'open') {
      excluded.push({
        routeId: route.id,
        adapter: route.adapter,
        eligible: false,
        reason: 'circuit open',
        cause: 'health',
      });
      return;
    }
    const factors = scoreFactors(route, input.request, input.stats.get(route.id));
    scored.push({
      routeId: route.id,
      adapter: route.adapter,
      eligible: true,
      score: scoreOf(factors),
      factors,
      feeMinor: feeMinor(route, input.request),
      order,
      priorityValue: route.priority ?? DEFAULT_PRIORITY,
    });
  });
  scored.sort((a, b) => b.score - a.score || b.priorityValue - a.priorityValue || a.order - b.order);
  return {
    candidates: scored.map(({ order: _order, priorityValue: _priority, ...candidate }) => candidate),
    excluded,
  };
}
