import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, withSpan } from '@app/common';
import { ProviderError } from '@app/providers';
import { ExcludedRoute, ScoredCandidate } from '@app/routing';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../observability/metrics.service';
import { callProviderInSpan } from '../../providers/provider-attempt-span';
import { ProviderRegistry } from '../../providers/provider-registry';
import { explainedCandidates, PlanInput, RoutePlanner, toProviderRoute } from '../../routing/route-planner';
import { ProviderAttempt, RoutingCandidateRecord, Session } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { CreateSessionCommand } from './create-session.command';

/**
 * No route can take the order. `healthDependent` when at least one route was left
 * out for its live health (an open circuit): a later retry may find it recovered.
 */
export class NoAvailableProvider extends DomainError {
  readonly healthDependent: boolean;

  constructor(excluded: readonly ExcludedRoute[]) {
    super(
      'NO_AVAILABLE_PROVIDER',
      excluded.map(({ routeId, reason }) => ({ routeId, reason })),
    );
    this.healthDependent = excluded.some((route) => route.cause === 'health');
  }
}

export type CreationOutcome =
  | { kind: 'created'; session: Session }
  /** The same key was used before (found in Postgres): replay that session or refuse the mismatch. */
  | { kind: 'existing'; session: Session };

/**
 * Creates a session exactly once per (merchant, key) in Postgres: routes the
 * order, calls the providers in score order with failover, and inserts the
 * session with its attempts. Runs only under an idempotency claim.
 */
@Injectable()
export class SessionCreator {
  private readonly logger = new Logger('SessionCreator');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
    private readonly metrics: MetricsService,
  ) {}

  async create(command: CreateSessionCommand): Promise<CreationOutcome> {
    const now = new Date();
    const lookup = await withSpan('sessions.lookup_for_create', {}, () =>
      this.sessions.lookupForCreate(command.merchantId, command.idempotencyKey, command.orderReference, now),
    );
    if (lookup.byKey) return this.existing(command, lookup.byKey);
    if (lookup.liveOrder) throw duplicateOrder(lookup.liveOrder);

    const decision = await this.planner.plan(routingInput(command, this.config.sessionTtlSeconds), {
      probe: true,
    });
    const candidates: RoutingCandidateRecord[] = explainedCandidates(decision);
    if (decision.candidates.length === 0) throw new NoAvailableProvider(decision.excluded);

    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlSeconds * 1000);
    const attempts: ProviderAttempt[] = [];
    const result = await this.callProviders(command, decision.candidates, sessionId, expiresAt, attempts);
    if (!result) {
      await this.recordDetachedAttempts(attempts);
      throw attemptsExhausted(attempts);
    }

    const createdAt = new Date();
    const session: Session = {
      id: sessionId,
      ...orderOf(command),
      idempotencyKey: command.idempotencyKey,
      requestFingerprint: command.fingerprint,
      status: 'PENDING',
      shipping: command.shipping,
      metadata: command.additionalInformation,
      redirectUrls: command.redirectUrls,
      providerRouteId: result.candidate.routeId,
      providerAdapter: result.candidate.adapter,
      providerSessionId: result.providerSessionId,
      checkoutUrl: result.checkoutUrl,
      routingScore: result.candidate.score,
      routingCandidates: candidates,
      expiresAt,
      createdAt,
      updatedAt: createdAt,
    };
    const inserted = await withSpan(
      'sessions.insert',
      { 'sessions.attempts': attempts.length },
      () => this.sessions.insert(session, attempts),
      { onResult: (result) => ({ 'sessions.insert_result': result.kind }) },
    );
    switch (inserted.kind) {
      case 'inserted':
        return { kind: 'created', session };
      case 'duplicate_key':
        // Another execution of this key won the race (an expired lease, or a lost Redis record).
        this.logger.warn({ msg: 'idempotency race settled by Postgres', sessionId: inserted.existing.id });
        await this.recordDetachedAttempts(attempts);
        return this.existing(command, inserted.existing);
      case 'duplicate_order':
        // The provider session this run created is kept on record, though no session row points to it.
        await this.recordDetachedAttempts(attempts);
        throw duplicateOrder(inserted.existing);
    }
  }

  private existing(command: CreateSessionCommand, session: Session): CreationOutcome {
    if (session.requestFingerprint !== command.fingerprint) throw new DomainError('IDEMPOTENCY_KEY_MISMATCH');
    return { kind: 'existing', session };
  }

  private async callProviders(
    command: CreateSessionCommand,
    candidates: ScoredCandidate[],
    sessionId: string,
    expiresAt: Date,
    attempts: ProviderAttempt[],
  ): Promise<{ candidate: ScoredCandidate; providerSessionId: string; checkoutUrl: string } | null> {
    const deadline = Date.now() + this.config.routingDeadlineMs;
    for (const candidate of candidates.slice(0, this.config.routingMaxAttempts)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const route = this.planner.route(candidate.routeId);
      const adapter = route && this.providers.flow(route.adapter, 'createSession');
      if (!route || !adapter) continue;
      const attemptNo = attempts.length + 1;
      const timeoutMs = Math.min(this.config.providerTimeoutMs, remaining);
      const base = {
        sessionId,
        merchantId: command.merchantId,
        idempotencyKey: command.idempotencyKey,
        attemptNo,
        routeId: route.id,
        adapter: route.adapter,
      };
      const started = performance.now();
      try {
        const result = await callProviderInSpan(base, timeoutMs, (callOptions) =>
          adapter.createSession(
            {
              sessionId,
              idempotencyKey: providerIdempotencyKey(command, route.id, attemptNo),
              ...orderOf(command),
              additionalInformation: stringValues(command.additionalInformation),
              redirectUrls: command.redirectUrls,
              expiresAt,
              ttlSeconds: this.config.sessionTtlSeconds,
              hostedCheckoutUrl: `${this.config.checkoutBaseUrl}/checkout/${sessionId}`,
              requestId: command.requestId,
              route: toProviderRoute(route),
            },
            callOptions,
          ),
        );
        const latencyMs = elapsed(started);
        attempts.push({ ...base, outcome: 'succeeded', latencyMs });
        this.metrics.providerAttempts.observe({ route: route.id, outcome: 'succeeded' }, latencyMs / 1000);
        await this.planner.recordOutcome(route.id, true, latencyMs);
        return { candidate, ...result };
      } catch (error) {
        const failure = error as ProviderError;
        const latencyMs = elapsed(started);
        attempts.push({
          ...base,
          outcome: failure.kind,
          errorCode: failure.providerCode,
          providerStatus: failure.providerStatus,
          latencyMs,
        });
        this.metrics.providerAttempts.observe({ route: route.id, outcome: failure.kind }, latencyMs / 1000);
        if (failure.retryable) await this.planner.recordOutcome(route.id, false, latencyMs);
        this.logger.warn({
          msg: 'provider attempt failed',
          routeId: route.id,
          attemptNo,
          kind: failure.kind,
          providerStatus: failure.providerStatus,
          providerCode: failure.providerCode,
          reason: failure.message,
        });
        if (!failure.retryable) return null;
      }
    }
    return null;
  }

  /** Attempts that no inserted session carries: all failed, or a race lost after the provider answered. */
  private async recordDetachedAttempts(attempts: ProviderAttempt[]): Promise<void> {
    try {
      await this.sessions.recordAttempts(attempts);
    } catch (error) {
      this.logger.error({ msg: 'could not record provider attempts', error: String(error) });
    }
  }
}

const ORDER_FIELDS = [
  'merchantId',
  'orderReference',
  'paymentMethod',
  'currency',
  'locale',
  'totalMinor',
  'shippingMinor',
  'taxMinor',
  'items',
  'customer',
] as const satisfies ReadonlyArray<keyof CreateSessionCommand & keyof Session>;

/** The order as both the session and the provider see it. */
function orderOf(command: CreateSessionCommand): Pick<CreateSessionCommand, (typeof ORDER_FIELDS)[number]> {
  return Object.fromEntries(ORDER_FIELDS.map((field) => [field, command[field]])) as Pick<
    CreateSessionCommand,
    (typeof ORDER_FIELDS)[number]
  >;
}

export function routingInput(command: CreateSessionCommand, ttlSeconds: number): PlanInput {
  return {
    paymentMethod: command.paymentMethod,
    currency: command.currency,
    country: command.customer?.billingAddress?.country,
    amountMinor: command.totalMinor,
    redirectUrls: command.redirectUrls,
    ttlSeconds,
  };
}

function duplicateOrder(existing: Session): DomainError {
  return new DomainError('DUPLICATE_ORDER', {
    reason: 'A live session already exists for this order',
    sessionId: existing.id,
  });
}

function attemptsExhausted(attempts: ProviderAttempt[]): DomainError {
  const details = attempts.map(({ routeId, outcome }) => ({ routeId, outcome }));
  const last = attempts[attempts.length - 1];
  if (last?.outcome === 'rejected') return new DomainError('PROVIDER_REJECTED', details);
  if (attempts.length > 0 && attempts.every((a) => a.outcome === 'timeout')) {
    return new DomainError('PROVIDER_TIMEOUT', details);
  }
  return new DomainError('PROVIDER_UNAVAILABLE', details);
}

function providerIdempotencyKey(command: CreateSessionCommand, routeId: string, attemptNo: number): string {
  const digest = createHash('sha256')
    .update(`${command.merchantId}\n${command.idempotencyKey}\n${routeId}\n${attemptNo}`)
    .digest('hex');
  return `co_${digest.slice(0, 48)}`;
}

function stringValues(
  record?: Record<string, string | number | boolean>,
): Record<string, string> | undefined {
  if (!record) return undefined;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)]));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
