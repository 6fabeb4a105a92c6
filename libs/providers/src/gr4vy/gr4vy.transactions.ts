import { createHmac, timingSafeEqual } from 'node:crypto';
import { TransactionStatus as Gr4vyTransactionStatuses } from '@gr4vy/sdk/models/components/transactionstatus';
import {
  PaymentStatus,
  ProviderError,
  ProviderSessionState,
  TransactionResult,
  VerifiedWebhook,
  WebhookRejected,
} from '../provider.port';
import { sessionStateOf } from '../session-state';

/** The statuses Gr4vy documents for a transaction (the SDK's enum is open: any string may arrive). */
export type Gr4vyTransactionStatus = (typeof Gr4vyTransactionStatuses)[keyof typeof Gr4vyTransactionStatuses];

const GR4VY_STATUSES: ReadonlySet<string> = new Set(Object.values(Gr4vyTransactionStatuses));

export function isGr4vyTransactionStatus(status: unknown): status is Gr4vyTransactionStatus {
  return typeof status === 'string' && GR4VY_STATUSES.has(status);
}

/** Gr4vy transaction status → where the payment stands for us. Exhaustive: a new Gr4vy status fails to compile. */
export function gr4vyPaymentStatus(status: Gr4vyTransactionStatus): PaymentStatus {
  switch (status) {
    case 'processing':
      return 'processing';
    case 'buyer_approval_pending':
      return 'approval_required';
    case 'authorization_succeeded':
      return 'authorized';
    case 'capture_pending':
      return 'capture_pending';
    case 'capture_succeeded':
      return 'captured';
    case 'authorization_declined':
      return 'declined';
    case 'authorization_failed':
      return 'failed';
    case 'authorization_void_pending':
      return 'void_pending';
    case 'authorization_voided':
      return 'voided';
  }
}

/** A status word Gr4vy does not document: we cannot say where the payment stands, so we do not guess. */
export class UnknownGr4vyStatus extends ProviderError {
  constructor(status: string) {
    super('server', `Gr4vy answered an undocumented transaction status "${status.slice(0, 64)}"`);
  }
}

/** The fields of a Gr4vy transaction we read, in the SDK's camelCase or the wire's snake_case. */
export interface Gr4vyTransactionLike {
  id: string;
  status: string;
  paymentMethod?: { approvalUrl?: string | null } | null;
  payment_method?: { approval_url?: string | null } | null;
  errorCode?: string | null;
  error_code?: string | null;
  rawResponseDescription?: string | null;
  raw_response_description?: string | null;
  checkoutSessionId?: string | null;
  checkout_session_id?: string | null;
}

/** Throws UnknownGr4vyStatus for a status Gr4vy does not document. */
export function toTransactionResult(transaction: Gr4vyTransactionLike): TransactionResult {
  if (!isGr4vyTransactionStatus(transaction.status)) throw new UnknownGr4vyStatus(String(transaction.status));
  const status = gr4vyPaymentStatus(transaction.status);
  const result: TransactionResult = {
    transactionId: transaction.id,
    status,
    providerStatus: transaction.status,
  };
  const approvalUrl = transaction.paymentMethod?.approvalUrl ?? transaction.payment_method?.approval_url;
  if (status === 'approval_required' && approvalUrl) result.approvalUrl = approvalUrl;
  const providerSessionId = transaction.checkoutSessionId ?? transaction.checkout_session_id;
  if (providerSessionId) result.providerSessionId = providerSessionId;
  if (status === 'declined' || status === 'failed' || status === 'voided') {
    result.declineReason =
      transaction.errorCode ??
      transaction.error_code ??
      transaction.rawResponseDescription ??
      transaction.raw_response_description ??
      transaction.status;
  }
  return result;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a Gr4vy webhook: `X-Gr4vy-Webhook-Signatures` holds comma-separated hex
 * HMAC-SHA256 values of `${timestamp}.${rawBody}` under the secret; any one may
 * match (secret rotation), compared in constant time; the timestamp must be within
 * the tolerance. Returns the event id and the transaction it is about.
 */
export function verifyGr4vyWebhook(
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  now: Date,
  secret: string,
  toleranceSeconds: number,
): VerifiedWebhook {
  const timestamp = header(headers, 'x-gr4vy-webhook-timestamp');
  const signatures = header(headers, 'x-gr4vy-webhook-signatures');
  const eventIdHeader = header(headers, 'x-gr4vy-webhook-id');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signatures) throw new WebhookRejected('signature');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds)
    throw new WebhookRejected('timestamp');

  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const matches = signatures
    .split(',')
    .map((candidate) => candidate.trim())
    .filter((candidate) => /^[0-9a-f]{64}$/i.test(candidate))
    .some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  if (!matches) throw new WebhookRejected('signature');

  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookRejected('payload');
  }
  const { id, target } = (event ?? {}) as { id?: unknown; target?: Record<string, unknown> };
  const eventId = typeof eventIdHeader === 'string' && eventIdHeader !== '' ? eventIdHeader : id;
  if (
    typeof eventId !== 'string' ||
    !target ||
    target.type !== 'transaction' ||
    typeof target.id !== 'string'
  ) {
    throw new WebhookRejected('payload');
  }
  if (typeof target.status !== 'string') {
    return { eventId, subject: { kind: 'transaction', transactionId: target.id } };
  }
  if (!isGr4vyTransactionStatus(target.status)) throw new WebhookRejected('payload');
  const transaction = toTransactionResult(target as unknown as Gr4vyTransactionLike);
  return { eventId, subject: { kind: 'transaction', transactionId: target.id, transaction } };
}

/**
 * Where a Gr4vy checkout session stands, from the transactions made on it (newest
 * first) and whether Gr4vy still has the session. A transaction that took money wins,
 * whatever came after it; then one still in flight; then the newest that failed. With
 * no transaction the session is open while Gr4vy has it, and expired once it is gone.
 */
export function gr4vySessionStatus(
  transactions: readonly TransactionResult[],
  sessionLive: boolean,
): ProviderSessionState {
  for (const state of ['paid', 'open', 'failed'] as const) {
    const transaction = transactions.find((t) => sessionStateOf(t.status) === state);
    if (transaction) return { state, transaction };
  }
  return { state: sessionLive ? 'open' : 'expired' };
}
