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

/** A verified provider notification about a transaction. */
export interface VerifiedWebhook {
  eventId: string;
  transactionId: string;
  /** Present when the payload carries the transaction; otherwise fetch it. */
  transaction?: TransactionResult;
}

export class WebhookRejected extends Error {
  constructor(readonly reason: 'signature' | 'timestamp' | 'payload' | 'not_configured') {
    super(`webhook rejected: ${reason}`);
    this.name = 'WebhookRejected';
  }
}

/** One adapter per provider kind; the registry finds it by `kind`. */
export abstract class PaymentProvider {
  abstract readonly kind: string;

  /** Throws a message naming the problem when a route's options are unusable. Called at start. */
  abstract validateRouteOptions(route: ProviderRoute): void;

  /** Why this adapter cannot serve this request on this route, or null when it can. */
  ineligibilityReason(
    _route: ProviderRoute,
    _command: Pick<CreateProviderSessionCommand, 'redirectUrls'>,
  ): string | null {
    return null;
  }

  abstract createSession(
    command: CreateProviderSessionCommand,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionResult>;

  /** Releases pooled connections at shutdown. */
  async close(): Promise<void> {}

  /**
   * The fields our hosted page mounts for this route's sessions, or null when the
   * provider hosts the payment page itself (its session `url` is the checkoutUrl).
   */
  hostedFields(_route: ProviderRoute, _providerSessionId: string): HostedFields | null {
    return null;
  }

  /** Creates the transaction for a session paid on our hosted page. */
  async pay(_command: PayHostedSessionCommand, _options: ProviderCallOptions): Promise<TransactionResult> {
    throw new ProviderError('rejected', `${this.kind} sessions are not paid on the hosted page`);
  }

  async getTransaction(_transactionId: string, _options: ProviderCallOptions): Promise<TransactionResult> {
    throw new ProviderError('rejected', `${this.kind} does not expose transactions`);
  }

  /** Verifies and reads a webhook; throws WebhookRejected. */
  verifyWebhook(
    _headers: Record<string, string | string[] | undefined>,
    _rawBody: Buffer,
    _now: Date,
  ): VerifiedWebhook {
    throw new WebhookRejected('not_configured');
  }
}

/** DI token for the list of adapters (several implementations of one port). */
export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');
