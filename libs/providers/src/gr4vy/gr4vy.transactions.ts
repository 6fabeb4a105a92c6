import { createHmac, timingSafeEqual } from 'node:crypto';
import { TransactionOutcome, TransactionResult, VerifiedWebhook, WebhookRejected } from '../provider.port';

/** Gr4vy transaction status → where the payment stands for us. */
export function transactionOutcome(status: string): TransactionOutcome {
  switch (status) {
    case 'capture_succeeded':
    case 'authorization_succeeded':
      return 'succeeded';
    case 'authorization_declined':
      return 'declined';
    case 'authorization_failed':
    case 'authorization_voided':
      return 'failed';
    case 'buyer_approval_pending':
      return 'approval_required';
    default:
      return 'processing';
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

export function toTransactionResult(transaction: Gr4vyTransactionLike): TransactionResult {
  const outcome = transactionOutcome(transaction.status);
  const result: TransactionResult = {
    transactionId: transaction.id,
    outcome,
    providerStatus: transaction.status,
  };
  const approvalUrl = transaction.paymentMethod?.approvalUrl ?? transaction.payment_method?.approval_url;
  if (outcome === 'approval_required' && approvalUrl) result.approvalUrl = approvalUrl;
  const providerSessionId = transaction.checkoutSessionId ?? transaction.checkout_session_id;
  if (providerSessionId) result.providerSessionId = providerSessionId;
  if (outcome === 'declined' || outcome === 'failed') {
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
  const verified: VerifiedWebhook = { eventId, transactionId: target.id };
  if (typeof target.status === 'string')
    verified.transaction = toTransactionResult(target as unknown as Gr4vyTransactionLike);
  return verified;
}
