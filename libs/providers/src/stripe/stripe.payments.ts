/**
 * The Stripe adapter's money flows after checkout, through the official SDK:
 * `paymentIntents.capture` (with `amount_to_capture`), `paymentIntents.cancel` and
 * `refunds.create`, each on the client of the route that took the payment, with the
 * idempotency key the core derived from ours, under the shared deadline (the SDK
 * takes no AbortSignal: see stripe.provider.ts).
 */
import type Stripe from 'stripe';
import { withDeadline } from '../deadline';
import {
  CaptureCommand,
  CaptureFlow,
  PaymentOperationCommand,
  PaymentOperationResult,
  ProviderCallOptions,
  ProviderError,
  ProviderRoute,
  RefundCommand,
  RefundFlow,
  RefundResult,
  VoidFlow,
} from '../provider.port';
import { classifyStripeFailure, toStripeUnitAmount } from './stripe.mapper';
import { toOperationResult, toRefundResult, toStripeRefundParams } from './stripe.payments.mapper';

/** What the adapter lends these flows: its SDK client per route, and its per-request SDK timeout. */
export interface StripePaymentsDeps {
  /** Throws an Error naming the route when its key or API base is unusable. */
  clientFor(route: ProviderRoute): Stripe;
  sdkTimeout(timeoutMs: number): number;
}

export class StripePayments implements CaptureFlow, VoidFlow, RefundFlow {
  constructor(private readonly deps: StripePaymentsDeps) {}

  async capture(command: CaptureCommand, options: ProviderCallOptions): Promise<PaymentOperationResult> {
    const client = this.client(command.route);
    const params = {
      amount_to_capture: toStripeUnitAmount(command.amountMinor, command.currency, 'the capture amount'),
    };
    return this.call(options, async () =>
      toOperationResult(
        await client.paymentIntents.capture(
          command.transactionId,
          params,
          this.requestOptions(command, options),
        ),
      ),
    );
  }

  async voidAuthorization(
    command: PaymentOperationCommand,
    options: ProviderCallOptions,
  ): Promise<PaymentOperationResult> {
    const client = this.client(command.route);
    return this.call(options, async () =>
      toOperationResult(
        await client.paymentIntents.cancel(command.transactionId, {}, this.requestOptions(command, options)),
      ),
    );
  }

  async refund(command: RefundCommand, options: ProviderCallOptions): Promise<RefundResult> {
    const client = this.client(command.route);
    const params = toStripeRefundParams(command);
    return this.call(options, async () =>
      toRefundResult(await client.refunds.create(params, this.requestOptions(command, options))),
    );
  }

  private client(route: ProviderRoute): Stripe {
    try {
      return this.deps.clientFor(route);
    } catch (error) {
      // validateRouteOptions ran at start, so this is a catalog/config mismatch.
      throw new ProviderError('rejected', (error as Error).message, undefined, 'invalid_route_options');
    }
  }

  private requestOptions(
    command: PaymentOperationCommand,
    options: ProviderCallOptions,
  ): Stripe.RequestOptions {
    return { idempotencyKey: command.idempotencyKey, timeout: this.deps.sdkTimeout(options.timeoutMs) };
  }

  private call<T>(options: ProviderCallOptions, call: () => Promise<T>): Promise<T> {
    return withDeadline(options, call, (error, { timedOut }) => classifyStripeFailure(error, { timedOut }));
  }
}
