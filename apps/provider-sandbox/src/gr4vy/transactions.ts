import { randomUUID } from 'node:crypto';
import { isExpired, luhnValid, expiryMonthValid, toStoredCard } from './card';
import { gr4vyError, type Gr4vyError } from './errors';
import { TRANSACTION_SUMMARY_FIELDS, type TransactionCreateBody } from './schemas';
import type { Gr4vyState, StoredPaymentMethod, TransactionView } from './state';

/** The payment service reported when neither the request nor the session names one. */
export const DEFAULT_PAYMENT_SERVICE_ID = '2f4c3e7a-8b1d-4f6e-9a5c-0d3b7e1f6a28';

type Result = { status: 201; body: TransactionView } | { status: 400; body: Gr4vyError };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Gr4vy's reconciliation_id: the transaction UUID in base62. */
export function base62Uuid(uuid: string): string {
  let n = BigInt(`0x${uuid.replace(/-/g, '')}`);
  if (n === 0n) return '0';
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

function badRequest(message: string, pointer: string): Result {
  return {
    status: 400,
    body: gr4vyError(400, message, {
      details: [{ location: 'body', pointer, message, type: 'value_error' }],
    }),
  };
}

interface Resolved {
  paymentMethod: StoredPaymentMethod;
  /** payment_method.redirect_url of the request (card and checkout-session variants). */
  redirectUrl: string | null;
  checkoutSessionId: string | null;
  sessionPaymentServiceId: string | null;
  sessionFields: Record<string, unknown>;
}

function redirectUrlOf(pm: object): string | null {
  return 'redirect_url' in pm && typeof pm.redirect_url === 'string' ? pm.redirect_url : null;
}

function resolvePaymentMethod(state: Gr4vyState, body: TransactionCreateBody): Resolved | Result {
  const pm = body.payment_method;
  if (pm === undefined || pm === null) {
    return badRequest(
      'payment_method is required: the sandbox simulates card and checkout-session payments',
      '/payment_method',
    );
  }
  if (pm.method === 'checkout-session' && 'id' in pm && typeof pm.id === 'string') {
    const session = state.liveSession(pm.id);
    if (!session)
      return badRequest('The checkout session could not be found or has expired', '/payment_method/id');
    if (!session.paymentMethod) {
      return badRequest(
        'The checkout session has no payment method stored (call the fields endpoint first)',
        '/payment_method/id',
      );
    }
    return {
      paymentMethod: session.paymentMethod,
      redirectUrl: redirectUrlOf(pm),
      checkoutSessionId: session.id,
      sessionPaymentServiceId: session.fields.payment_service_id ?? null,
      sessionFields: session.fields,
    };
  }
  if (pm.method === 'card' && 'number' in pm && typeof pm.number === 'string' && 'expiration_date' in pm) {
    if (!luhnValid(pm.number)) return badRequest('The card number is not valid', '/payment_method/number');
    const expiration = String(pm.expiration_date);
    if (!expiryMonthValid(expiration)) {
      return badRequest('The expiration date is not valid', '/payment_method/expiration_date');
    }
    return {
      paymentMethod: toStoredCard(pm.number, expiration),
      redirectUrl: redirectUrlOf(pm),
      checkoutSessionId: null,
      sessionPaymentServiceId: null,
      sessionFields: {},
    };
  }
  return badRequest(
    `Payment method '${String(pm.method)}' is not simulated by the sandbox`,
    '/payment_method/method',
  );
}

export interface CreateTransactionOptions {
  /** Origin the sandbox was reached at (e.g. 'http://127.0.0.1:4010'); approval URLs point there. */
  origin: string;
  now?: Date;
}

/** The buyer-facing page of a `buyer_approval_pending` transaction (gr4vy/approval.ts). */
export function approvalUrl(origin: string, transactionId: string): string {
  return `${origin}/approve/${transactionId}`;
}

/**
 * Creates a transaction from a validated body, applying the simulator's outcome rules.
 * The caller stores nothing else: the transaction (and, for the approval card, its
 * pending approval) is saved in `state` here.
 */
export function createTransaction(
  state: Gr4vyState,
  body: TransactionCreateBody,
  merchantAccountId: string,
  options: CreateTransactionOptions,
): Result {
  const now = options.now ?? new Date();
  const resolved = resolvePaymentMethod(state, body);
  if ('status' in resolved) return resolved;
  const { paymentMethod } = resolved;
  const intent = body.intent ?? 'authorize';

  let outcome = paymentMethod.outcome;
  let errorCode: string | null = null;
  let rawCode = '00';
  let rawDescription = 'Approved';
  if (
    paymentMethod.method === 'card' &&
    (outcome === 'approve' || outcome === 'approval') &&
    isExpired(paymentMethod.expirationDate, now)
  ) {
    outcome = 'decline';
    errorCode = 'expired_payment_method';
    rawCode = '54';
    rawDescription = 'Expired card';
  } else if (outcome === 'decline') {
    errorCode = 'insufficient_funds';
    rawCode = '51';
    rawDescription = 'Insufficient funds';
  } else if (outcome === 'fail') {
    errorCode = 'service_error';
    rawCode = '96';
    rawDescription = 'System malfunction';
  }
  const pendingApproval = outcome === 'approval';

  const status =
    outcome === 'decline'
      ? 'authorization_declined'
      : outcome === 'fail'
        ? 'authorization_failed'
        : pendingApproval
          ? 'buyer_approval_pending'
          : succeededStatus(intent);
  const succeeded = outcome === 'approve';
  const amount = body.amount;
  const id = randomUUID();
  const timestamp = now.toISOString();
  const paymentServiceId =
    body.payment_service_id ?? resolved.sessionPaymentServiceId ?? DEFAULT_PAYMENT_SERVICE_ID;
  const buyer = body.buyer ?? (resolved.sessionFields.buyer as TransactionCreateBody['buyer']) ?? null;
  const card = paymentMethod.method === 'card' ? paymentMethod : null;

  const view: TransactionView = {
    type: 'transaction',
    id,
    reconciliation_id: base62Uuid(id),
    merchant_account_id: merchantAccountId,
    currency: body.currency,
    amount,
    status,
    authorized_amount: succeeded ? amount : 0,
    captured_amount: succeeded && intent === 'capture' ? amount : 0,
    refunded_amount: 0,
    settled_currency: null,
    settled_amount: 0,
    settled: false,
    country: body.country ?? (resolved.sessionFields.country as string | null | undefined) ?? null,
    external_identifier: body.external_identifier ?? null,
    intent,
    payment_method: {
      type: 'payment-method',
      approval_url: pendingApproval ? approvalUrl(options.origin, id) : null,
      country: null,
      currency: body.currency,
      details: card ? { bin: card.bin, card_type: 'credit', card_issuer_name: null } : null,
      expiration_date: card ? card.expirationDate : null,
      fingerprint: null,
      label: card ? card.label : null,
      last_replaced_at: null,
      method: paymentMethod.method === 'click-to-pay' ? 'click-to-pay' : 'card',
      mode: 'card',
      scheme: card ? card.scheme : null,
      id: paymentMethod.method === 'id' ? paymentMethod.id : null,
      approval_target: pendingApproval ? 'any' : null,
      external_identifier: null,
      payment_account_reference: null,
    },
    method: paymentMethod.method === 'click-to-pay' ? 'click-to-pay' : 'card',
    instrument_type: 'pan',
    error_code: errorCode,
    payment_service: {
      type: 'payment-service',
      id: paymentServiceId,
      payment_service_definition_id: 'mock-card',
      method: 'card',
      display_name: 'Sandbox card simulator',
    },
    pending_review: false,
    buyer: buyer
      ? {
          type: 'buyer',
          id: null,
          reconciliation_id: null,
          display_name: buyer.display_name ?? null,
          external_identifier: buyer.external_identifier ?? null,
          billing_details: buyer.billing_details ?? null,
          account_number: buyer.account_number ?? null,
        }
      : null,
    raw_response_code: pendingApproval ? null : rawCode,
    raw_response_description: pendingApproval ? 'Pending buyer approval' : rawDescription,
    checkout_session_id: resolved.checkoutSessionId,
    gift_card_redemptions: [],
    created_at: timestamp,
    updated_at: timestamp,
    disputed: false,
    payment_source: body.payment_source ?? 'ecommerce',
    merchant_initiated: body.merchant_initiated ?? false,
    is_subsequent_payment: body.is_subsequent_payment ?? false,
    cart_items:
      body.cart_items ?? (resolved.sessionFields.cart_items as TransactionCreateBody['cart_items']) ?? null,
    metadata: body.metadata ?? (resolved.sessionFields.metadata as TransactionCreateBody['metadata']) ?? null,
    payment_service_transaction_id:
      succeeded || pendingApproval ? `sbx_${id.replace(/-/g, '').slice(0, 24)}` : null,
    authorized_at: succeeded ? timestamp : null,
    captured_at: succeeded && intent === 'capture' ? timestamp : null,
    voided_at: null,
    canceled_at: null,
    intent_outcome: succeeded ? 'succeeded' : pendingApproval ? 'pending' : 'failed',
    multi_tender: false,
    account_funding_transaction: body.account_funding_transaction ?? false,
  };
  state.transactions.set(id, view);
  if (pendingApproval) state.approvals.set(id, { redirectUrl: resolved.redirectUrl, approvedAt: null });
  return { status: 201, body: view };
}

/** The status a transaction reaches when its intent succeeds. */
export function succeededStatus(intent: string): 'capture_succeeded' | 'authorization_succeeded' {
  return intent === 'capture' ? 'capture_succeeded' : 'authorization_succeeded';
}

/**
 * Moves a `buyer_approval_pending` transaction to its intent's success status.
 * The stored object is replaced, not mutated: an idempotent replay of the
 * create request still answers what was answered the first time (as Gr4vy does).
 */
export function approveTransaction(state: Gr4vyState, transaction: TransactionView, now = new Date()) {
  const timestamp = now.toISOString();
  const intent = String(transaction.intent);
  const amount = transaction.amount;
  const approved: TransactionView = {
    ...transaction,
    status: succeededStatus(intent),
    authorized_amount: amount,
    captured_amount: intent === 'capture' ? amount : 0,
    error_code: null,
    raw_response_code: '00',
    raw_response_description: 'Approved',
    authorized_at: timestamp,
    captured_at: intent === 'capture' ? timestamp : null,
    updated_at: timestamp,
    intent_outcome: 'succeeded',
  };
  state.transactions.set(approved.id, approved);
  return approved;
}

export interface ListTransactionsQuery {
  checkoutSessionId?: string;
  limit: number;
  /** Where the page starts, as decoded from the opaque cursor. */
  offset: number;
}

/** components/schemas/TransactionSummaries */
export interface TransactionSummaries {
  items: Record<string, unknown>[];
  limit: number;
  next_cursor: string | null;
  previous_cursor: string | null;
}

/** The cursor of the page starting at `offset`: opaque to clients, as Gr4vy's are. */
export function listCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

/** The offset a cursor points at; undefined for a cursor this sandbox did not hand out. */
export function cursorOffset(cursor: string): number | undefined {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/**
 * One page of a merchant account's transactions, most recently updated first, as
 * summaries; `checkoutSessionId` keeps those made on that checkout session only.
 */
export function listTransactions(
  state: Gr4vyState,
  merchantAccountId: string,
  query: ListTransactionsQuery,
): TransactionSummaries {
  const wanted = query.checkoutSessionId?.toLowerCase();
  const matching = [...state.transactions.values()]
    .filter((t) => t.merchant_account_id === merchantAccountId)
    .filter((t) => wanted === undefined || t.checkout_session_id === wanted)
    .sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)) || b.id.localeCompare(a.id));
  const page = matching.slice(query.offset, query.offset + query.limit);
  const next = query.offset + query.limit;
  const previous = Math.max(0, query.offset - query.limit);
  return {
    items: page.map(toSummary),
    limit: query.limit,
    next_cursor: next < matching.length ? listCursor(next) : null,
    previous_cursor: query.offset > 0 ? listCursor(previous) : null,
  };
}

function toSummary(transaction: TransactionView): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const field of TRANSACTION_SUMMARY_FIELDS) {
    if (field in transaction) summary[field] = transaction[field];
  }
  return summary;
}
