import { BoundedMap, IdempotencyStore } from '../store';
import type { CaptureMethod, StoredPaymentIntent } from './payment-intents';

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
  payment_status: 'unpaid' | 'paid';
  status: 'open' | 'complete' | 'expired';
  success_url: string;
  ui_mode: 'hosted';
  url: string | null;
}

export interface StoredStripeSession {
  /** The secret key that created it: sessions are visible to that account only. */
  account: string;
  session: StripeCheckoutSession;
  lineItems: { name: string; quantity: number; unitAmount: number }[];
  /** payment_intent_data[capture_method]: manual holds the funds until a capture. */
  captureMethod: CaptureMethod;
}

export class StripeState {
  readonly sessions = new BoundedMap<string, StoredStripeSession>(200_000);
  readonly idempotency = new IdempotencyStore();
  readonly paymentIntents = new BoundedMap<string, StoredPaymentIntent>(200_000);

  /** The session with its status brought up to date (open sessions expire at expires_at). */
  find(id: string, nowSeconds = Math.floor(Date.now() / 1000)): StoredStripeSession | undefined {
    const stored = this.sessions.get(id);
    if (stored && stored.session.status === 'open' && nowSeconds >= stored.session.expires_at) {
      stored.session.status = 'expired';
      stored.session.url = null;
    }
    return stored;
  }

  clear(): void {
    this.sessions.clear();
    this.idempotency.clear();
    this.paymentIntents.clear();
  }
}
