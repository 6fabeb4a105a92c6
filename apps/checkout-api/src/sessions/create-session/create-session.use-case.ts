import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, toErrorResponse, withSpan } from '@app/common';
import { IdempotencyStore, StoredResponse } from '@app/idempotency';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { failClosed } from '../../infrastructure/availability';
import { MetricsService } from '../../observability/metrics.service';
import { createdSessionView } from '../domain/session-views';
import { CreateSessionCommand } from './create-session.command';
import { SessionCreator } from './session-creator';

/** Deterministic business outcomes: stored and replayed like a 201. Anything else transient is released. */
const STORED_ERRORS: ReadonlySet<ErrorCode> = new Set(['NO_AVAILABLE_PROVIDER', 'DUPLICATE_ORDER']);
const REPLAYED = { 'Idempotent-Replayed': 'true' };
const IDEMPOTENCY_OUTCOMES = {
  claimed: 'new',
  mismatch: 'mismatch',
  in_progress: 'conflict',
  completed: 'replay',
} as const;

export interface CreateSessionResult extends StoredResponse {
  replayed: boolean;
}

/**
 * POST /api/v1/sessions under an idempotency claim: at most one session and one
 * round of provider calls per (merchant, Idempotency-Key); every retry gets the
 * first answer. Redis holds the claim and the stored answer; Postgres's unique
 * key is the durable backstop when Redis has lost the record.
 */
@Injectable()
export class CreateSessionUseCase {
  private readonly logger = new Logger('CreateSession');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly idempotency: IdempotencyStore,
    private readonly creator: SessionCreator,
    private readonly metrics: MetricsService,
  ) {}

  async execute(command: CreateSessionCommand): Promise<CreateSessionResult> {
    try {
      const result = await this.claimAndRun(command);
      const body = result.body as { routing?: { selectedProvider?: string }; code?: string };
      this.metrics.sessionsCreated.inc({
        route: body.routing?.selectedProvider ?? 'none',
        outcome:
          result.status === 201
            ? result.replayed
              ? 'replayed'
              : 'created'
            : (body.code ?? 'error').toLowerCase(),
      });
      return result;
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
      this.metrics.sessionsCreated.inc({ route: 'none', outcome: code.toLowerCase() });
      throw error;
    }
  }

  private async claimAndRun(command: CreateSessionCommand): Promise<CreateSessionResult> {
    const owner = randomUUID();
    const claim = await withSpan(
      'idempotency.claim',
      { 'idempotency.endpoint': 'create_session' },
      () =>
        failClosed(() =>
          this.idempotency.claim({
            scope: command.merchantId,
            key: command.idempotencyKey,
            fingerprint: command.fingerprint,
            owner,
            leaseMs: this.config.idempotencyLeaseMs,
          }),
        ),
      { onResult: (result) => ({ 'idempotency.outcome': result.kind }) },
    );
    this.metrics.idempotency.inc({ outcome: IDEMPOTENCY_OUTCOMES[claim.kind] });
    switch (claim.kind) {
      case 'mismatch':
        throw new DomainError('IDEMPOTENCY_KEY_MISMATCH');
      case 'in_progress':
        throw new DomainError(
          'IDEMPOTENCY_KEY_IN_USE',
          { reason: 'A request with this Idempotency-Key is still being processed' },
          { 'Retry-After': String(Math.min(claim.retryAfterSeconds, 5)) },
        );
      case 'completed':
        return { ...claim.response, headers: { ...claim.response.headers, ...REPLAYED }, replayed: true };
      case 'claimed':
        return this.runClaimed(command, owner);
    }
  }

  private async runClaimed(command: CreateSessionCommand, owner: string): Promise<CreateSessionResult> {
    let response: StoredResponse;
    let replayed = false;
    try {
      const outcome = await this.creator.create(command);
      response = { status: 201, headers: {}, body: createdSessionView(outcome.session) };
      replayed = outcome.kind === 'existing';
    } catch (error) {
      if (!(error instanceof DomainError && STORED_ERRORS.has(error.code))) {
        await this.release(command, owner);
        throw error;
      }
      const { status, body } = toErrorResponse(error);
      response = { status, headers: {}, body };
    }
    await this.complete(command, owner, response);
    return { ...response, headers: replayed ? REPLAYED : {}, replayed };
  }

  /* The answer is already durable (or deterministic); failing to store it in Redis only costs a Postgres lookup on retry. */
  private async complete(
    command: CreateSessionCommand,
    owner: string,
    response: StoredResponse,
  ): Promise<void> {
    try {
      const stored = await this.idempotency.complete(
        command.merchantId,
        command.idempotencyKey,
        owner,
        response,
        this.config.idempotencyTtlSeconds,
      );
      if (!stored) this.logger.warn({ msg: 'idempotency claim lost before completion' });
    } catch (error) {
      this.logger.warn({ msg: 'could not store idempotent response', error: String(error) });
    }
  }

  private async release(command: CreateSessionCommand, owner: string): Promise<void> {
    try {
      await this.idempotency.release(command.merchantId, command.idempotencyKey, owner);
      this.metrics.idempotency.inc({ outcome: 'released' });
    } catch (error) {
      // The lease will lapse by itself; until then a retry is told the key is in use.
      this.logger.warn({ msg: 'could not release idempotency claim', error: String(error) });
    }
  }
}
