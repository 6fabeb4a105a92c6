import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { IdempotencyRunner, IdempotentResult } from '@app/idempotency';
import { MetricsService } from '../../observability/metrics.service';
import { createdSessionView } from '../domain/session-views';
import { CreateSessionCommand } from './create-session.command';
import { NoAvailableProvider, SessionCreator } from './session-creator';

const REPLAYED = { 'Idempotent-Replayed': 'true' };

export type CreateSessionResult = IdempotentResult;

/**
 * Errors that are this key's final answer, replayed like a 201: a duplicate order,
 * and "no provider" when the catalog and the request alone decide it. "No provider"
 * because of an open circuit, or a half-open probe another request holds, depends
 * on health that may recover by the next retry: it releases the key.
 */
export function isFinalCreateError(error: unknown): boolean {
  if (error instanceof NoAvailableProvider) return !error.healthDependent;
  return error instanceof DomainError && error.code === 'DUPLICATE_ORDER';
}

/**
 * POST /api/v1/sessions under an idempotency claim: at most one session and one
 * round of provider calls per (merchant, Idempotency-Key); every retry gets the
 * first answer. Redis holds the claim and the stored answer; Postgres's unique
 * key is the durable backstop when Redis has lost the record.
 */
@Injectable()
export class CreateSessionUseCase {
  constructor(
    private readonly idempotency: IdempotencyRunner,
    private readonly creator: SessionCreator,
    private readonly metrics: MetricsService,
  ) {}

  async execute(command: CreateSessionCommand): Promise<CreateSessionResult> {
    try {
      const result = await this.idempotency.run(
        {
          operation: 'create_session',
          scope: command.merchantId,
          key: command.idempotencyKey,
          fingerprint: command.fingerprint,
          inProgressReason: 'A request with this Idempotency-Key is still being processed',
        },
        {
          execute: async () => {
            const outcome = await this.creator.create(command);
            return {
              status: 201,
              headers: {},
              body: createdSessionView(outcome.session),
              replayed: outcome.kind === 'existing',
            };
          },
          isFinal: isFinalCreateError,
        },
      );
      this.count(result);
      return result.replayed ? { ...result, headers: { ...result.headers, ...REPLAYED } } : result;
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
      this.metrics.sessionsCreated.inc({ route: 'none', outcome: code.toLowerCase() });
      throw error;
    }
  }

  private count(result: CreateSessionResult): void {
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
  }
}
