/**
 * The provider port: what the core asks of any payment provider, in our own
 * provider-neutral terms. Amounts are integer minor units of `currency`.
 */
export interface ProviderAddress {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

export interface ProviderCustomer {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  billingAddress?: ProviderAddress;
  shippingAddress?: ProviderAddress;
}

export interface ProviderLineItem {
  name: string;
  sku?: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface ProviderRoute {
  /** The catalog route id (our `selectedProvider`). */
  id: string;
  /** The adapter kind, e.g. `gr4vy`. */
  adapter: string;
  /** Adapter-specific settings from the catalog, validated by the adapter itself. */
  options: Record<string, unknown>;
}

export interface CreateProviderSessionCommand {
  /** Our session id (UUID), generated before the first attempt. */
  sessionId: string;
  /** Stable per (merchant, idempotency key, route, attempt): safe to send as the provider's idempotency key. */
  idempotencyKey: string;
  merchantId: string;
  orderReference: string;
  paymentMethod: string;
  currency: string;
  locale?: string;
  totalMinor: number;
  shippingMinor: number;
  taxMinor: number;
  items: ProviderLineItem[];
  customer?: ProviderCustomer;
  additionalInformation?: Record<string, string>;
  redirectUrls?: { success?: string; failure?: string };
  expiresAt: Date;
  ttlSeconds: number;
  /** Our hosted checkout page for this session, for providers that have no page of their own. */
  hostedCheckoutUrl: string;
  requestId?: string;
  route: ProviderRoute;
}

export interface ProviderSessionResult {
  providerSessionId: string;
  /** Where to send the buyer. */
  checkoutUrl: string;
}

export type ProviderFailureKind = 'timeout' | 'network' | 'server' | 'rate_limited' | 'rejected';

/**
 * Thrown by adapters for every provider failure, already classified. `retryable`
 * failures (timeout, network, 5xx, 429) may fail over to the next route.
 */
export class ProviderError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly providerStatus?: number,
    readonly providerCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
    this.retryable = kind !== 'rejected';
  }
}

export interface ProviderCallOptions {
  /** Aborts the call; adapters must stop waiting when it fires. */
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * Where a payment stands, in our own words whatever the provider: this is what
 * crosses the port and what the API shows as `payment.status`. The provider's
 * own word travels beside it as `providerStatus`, for operators only.
 */
export const PAYMENT_STATUSES = [
  'processing',
  'approval_required',
  'authorized',
  'capture_pending',
  'captured',
  'declined',
  'failed',
  'void_pending',
  'voided',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface TransactionResult {
  transactionId: string;
  status: PaymentStatus;
  /** The provider's own status word, kept for operators. */
  providerStatus: string;
  /** Where to send the buyer when the provider needs their approval. */
  approvalUrl?: string;
  declineReason?: string;
  /** The provider's checkout session the transaction paid, when it says. */
  providerSessionId?: string;
}

/** Pay a session on our hosted page: amounts come from our stored session, never from the browser. */
export interface PayHostedSessionCommand {
  sessionId: string;
  providerSessionId: string;
  orderReference: string;
  currency: string;
  amountMinor: number;
  /** Derived from our session: a double submit or a retry never charges twice. */
  idempotencyKey: string;
  /** Where the provider sends the buyer back after an approval step. */
  returnUrl: string;
  requestId?: string;
  route: ProviderRoute;
}

/** What our hosted page mounts to collect the card for a provider session. */
export interface HostedFields {
  scriptUrl: string;
  /** data-* attributes the page script hands to the provider's fields. */
  attributes: Record<string, string>;
  /** Origins the page must allow in its Content-Security-Policy. */
  scriptOrigins: string[];
  connectOrigins: string[];
  frameOrigins: string[];
}

/** What a verified notification is about: one of our transactions, or one of the provider's checkout sessions. */
export type WebhookSubject =
  | {
      kind: 'transaction';
      transactionId: string;
      /** Present when the payload carries the transaction; otherwise fetch it. */
      transaction?: TransactionResult;
    }
  | {
      kind: 'session';
      /** The provider's checkout session id: our `providerSessionId`. */
      providerSessionId: string;
      outcome: ProviderSessionState;
      /**
       * The event names the payment without saying how it stands (captured, only authorized, still
       * processing): read the session back through its route to learn it, rather than apply `outcome`.
       */
      readBack?: boolean;
    };

/** A verified provider notification. */
export interface VerifiedWebhook {
  eventId: string;
  /** null: a genuine event about nothing we track (acknowledged and ignored). */
  subject: WebhookSubject | null;
}

export class WebhookRejected extends Error {
  constructor(readonly reason: 'signature' | 'timestamp' | 'payload' | 'not_configured') {
    super(`webhook rejected: ${reason}`);
    this.name = 'WebhookRejected';
  }
}

/** What an adapter's eligibility rules may look at, besides the route. */
export type EligibilityRequest = Pick<CreateProviderSessionCommand, 'redirectUrls' | 'ttlSeconds'>;

/*
 * One flow, one port (as hyperswitch gives each connector one integration per
 * flow): an adapter implements the flows its provider supports, and the core asks
 * the registry for a flow by (adapter kind, flow), never for a provider by name.
 */

/** Opens a checkout session at the provider for an order. Every adapter has it. */
export abstract class SessionCreationFlow {
  /**
   * Where the buyer pays: on the provider's own page (its session url is the
   * checkoutUrl), or on our hosted page, which then needs the hosted payment flow.
   */
  abstract readonly checkoutPage: 'provider' | 'hosted';

  abstract createSession(
    command: CreateProviderSessionCommand,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionResult>;

  /** Why this adapter cannot serve this request on this route, or null when it can. */
  abstract ineligibilityReason(route: ProviderRoute, request: EligibilityRequest): string | null;
}

/** Pays a session on our hosted page with the provider's card fields. */
export abstract class HostedPaymentFlow {
  /** The browser script, served from our origin, that mounts the provider's fields into the page. */
  abstract readonly fieldsScript: string;

  /** The fields our hosted page mounts for this route's session. */
  abstract hostedFields(route: ProviderRoute, providerSessionId: string): HostedFields;

  /** Creates the transaction for a session paid on our hosted page. */
  abstract pay(command: PayHostedSessionCommand, options: ProviderCallOptions): Promise<TransactionResult>;
}

/** Reads a transaction where the route that created it can see it (its own merchant account). */
export abstract class TransactionReadFlow {
  abstract getTransaction(
    route: ProviderRoute,
    transactionId: string,
    options: ProviderCallOptions,
  ): Promise<TransactionResult>;
}

/** Verifies and reads a provider notification; throws WebhookRejected. */
export abstract class WebhookFlow {
  abstract verifyWebhook(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    now: Date,
  ): VerifiedWebhook;
}

/**
 * Where a provider's checkout session stands, in our terms: still payable (or a
 * payment still in flight), paid, failed for good, or closed unpaid at the provider.
 * The adapters always name the payment of a paid or failed session.
 */
export interface ProviderSessionState {
  state: 'open' | 'paid' | 'failed' | 'expired';
  /** The payment, when the provider has one to show (its id, our status, the provider's word). */
  transaction?: TransactionResult;
}

/** What we know of a provider session when we ask about it. */
export interface ProviderSessionRef {
  providerSessionId: string;
  /** The transaction we recorded for it, if any (a provider may read that rather than search). */
  transactionId?: string;
}

/** Asks the provider where a session stands: the truth a webhook only hints at (the reconciler's read). */
export abstract class SessionStatusReadFlow {
  abstract readSession(
    route: ProviderRoute,
    session: ProviderSessionRef,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionState>;
}

/**
 * cancelled: the provider will take no payment for the session any more;
 * already_paid: the provider holds a payment for it (taken, or still in flight), so it
 * cannot be cancelled: read the session to learn where it stands;
 * already_closed: it had already expired or been closed, unpaid.
 */
export type SessionCancelOutcome = 'cancelled' | 'already_paid' | 'already_closed';

/** Closes a provider session so that it can no longer be paid (a merchant's cancel, or our expiry). */
export abstract class SessionCancelFlow {
  abstract cancelSession(
    route: ProviderRoute,
    providerSessionId: string,
    options: ProviderCallOptions,
  ): Promise<{ outcome: SessionCancelOutcome }>;
}

/*
 * After checkout: the money flows. Each call carries an idempotency key derived from
 * ours, so a retry of the same operation is one operation at the provider.
 */

/** What the core knows of the payment a money operation acts on. Amounts are minor units of `currency`. */
export interface PaymentOperationCommand {
  route: ProviderRoute;
  /** The provider's transaction (Gr4vy) or PaymentIntent (Stripe) that pays the session. */
  transactionId: string;
  currency: string;
  /** Stable per (merchant, our Idempotency-Key, operation, attempt): safe as the provider's idempotency key. */
  idempotencyKey: string;
  requestId?: string;
}

/** Where the payment stands after a capture or a void, in our words and the provider's. */
export interface PaymentOperationResult {
  status: PaymentStatus;
  providerStatus: string;
}

export interface CaptureCommand extends PaymentOperationCommand {
  amountMinor: number;
}

export interface RefundCommand extends PaymentOperationCommand {
  amountMinor: number;
  /** Our refund id, for the provider's records. */
  refundId: string;
  reason?: string;
}

/** `pending`: the provider took the refund but has not settled it; its webhook or a read settles it later. */
export type RefundOutcome = 'pending' | 'succeeded' | 'failed';

export interface RefundResult {
  providerRefundId: string;
  outcome: RefundOutcome;
  providerStatus: string;
  failureReason?: string;
}

/** Captures an authorized payment, in full or in part. */
export abstract class CaptureFlow {
  abstract capture(command: CaptureCommand, options: ProviderCallOptions): Promise<PaymentOperationResult>;
}

/** Releases an authorization that was not captured. */
export abstract class VoidFlow {
  abstract voidAuthorization(
    command: PaymentOperationCommand,
    options: ProviderCallOptions,
  ): Promise<PaymentOperationResult>;
}

/** Gives back some or all of a captured payment. */
export abstract class RefundFlow {
  abstract refund(command: RefundCommand, options: ProviderCallOptions): Promise<RefundResult>;
}

/** The flows of one adapter; a flow it lacks is absent. */
export interface ProviderFlows {
  createSession: SessionCreationFlow;
  hostedPayment?: HostedPaymentFlow;
  transactionRead?: TransactionReadFlow;
  webhook?: WebhookFlow;
  sessionRead?: SessionStatusReadFlow;
  cancel?: SessionCancelFlow;
  capture?: CaptureFlow;
  void?: VoidFlow;
  refund?: RefundFlow;
}

export type ProviderFlowName = keyof ProviderFlows;

/** One adapter per provider kind: its settings check, its flows and its connections. */
export abstract class PaymentProvider {
  abstract readonly kind: string;
  abstract readonly flows: ProviderFlows;

  /** Throws a message naming the problem when a route's options are unusable. Called at start. */
  abstract validateRouteOptions(route: ProviderRoute): void;

  /** Releases pooled connections at shutdown. */
  async close(): Promise<void> {}
}

/** DI token for the list of adapters (several implementations of one port). */
export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');
