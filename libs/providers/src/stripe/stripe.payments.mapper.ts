/**
 * Pure translation for the money flows after checkout: Stripe's PaymentIntent and
 * Refund statuses → ours, and our refund command → `refunds.create` parameters. No I/O.
 */
import type Stripe from 'stripe';
import {
  PaymentOperationResult,
  ProviderError,
  RefundCommand,
  RefundOutcome,
  RefundResult,
} from '../provider.port';
import { STRIPE_METADATA_VALUE_MAX, toStripeUnitAmount } from './stripe.mapper';
import { stripePaymentStatus } from './stripe.sessions';

/** Where the payment stands after a capture or a cancel; a status Stripe does not document is a server failure. */
export function toOperationResult(intent: Pick<Stripe.PaymentIntent, 'status'>): PaymentOperationResult {
  const status = stripePaymentStatus(intent.status);
  if (status === undefined) {
    throw new ProviderError(
      'server',
      `Stripe answered an undocumented PaymentIntent status "${String(intent.status).slice(0, 64)}"`,
      undefined,
      'invalid_response',
    );
  }
  return { status, providerStatus: intent.status };
}

/** A Refund's status → ours: pending and requires_action are not final; failed and canceled gave nothing back. */
export function stripeRefundOutcome(status: string | null): RefundOutcome {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed' || status === 'canceled') return 'failed';
  return 'pending';
}

export function toRefundResult(
  refund: Pick<Stripe.Refund, 'id' | 'status' | 'failure_reason'>,
): RefundResult {
  const outcome = stripeRefundOutcome(refund.status);
  const result: RefundResult = {
    providerRefundId: refund.id,
    outcome,
    providerStatus: refund.status ?? 'pending',
  };
  if (outcome === 'failed') result.failureReason = refund.failure_reason ?? refund.status ?? undefined;
  return result;
}

/**
 * `refunds.create` for our refund: the amount in Stripe's unit for the currency (see
 * toStripeUnitAmount, which refuses what Stripe cannot take), our refund id and the
 * merchant's reason as metadata (Stripe's own `reason` is an enum of three words).
 */
export function toStripeRefundParams(command: RefundCommand): Stripe.RefundCreateParams {
  const metadata: Record<string, string> = { refundId: command.refundId };
  const reason = command.reason?.trim();
  if (reason) metadata.reason = reason.slice(0, STRIPE_METADATA_VALUE_MAX);
  return {
    payment_intent: command.transactionId,
    amount: toStripeUnitAmount(command.amountMinor, command.currency, 'the refund amount'),
    metadata,
  };
}
