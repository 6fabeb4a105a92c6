/**
 * Pure translation of where a Stripe Checkout Session stands: a retrieved session
 * (its PaymentIntent expanded) and the signed events about it, into our session
 * states and payment statuses. Signature checks use the SDK's
 * `webhooks.constructEvent`. No I/O here.
 */
import Stripe from 'stripe';
import { isRecord } from '../failure-text';
import {
  PaymentStatus,
  ProviderError,
  ProviderSessionState,
  TransactionResult,
  VerifiedWebhook,
  WebhookRejected,
  WebhookSubject,
} from '../provider.port';
import { sessionStateOf } from '../session-state';

/** The fields of a Checkout Session we read; `payment_intent` is an id, or the object when expanded. */
export interface StripeSessionLike {
  id: string;
  status: string | null;
  payment_status: string;
  payment_intent: string | { id: string; status: string } | null;
}

/**
 * PaymentIntent status → ours; undefined for a word Stripe does not document.
 * A PaymentIntent back at requires_payment_method after the buyer paid lost its
 * payment (an async method failed); canceled releases whatever was held.
 */
export function stripePaymentStatus(status: string): PaymentStatus | undefined {
  switch (status) {
    case 'succeeded':
      return 'captured';
    case 'requires_capture':
      return 'authorized';
    case 'processing':
    case 'requires_confirmation':
      return 'processing';
    case 'requires_action':
      return 'approval_required';
    case 'requires_payment_method':
      return 'failed';
    case 'canceled':
      return 'voided';
    default:
      return undefined;
  }
}

function paymentIntentId(session: StripeSessionLike): string | undefined {
  const intent = session.payment_intent;
  if (typeof intent === 'string') return intent;
  return intent?.id;
}

/**
 * The payment of a paid session, as a read shows it: its PaymentIntent expanded, or
 * the session itself when Stripe needed none (`no_payment_required`). The
 * PaymentIntent says whether the money was captured or only authorized (manual
 * capture, the `authorize` intent: `requires_capture`).
 */
function paidTransaction(session: StripeSessionLike): TransactionResult {
  const intent = session.payment_intent;
  if (isRecord(intent) && intent.status === 'requires_capture') {
    return { transactionId: intent.id, status: 'authorized', providerStatus: 'requires_capture' };
  }
  return {
    transactionId: paymentIntentId(session) ?? session.id,
    status: 'captured',
    providerStatus: session.payment_status,
  };
}

/**
 * A complete but unpaid session: the buyer chose a method that settles later. An
 * expanded PaymentIntent says how it went; an id alone means it is still in flight.
 */
function unpaidStatus(session: StripeSessionLike): ProviderSessionState {
  const intent = session.payment_intent;
  if (intent === null) return { state: 'open' };
  if (typeof intent === 'string') {
    return {
      state: 'open',
      transaction: { transactionId: intent, status: 'processing', providerStatus: session.payment_status },
    };
  }
  const status = stripePaymentStatus(intent.status);
  if (status === undefined) throw undocumented(`PaymentIntent status "${intent.status}"`);
  const transaction: TransactionResult = {
    transactionId: intent.id,
    status,
    providerStatus: intent.status,
  };
  const state = sessionStateOf(status);
  if (state === 'failed') transaction.declineReason = intent.status;
  return { state, transaction };
}

/**
 * A retrieved session → where it stands. open: still payable; expired: closed
 * unpaid; complete: paid (`paid` or `no_payment_required`), or unpaid while an
 * async payment settles (then its PaymentIntent decides).
 */
export function stripeSessionStatus(session: StripeSessionLike): ProviderSessionState {
  switch (session.status) {
    case 'open':
      return { state: 'open' };
    case 'expired':
      return { state: 'expired' };
    case 'complete':
      if (session.payment_status === 'paid' || session.payment_status === 'no_payment_required') {
        return { state: 'paid', transaction: paidTransaction(session) };
      }
      if (session.payment_status === 'unpaid') return unpaidStatus(session);
      throw undocumented(`payment_status "${session.payment_status}"`);
    default:
      throw undocumented(`checkout session status "${String(session.status)}"`);
  }
}

function undocumented(what: string): ProviderError {
  return new ProviderError('server', `Stripe answered an undocumented ${what.slice(0, 80)}`);
}

/** The events that move a Checkout Session; every other event is acknowledged and ignored. */
export const STRIPE_SESSION_EVENTS: ReadonlySet<string> = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

const PAYMENT_STATUSES: ReadonlySet<string> = new Set(['paid', 'unpaid', 'no_payment_required']);

/**
 * The parts of an event's session we act on: its id, payment_status and
 * PaymentIntent id. Amounts, metadata and anything else the event claims are not
 * read: the session is found by its id, and its order is ours.
 */
function eventSession(object: unknown): StripeSessionLike {
  if (!isRecord(object) || object.object !== 'checkout.session') throw new WebhookRejected('payload');
  const { id, payment_status: paymentStatus, payment_intent: intent } = object;
  if (typeof id !== 'string' || !/^cs_[A-Za-z0-9_]{1,250}$/.test(id)) throw new WebhookRejected('payload');
  if (typeof paymentStatus !== 'string' || !PAYMENT_STATUSES.has(paymentStatus)) {
    throw new WebhookRejected('payload');
  }
  let intentId: string | null = null;
  if (typeof intent === 'string') intentId = intent;
  else if (isRecord(intent) && typeof intent.id === 'string') intentId = intent.id;
  else if (intent !== null && intent !== undefined) throw new WebhookRejected('payload');
  if (intentId !== null && !/^pi_[A-Za-z0-9_]{1,250}$/.test(intentId)) throw new WebhookRejected('payload');
  return { id, status: null, payment_status: paymentStatus, payment_intent: intentId };
}

/**
 * A session event → what it says about the session:
 *
 * | event                                        | payment_status                | state   |
 * | -------------------------------------------- | ----------------------------- | ------- |
 * | checkout.session.completed                   | `paid`, `no_payment_required` | paid    |
 * | checkout.session.completed                   | `unpaid`                      | open    |
 * | checkout.session.async_payment_succeeded     | any                           | paid    |
 * | checkout.session.async_payment_failed        | any                           | failed  |
 * | checkout.session.expired                     | any                           | expired |
 *
 * A completed or async-succeeded session whose PaymentIntent the event names by id alone
 * comes with `readBack` and no transaction: an id does not say whether the money was
 * captured, only held (capture_method=manual, the `authorize` intent) or is still
 * processing, so the core reads the session (its PaymentIntent expanded) to learn it.
 * Any other event type → null (acknowledged, ignored).
 */
export function stripeEventSubject(type: string, object: unknown): WebhookSubject | null {
  if (!STRIPE_SESSION_EVENTS.has(type)) return null;
  const session = eventSession(object);
  const subject = (outcome: ProviderSessionState): WebhookSubject => ({
    kind: 'session',
    providerSessionId: session.id,
    outcome,
  });
  const readBack = (state: 'paid' | 'open'): WebhookSubject | undefined =>
    typeof session.payment_intent === 'string'
      ? { kind: 'session', providerSessionId: session.id, outcome: { state }, readBack: true }
      : undefined;
  switch (type) {
    case 'checkout.session.completed':
      return session.payment_status === 'unpaid'
        ? (readBack('open') ?? subject(unpaidStatus(session)))
        : (readBack('paid') ?? subject({ state: 'paid', transaction: paidTransaction(session) }));
    case 'checkout.session.async_payment_succeeded':
      return (
        readBack('paid') ??
        subject({ state: 'paid', transaction: { ...paidTransaction(session), providerStatus: 'paid' } })
      );
    case 'checkout.session.async_payment_failed':
      return subject({
        state: 'failed',
        transaction: {
          transactionId: paymentIntentId(session) ?? session.id,
          status: 'failed',
          providerStatus: session.payment_status,
          declineReason: 'async_payment_failed',
        },
      });
    default:
      return subject({ state: 'expired' });
  }
}

/**
 * Verifies `Stripe-Signature` (`t=…,v1=…`: HMAC-SHA256 of `${t}.${rawBody}`) with the
 * SDK's `webhooks.constructEvent`, under each configured endpoint secret in turn:
 * the event is genuine when any one verifies it. A signature that matches but is
 * older than `toleranceSeconds` is refused as stale.
 */
export function verifyStripeWebhook(
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  now: Date,
  secrets: readonly string[],
  toleranceSeconds: number,
): VerifiedWebhook {
  if (secrets.length === 0) throw new WebhookRejected('not_configured');
  const header = headers['stripe-signature'];
  if (typeof header !== 'string' || header.trim() === '') throw new WebhookRejected('signature');

  let stale = false;
  for (const secret of secrets) {
    let event: unknown;
    try {
      event = Stripe.webhooks.constructEvent(
        rawBody,
        header,
        secret,
        toleranceSeconds,
        undefined,
        now.getTime(),
      );
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
        // The signature held but the body is not an event (not JSON, or a thin v2 notification).
        throw new WebhookRejected('payload');
      }
      // The SDK checks the signature before the timestamp: a stale event was signed with this secret.
      if (/tolerance/i.test(error.message)) stale = true;
      continue;
    }
    return toVerifiedWebhook(event);
  }
  throw new WebhookRejected(stale ? 'timestamp' : 'signature');
}

function toVerifiedWebhook(event: unknown): VerifiedWebhook {
  if (!isRecord(event) || event.object !== 'event') throw new WebhookRejected('payload');
  const { id, type, data } = event;
  if (typeof id !== 'string' || !/^evt_[A-Za-z0-9_]{1,250}$/.test(id) || typeof type !== 'string') {
    throw new WebhookRejected('payload');
  }
  if (!STRIPE_SESSION_EVENTS.has(type)) return { eventId: id, subject: null };
  if (!isRecord(data)) throw new WebhookRejected('payload');
  return { eventId: id, subject: stripeEventSubject(type, data.object) };
}
