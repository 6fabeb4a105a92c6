import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ProviderRoute } from '@app/providers';
import { paymentUpdate } from '../../checkout/payment-outcome';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { PeriodicTask } from '../../infrastructure/periodic-task';
import { MetricsService } from '../../observability/metrics.service';
import { callProvider } from '../../providers/provider-call';
import { ProviderRegistry } from '../../providers/provider-registry';
import { RoutePlanner, toProviderRoute } from '../../routing/route-planner';
import { Session } from '../domain/session';
import { ReconcileTask, SessionLifecycleRepository } from '../domain/session-lifecycle.repository';
import { SessionRepository } from '../domain/session.repository';
import { nextCheckDelayMs, reconcileDecision } from './reconcile-decision';

export type ReconcileOutcome = 'applied' | 'expired' | 'unchanged' | 'provider_error' | 'no_route';

/* Sessions checked at once by one instance: a slow provider holds up a few, not the pass. */
const CONCURRENCY = 4;

/**
 * Providers lose webhooks and buyers close tabs: every RECONCILE_INTERVAL_MS this
 * instance takes a batch of due sessions (stale PENDING ones, and expired ones not
 * yet closed at their provider), asks each provider where its session stands, and
 * applies what it learns through the same monotonic update as a webhook. A session
 * past its expiry is closed at the provider first; if the buyer paid, it becomes
 * COMPLETED, never EXPIRED. Leases make it safe on every instance at once.
 */
@Injectable()
export class SessionReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reconciler');
  private readonly passes = new PeriodicTask(() => this.pass(new Date()));

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly lifecycle: SessionLifecycleRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.reconcile.intervalMs <= 0) return;
    this.passes.start(this.config.reconcile.intervalMs, { immediately: false });
  }

  onModuleDestroy(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass; returns how many sessions it checked. Passes on one instance never overlap. */
  runPass(): Promise<number> {
    return this.passes.run();
  }

  private async pass(now: Date): Promise<number> {
    const { afterMs, batchSize } = this.config.reconcile;
    try {
      const tasks = await this.lifecycle.claimDue(now, {
        staleAfterMs: afterMs,
        limit: batchSize,
        // Long enough for a read and a close at the provider, each under its deadline.
        leaseMs: 2 * this.config.providerTimeoutMs + 5000,
      });
      this.metrics.reconcilerRuns.inc();
      const queue = [...tasks];
      const worker = async () => {
        for (let task = queue.shift(); task; task = queue.shift()) {
          this.metrics.reconciledSessions.inc({ outcome: await this.reconcile(task) });
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tasks.length) }, worker));
      this.metrics.reconcilerLag.set((await this.lifecycle.oldestOverdueMs(new Date(), afterMs)) / 1000);
      return tasks.length;
    } catch (error) {
      this.logger.warn({ msg: 'reconciliation pass failed', error: String(error) });
      return 0;
    }
  }

  private async reconcile({ session, checks }: ReconcileTask): Promise<ReconcileOutcome> {
    const definition = this.planner.route(session.providerRouteId);
    if (!definition) {
      await this.backOff(session, checks);
      return 'no_route';
    }
    const route = toProviderRoute(definition);
    try {
      return await this.settle(session, route, checks);
    } catch (error) {
      this.logger.warn({ msg: 'could not reconcile a session', sessionId: session.id, error: String(error) });
      await this.backOff(session, checks).catch(() => undefined);
      return 'provider_error';
    }
  }

  private async settle(session: Session, route: ProviderRoute, checks: number): Promise<ReconcileOutcome> {
    const reading = await this.read(session, route);
    const now = new Date();
    const action = reconcileDecision(session, reading, now);
    switch (action.kind) {
      case 'apply':
        await this.sessions.applyPayment(session.id, paymentUpdate(action.transaction), now);
        await this.lifecycle.recordSettled(session.id, now, true);
        return 'applied';
      case 'expire':
        await this.lifecycle.expire(session.id, now);
        await this.lifecycle.recordSettled(session.id, now, true);
        return 'expired';
      case 'close_at_provider':
        return this.closeAtProvider(session, route);
      case 'wait':
        await this.backOff(session, checks);
        return 'unchanged';
    }
  }

  /** Our session has expired but the provider's is still open: close it there; a payment that won still counts. */
  private async closeAtProvider(session: Session, route: ProviderRoute): Promise<ReconcileOutcome> {
    const closer = this.providers.flow(route.adapter, 'cancel');
    if (!closer) throw new Error(`adapter ${route.adapter} cannot close sessions`);
    const { outcome } = await callProvider(this.config.providerTimeoutMs, (options) =>
      closer.cancelSession(route, session.providerSessionId, options),
    );
    const now = new Date();
    if (outcome === 'already_paid') {
      const reading = await this.read(session, route);
      if (!reading.transaction) throw new Error('the provider says paid but shows no payment');
      await this.sessions.applyPayment(session.id, paymentUpdate(reading.transaction), now);
      await this.lifecycle.recordSettled(session.id, now, true);
      return 'applied';
    }
    await this.lifecycle.expire(session.id, now);
    await this.lifecycle.recordSettled(session.id, now, true);
    return 'expired';
  }

  private async read(session: Session, route: ProviderRoute) {
    const reader = this.providers.flow(route.adapter, 'sessionRead');
    if (!reader) throw new Error(`adapter ${route.adapter} cannot read sessions`);
    return callProvider(this.config.providerTimeoutMs, (options) =>
      reader.readSession(
        route,
        { providerSessionId: session.providerSessionId, transactionId: session.payment?.transactionId },
        options,
      ),
    );
  }

  private backOff(session: Session, checks: number): Promise<void> {
    const { afterMs, backoffMaxMs } = this.config.reconcile;
    const now = new Date();
    const next = new Date(now.getTime() + nextCheckDelayMs(checks, afterMs, backoffMaxMs));
    return this.lifecycle.recordFruitlessCheck(session.id, now, next);
  }
}
