/**
 * The Gr4vy adapter's money flows after checkout: `POST /transactions/{id}/capture`,
 * `/void` and `/refunds`, through the SDK's standalone functions (see gr4vy.provider.ts
 * on why standalone), each with the idempotency key the core derived from ours and
 * the merchant account of the route that created the transaction.
 */
import type { Gr4vyCore } from '@gr4vy/sdk/core';
import { transactionsCapture } from '@gr4vy/sdk/funcs/transactionsCapture';
import { transactionsRefundsCreate } from '@gr4vy/sdk/funcs/transactionsRefundsCreate';
import { transactionsVoid } from '@gr4vy/sdk/funcs/transactionsVoid';
import type { RequestOptions } from '@gr4vy/sdk/lib/sdks';
import type {
  CaptureCommand,
  CaptureFlow,
  PaymentOperationCommand,
  PaymentOperationResult,
  ProviderCallOptions,
  ProviderRoute,
  RefundCommand,
  RefundFlow,
  RefundResult,
  VoidFlow,
} from '../provider.port';
import {
  toGr4vyCaptureCreate,
  toGr4vyRefundCreate,
  toOperationResult,
  toRefundResult,
} from './gr4vy.payments.mapper';

type SdkResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What the adapter lends these flows: its transactions.write client and its one way of calling the SDK. */
export interface Gr4vyPaymentsDeps {
  client(): Gr4vyCore;
  merchantAccountId(route: ProviderRoute): string | undefined;
  /** One SDK call under the shared deadline, classified as every Gr4vy failure is. */
  invoke<T>(
    options: ProviderCallOptions,
    requestId: string | undefined,
    call: (requestOptions: RequestOptions) => Promise<SdkResult<T>>,
  ): Promise<T>;
}

export class Gr4vyPayments implements CaptureFlow, VoidFlow, RefundFlow {
  constructor(private readonly deps: Gr4vyPaymentsDeps) {}

  async capture(command: CaptureCommand, options: ProviderCallOptions): Promise<PaymentOperationResult> {
    const answer = await this.deps.invoke(options, command.requestId, (requestOptions) =>
      transactionsCapture(
        this.deps.client(),
        {
          transactionId: command.transactionId,
          merchantAccountId: this.deps.merchantAccountId(command.route),
          idempotencyKey: command.idempotencyKey,
          transactionCaptureCreate: toGr4vyCaptureCreate(command.amountMinor),
        },
        requestOptions,
      ),
    );
    return toOperationResult(answer);
  }

  async voidAuthorization(
    command: PaymentOperationCommand,
    options: ProviderCallOptions,
  ): Promise<PaymentOperationResult> {
    const answer = await this.deps.invoke(options, command.requestId, (requestOptions) =>
      transactionsVoid(
        this.deps.client(),
        command.transactionId,
        undefined,
        this.deps.merchantAccountId(command.route),
        command.idempotencyKey,
        requestOptions,
      ),
    );
    return toOperationResult(answer);
  }

  async refund(command: RefundCommand, options: ProviderCallOptions): Promise<RefundResult> {
    const refund = await this.deps.invoke(options, command.requestId, (requestOptions) =>
      transactionsRefundsCreate(
        this.deps.client(),
        toGr4vyRefundCreate(command),
        command.transactionId,
        this.deps.merchantAccountId(command.route),
        command.idempotencyKey,
        requestOptions,
      ),
    );
    return toRefundResult(refund);
  }
}
