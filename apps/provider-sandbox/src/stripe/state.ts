import { randomBytes } from 'node:crypto';
import { BoundedMap, IdempotencyStore } from '../store';

/** A Stripe Checkout Session object as returned to clients. */
export interface StripeCheckoutSession {
  id: string;
  object: 'checkout.session';
  after_expiration: null;
  allow_promotion_codes: null;
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Record<string, string>;
  mode: 'payment';
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: 'unpaid' | 'paid' | 'no_payment_required';
  status: 'open' | 'complete' | 'expired';
  success_url: string;
  ui_mode: 'hosted';
  url: string | null;
}

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';

export type PaymentIntentStatus =
  'requires_payment_method' | 'processing' | 'requires_capture' | 'succeeded' | 'canceled';

/** A PaymentIntent, as `expand[]=payment_intent` shows it on its session. */
export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  capture_method: CaptureMethod;
  created: number;
  currency: string;
  last_payment_error: { type: 'card_error'; code: string; decline_code?: string; message: string } | null;
  livemode: false;
  metadata: Record<string, string>;
  payment_method_types: string[];
  status: PaymentIntentStatus;
}

export interface StoredStripeSession {
  /** The secret key that created it: sessions are visible to that account only. */
  account: string;
  session: StripeCheckoutSession;
  lineItems: { name: string; quantity: number; unitAmount: number }[];
  /** payment_intent_data[capture_method]; automatic when not given. */
  captureMethod: CaptureMethod;
  /** The Stripe-Version the session was created with: its events carry it as api_version. */
  apiVersion: string;
}

/** Told when a session changes by itself (it reached expires_at while nobody was paying). */
export type SessionExpiredListener = (stored: StoredStripeSession) => void;

export class StripeState {
  readonly sessions = new BoundedMap<string, StoredStripeSession>(200_000);
  readonly paymentIntents = new BoundedMap<string, StripePaymentIntent>(200_000);
  /** Whose each PaymentIntent is (its session, so its account), and what was refunded of it (payment-intents.ts). */
  readonly intentSessions = new BoundedMap<string, StoredStripeSession>(200_000);
  readonly refundedAmounts = new BoundedMap<string, number>(200_000);
  readonly idempotency = new IdempotencyStore();
  onExpired: SessionExpiredListener = () => undefined;

  /** The session with its status brought up to date (open sessions expire at expires_at). */
  find(id: string, nowSeconds = Math.floor(Date.now() / 1000)): StoredStripeSession | undefined {
    const stored = this.sessions.get(id);
    if (stored && stored.session.status === 'open' && nowSeconds >= stored.session.expires_at) {
      this.expire(stored);
      this.onExpired(stored);
    }
    return stored;
  }

  /** Closes an open session unpaid. */
  expire(stored: StoredStripeSession): void {
    stored.session.status = 'expired';
    stored.session.url = null;
  }

  /** The session's PaymentIntent, created on the buyer's first attempt. */
  paymentIntentOf(
    stored: StoredStripeSession,
    nowSeconds = Math.floor(Date.now() / 1000),
  ): StripePaymentIntent {
    const s = stored.session;
    const existing = s.payment_intent === null ? undefined : this.paymentIntents.get(s.payment_intent);
    if (existing) return existing;
    const intent: StripePaymentIntent = {
      id: randomStripeId('pi_', 18),
      object: 'payment_intent',
      amount: s.amount_total,
      amount_capturable: 0,
      amount_received: 0,
      capture_method: stored.captureMethod,
      created: nowSeconds,
      currency: s.currency,
      last_payment_error: null,
      livemode: false,
      metadata: {},
      payment_method_types: s.payment_method_types,
      status: 'requires_payment_method',
    };
    this.paymentIntents.set(intent.id, intent);
    this.intentSessions.set(intent.id, stored);
    s.payment_intent = intent.id;
    return intent;
  }

  clear(): void {
    this.sessions.clear();
    this.paymentIntents.clear();
    this.intentSessions.clear();
    this.refundedAmounts.clear();
    this.idempotency.clear();
  }
}

/** Stripe-looking ids: a prefix and base62-ish characters. */
export function randomStripeId(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString('base64url').replace(/[-_]/g, '0')}`;
}
