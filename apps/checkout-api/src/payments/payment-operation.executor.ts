import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, isUuid } from '@app/common';
import { IdempotencyRunner, IdempotentResult, StoredResponse } from '@app/idempotency';
import { PaymentOperationCommand, ProviderError, ProviderRoute } from '@app/providers';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { callProviderInSpan } from '../providers/provider-attempt-span';
import { providerFailureError } from '../providers/provider-failure';
import { ProviderRegistry } from '../providers/provider-registry';
import { RoutePlanner, toProviderRoute } from '../routing/route-planner';
import { Session } from '../sessions/domain/session';
import { paymentView } from '../sessions/domain/session-views';
import { PaymentLedgerRepository } from './domain/payment-ledger.repository';
import { OperationKind, OperationOutcome, PaymentOperation } from './domain/payment-operation';
import { movementOutcome, planOperation, refundOutcome } from './domain/payment-rules';

export interface OperationInput {
  merchantId: string;
  sessionId: string;
  idempotencyKey: string;
  /** Method, route and body of the request: the identity of the request under its key. */
  fingerprint: string;
  /** Major units of the session's currency; absent means all that is left to move. */
  amount?: number;
  reason?: string;
  requestId?: string;
}

/** Where one operation ended: the session and the operation as stored afterwards. */
export interface OperationResult {
  session: Session;
  operation: PaymentOperation;
}

/* Answers that the request and the payment's state decide: stored and replayed like a success. */
const FINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'PAYMENT_NOT_CAPTURABLE',
  'CAPTURE_EXCEEDS_AUTHORIZED',
  'PAYMENT_NOT_VOIDABLE',
  'PAYMENT_NOT_REFUNDABLE',
  'REFUND_EXCEEDS_CAPTURED',
]);

export function isFinalPaymentError(error: unknown): boolean {
  return error instanceof DomainError && FINAL_CODES.has(error.code);
}

const REPLAYED = { 'Idempotent-Replayed': 'true' };

/**
 * One capture, void or refund, the same way whichever provider took the payment: under the
 * idempotency runner (scoped per merchant; the route is in the fingerprint, so a key reused on
 * another endpoint is a 422, never another endpoint's answer), the amount checked and held
 * under the session's row lock, then the provider asked with a key derived from ours, then
 * its answer settled. A failure the provider answered gives the money back; a timeout or a
 * lost connection keeps it held, since the provider may have acted: a retry with the same
 * Idempotency-Key asks again with the same provider key and settles it.
 */
@Injectable()
export class PaymentOperationExecutor {
  private readonly logger = new Logger('PaymentOperations');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ledger: PaymentLedgerRepository,
    private readonly providers: ProviderRegistry,
    private readonly planner: RoutePlanner,
    private readonly idempotency: IdempotencyRunner,
  ) {}

  async run(
    kind: OperationKind,
    input: OperationInput,
    respond: (result: OperationResult) => Promise<StoredResponse>,
  ): Promise<IdempotentResult> {
    const result = await this.idempotency.run(
      {
        operation: `${kind}_payment`,
        scope: input.merchantId,
        key: input.idempotencyKey,
        fingerprint: input.fingerprint,
        inProgressReason: `A ${kind} with this Idempotency-Key is still being processed`,
      },
      {
        execute: async () => {
          const { result: done, replayed } = await this.once(kind, input);
          return { ...(await respond(done)), replayed };
        },
        isFinal: isFinalPaymentError,
      },
    );
    return result.replayed ? { ...result, headers: { ...result.headers, ...REPLAYED } } : result;
  }

  /** A capture or a void: 200 with the payment as it stands afterwards. */
  movePayment(kind: 'capture' | 'void', input: OperationInput): Promise<IdempotentResult> {
    return this.run(kind, input, async ({ session }) => {
      const refunds = await this.ledger.refundsOf([session.id]);
      return { status: 200, headers: {}, body: paymentView(session, refunds.get(session.id) ?? []) };
    });
  }

  private async once(
    kind: OperationKind,
    input: OperationInput,
  ): Promise<{ result: OperationResult; replayed: boolean }> {
    if (!isUuid(input.sessionId)) throw new DomainError('NOT_FOUND');
    const reservation = await this.ledger.reserve(
      {
        kind,
        merchantId: input.merchantId,
        sessionId: input.sessionId.toLowerCase(),
        idempotencyKey: input.idempotencyKey,
        reason: input.reason,
        plan: (session) => planOperation(kind, session, input.amount),
      },
      new Date(),
    );
    if (!reservation) throw new DomainError('NOT_FOUND');
    const { session, operation, callProvider } = reservation;
    // Postgres already holds this key's operation with the provider's answer (Redis had lost the claim).
    if (!callProvider) return { result: { session, operation }, replayed: true };
    return { result: await this.callAndSettle(session, operation, input.requestId), replayed: false };
  }

  private async callAndSettle(
    session: Session,
    operation: PaymentOperation,
    requestId: string | undefined,
  ): Promise<OperationResult> {
    const definition = this.planner.route(session.providerRouteId);
    const route = definition ? toProviderRoute(definition) : undefined;
    if (!route) {
      // The catalog no longer has the route that took the payment: nothing can be asked of it.
      await this.ledger.settle(
        operation.id,
        { status: 'failed', failureCode: 'route_unavailable' },
        new Date(),
      );
      throw new DomainError('PROVIDER_UNAVAILABLE');
    }
    let outcome: OperationOutcome;
    try {
      outcome = await this.ask(route, session, operation, requestId);
    } catch (error) {
      const failure = error as ProviderError;
      this.logger.warn({
        msg: `${operation.kind} call failed`,
        routeId: route.id,
        operationId: operation.id,
        kind: failure.kind,
        reason: failure.message,
      });
      if (answeredByProvider(failure)) {
        await this.ledger.settle(
          operation.id,
          { status: 'failed', failureCode: failure.providerCode ?? failure.kind },
          new Date(),
        );
      }
      throw providerFailureError(failure);
    }
    return this.ledger.settle(operation.id, outcome, new Date());
  }

  /** Calls the route's flow for the operation; every failure escapes as a ProviderError. */
  private async ask(
    route: ProviderRoute,
    session: Session,
    operation: PaymentOperation,
    requestId: string | undefined,
  ): Promise<OperationOutcome> {
    const command: PaymentOperationCommand = {
      route,
      transactionId: session.payment?.transactionId ?? '',
      currency: session.currency,
      idempotencyKey: providerIdempotencyKey(operation),
      requestId,
    };
    const attempt = { routeId: route.id, adapter: route.adapter, attemptNo: operation.attempt };
    const timeoutMs = this.config.providerTimeoutMs;
    switch (operation.kind) {
      case 'capture': {
        const flow = this.flow(route, 'capture');
        const result = await callProviderInSpan(attempt, timeoutMs, (options) =>
          flow.capture({ ...command, amountMinor: operation.amountMinor }, options),
        );
        return movementOutcome('capture', result);
      }
      case 'void': {
        const flow = this.flow(route, 'void');
        const result = await callProviderInSpan(attempt, timeoutMs, (options) =>
          flow.voidAuthorization(command, options),
        );
        return movementOutcome('void', result);
      }
      case 'refund': {
        const flow = this.flow(route, 'refund');
        const result = await callProviderInSpan(attempt, timeoutMs, (options) =>
          flow.refund(
            {
              ...command,
              amountMinor: operation.amountMinor,
              refundId: operation.id,
              reason: operation.reason,
            },
            options,
          ),
        );
        return refundOutcome(result);
      }
    }
  }

  /* Every route has the money flows: the catalog refuses at start a route whose adapter lacks one. */
  private flow<F extends OperationKind>(route: ProviderRoute, name: F) {
    const flow = this.providers.flow(route.adapter, name);
    if (!flow) throw new ProviderError('rejected', `adapter ${route.adapter} cannot ${name}`);
    return flow;
  }
}

/**
 * The provider said it did not act (a refusal, a 429, a 503): the held money is free again.
 * Anything else (a timeout, a lost connection, a 500, 502 or 504, an answer we could not read)
 * may hide an operation that happened, so the money stays held until a retry learns the outcome.
 */
function answeredByProvider(failure: ProviderError): boolean {
  return (
    failure.kind === 'rejected' ||
    failure.kind === 'rate_limited' ||
    (failure.kind === 'server' && failure.providerStatus === 503)
  );
}

/**
 * Stable per (merchant, session, operation, our key, attempt): a retry of a call whose outcome is
 * unknown reaches the provider with the same key, and one after a definite failure with a new one.
 */
export function providerIdempotencyKey(operation: PaymentOperation): string {
  const identity = [
    operation.kind,
    operation.merchantId,
    operation.sessionId,
    operation.idempotencyKey,
    operation.attempt,
  ];
  return `${operation.kind}_${createHash('sha256').update(identity.join('\n')).digest('hex').slice(0, 48)}`;
}
