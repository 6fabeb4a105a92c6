import { DomainError } from '@app/common';
import type { PaymentOperationResult, PaymentStatus, RefundResult } from '@app/providers';
import {
  assertWithinCap,
  isMoneyError,
  minorToMajorNumber,
  parseMajorToMinor,
  toSafeNumber,
} from '@app/money';
import { NO_MONEY_MOVED, PaymentBalance, Session } from '../../sessions/domain/session';
import { OperationKind, OperationOutcome } from './payment-operation';

/*
 * The money rules of capture, void and refund: pure functions of the session as it stands
 * under its row lock. A refusal is a DomainError with a stable code; nothing is reserved then,
 * and no provider is called.
 */

const NOT_ALLOWED = {
  capture: 'PAYMENT_NOT_CAPTURABLE',
  void: 'PAYMENT_NOT_VOIDABLE',
  refund: 'PAYMENT_NOT_REFUNDABLE',
} as const;

/** The request's amount, in major units of the session's currency, as integer minor units; once, here. */
export function requestedMinor(amount: number, currency: string): number {
  try {
    return toSafeNumber(assertWithinCap(parseMajorToMinor(amount, currency)));
  } catch (error) {
    if (isMoneyError(error)) {
      throw new DomainError('VALIDATION_FAILED', [
        { field: 'amount', messages: [`amount: ${error.message}`] },
      ]);
    }
    throw error;
  }
}

/**
 * How much this operation moves, or why it may not: a capture takes the authorization once,
 * in full or in part; a void releases an authorization nothing was captured from; refunds give
 * back, in as many parts as wanted, what was captured and is neither refunded nor held by
 * another refund. Every one needs a COMPLETED session, and none may start while a capture or
 * a void of the payment is in flight.
 */
export function planOperation(kind: OperationKind, session: Session, amount?: number): number {
  const balance = balanceOf(session);
  const paymentStatus = session.payment?.status;
  const refuse = (reason: string): never => {
    throw new DomainError(NOT_ALLOWED[kind], { sessionStatus: session.status, paymentStatus, reason });
  };
  if (session.status !== 'COMPLETED') refuse('Only a COMPLETED session has a payment to act on');
  if (!session.payment?.transactionId) refuse('The payment has no provider transaction');
  const major = (minor: number) => minorToMajorNumber(minor, session.currency);
  const requested = amount === undefined ? undefined : requestedMinor(amount, session.currency);

  if (kind === 'refund') {
    if (balance.capturedMinor === 0) refuse('Nothing was captured');
    const refundable = balance.capturedMinor - balance.refundedMinor - balance.reservedMinor;
    const wanted = requested ?? refundable;
    if (wanted === 0 || wanted > refundable) {
      throw new DomainError('REFUND_EXCEEDS_CAPTURED', {
        requestedAmount: major(wanted),
        refundableAmount: major(refundable),
        capturedAmount: major(balance.capturedMinor),
        refundedAmount: major(balance.refundedMinor),
      });
    }
    return wanted;
  }

  if (balance.capturedMinor > 0 || paymentStatus === 'captured') {
    refuse(
      kind === 'capture' ? 'The payment was captured already' : 'The payment was captured: refund it instead',
    );
  }
  if (balance.reservedMinor > 0) refuse('A capture or a void of this payment is in progress');
  if (paymentStatus !== 'authorized') refuse(`The payment is ${paymentStatus ?? 'unknown'}, not authorized`);
  if (kind === 'void') return balance.authorizedMinor;

  const wanted = requested ?? balance.authorizedMinor;
  if (wanted > balance.authorizedMinor) {
    throw new DomainError('CAPTURE_EXCEEDS_AUTHORIZED', {
      requestedAmount: major(wanted),
      authorizedAmount: major(balance.authorizedMinor),
    });
  }
  return wanted;
}

export function balanceOf(session: Session): PaymentBalance {
  return session.balance ?? NO_MONEY_MOVED;
}

/** The balance once `amountMinor` is held for an operation in flight. */
export function reserved(balance: PaymentBalance, amountMinor: number): PaymentBalance {
  return { ...balance, reservedMinor: balance.reservedMinor + amountMinor };
}

/**
 * The balance once the provider answered: a success moves the held money where it belongs
 * (captured, refunded; a void only lets it go), a failure gives it back, and `pending` keeps
 * holding it until the provider settles.
 */
export function settled(
  kind: OperationKind,
  balance: PaymentBalance,
  amountMinor: number,
  outcome: OperationOutcome['status'],
): PaymentBalance {
  if (outcome === 'pending') return balance;
  const released = { ...balance, reservedMinor: balance.reservedMinor - amountMinor };
  if (outcome === 'failed') return released;
  if (kind === 'capture') return { ...released, capturedMinor: amountMinor };
  if (kind === 'refund') return { ...released, refundedMinor: balance.refundedMinor + amountMinor };
  return released;
}

/** What the provider's answer to a capture or a void makes of the operation. */
export function movementOutcome(kind: 'capture' | 'void', result: PaymentOperationResult): OperationOutcome {
  const done = kind === 'capture' ? 'captured' : 'voided';
  const inFlight: readonly PaymentStatus[] =
    kind === 'capture' ? ['capture_pending', 'processing'] : ['void_pending', 'processing'];
  const status =
    result.status === done ? 'succeeded' : inFlight.includes(result.status) ? 'pending' : 'failed';
  return {
    status,
    paymentStatus: result.status,
    providerStatus: result.providerStatus,
    failureCode: status === 'failed' ? `provider_left_${result.status}` : undefined,
  };
}

export function refundOutcome(result: RefundResult): OperationOutcome {
  return {
    status: result.outcome,
    providerReference: result.providerRefundId,
    providerStatus: result.providerStatus,
    failureCode: result.outcome === 'failed' ? result.failureReason : undefined,
  };
}
