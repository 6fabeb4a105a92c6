/**
 * The Stripe adapter: the thin I/O half. Builds the Checkout Session
 * parameters with the pure mapper, calls `POST /v1/checkout/sessions` (and, to
 * read or close a session, `GET /v1/checkout/sessions/:id` and `POST
 * /v1/checkout/sessions/:id/expire`) through the official SDK and classifies
 * failures with `classifyStripeFailure`. Webhooks are verified and read by the
 * pure half (stripe.sessions.ts). No retries here: the core decides about
 * retries and failover.
 *
 * Timeouts and aborts: the SDK (23.x) takes no AbortSignal. It does take a
 * per-request `timeout`, which its Node client applies as a socket inactivity
 * timeout (`req.setTimeout`): it destroys the socket and rejects with a
 * StripeConnectionError "Request aborted due to timeout being reached" whose
 * `detail.code` is `ETIMEDOUT`. That is not a bound on the whole call (a
 * server trickling bytes resets it), so the call also runs under the shared
 * `withDeadline` (the caller's signal and `timeoutMs`), which stops waiting as
 * soon as either fires. The SDK request then finishes in the background,
 * bounded by that same socket timeout; its eventual rejection stays handled.
 */
import http from 'node:http';
import https from 'node:https';
import Stripe from 'stripe';
import { withDeadline } from '../deadline';
import {
  CreateProviderSessionCommand,
  EligibilityRequest,
  PaymentProvider,
  ProviderCallOptions,
  ProviderError,
  ProviderFlows,
  ProviderRoute,
  ProviderSessionResult,
  ProviderSessionRef,
  ProviderSessionState,
  SessionCancelFlow,
  SessionCancelOutcome,
  SessionCreationFlow,
  SessionStatusReadFlow,
  VerifiedWebhook,
  WebhookFlow,
} from '../provider.port';
import { TransactionIntent } from '../route-options';
import { GuardedStripeHttpClient } from './stripe.http-client';
import { StripePayments } from './stripe.payments';
import {
  classifyStripeFailure,
  parseStripeApiBase,
  parseStripeRouteOptions,
  STRIPE_REDIRECT_URLS_REQUIRED,
  StripeApiEndpoint,
  toStripeSessionParams,
} from './stripe.mapper';
import { stripeSessionStatus, verifyStripeWebhook } from './stripe.sessions';

/** What the app passes in (read from its own configuration by stripeAdapter.readConfig; no env access here). */
export type StripeAdapterConfig = {
  /** e.g. `http://127.0.0.1:4010` for the local sandbox; Stripe's own API when absent. */
  apiBase?: string;
  /** Env var name → secret key, for every key a route may name with `secretKeyEnv`. */
  secretKeys: Record<string, string>;
  /** Used by routes without `secretKeyEnv`. */
  defaultSecretKey?: string;
  /** Env var name → webhook endpoint signing secret, for every secret a route may name with `webhookSecretEnv`. */
  webhookSecrets?: Record<string, string>;
  /** How old a signed event may be, in seconds. Default 300 (the SDK's). */
  webhookToleranceSeconds?: number;
  /** Intent of routes without `options.intent`. Default authorize. */
  transactionIntent?: TransactionIntent;
};

/** Test seams; production code passes none of these. */
export interface StripeProviderDeps {
  /** Clock for `expires_at`. */
  now?: () => Date;
  /** Builds an SDK client; defaults to `new Stripe(key, config)`. */
  createClient?: (secretKey: string, config: Stripe.StripeConfig) => Stripe;
}

/**
 * The API version we send (`Stripe-Version`), pinned explicitly. Typed as the
 * SDK's LatestApiVersion so that an SDK upgrade that changes it fails the
 * type check here instead of silently changing the API we speak.
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive';

/** The SDK's client-level timeout, only used should a request carry none. */
const FALLBACK_SDK_TIMEOUT_MS = 30_000;
/** Stripe's idempotency keys: at most 255 characters, and they travel in a header. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const DEFAULT_KEY_LABEL = 'STRIPE_SECRET_KEY (default)';

interface ResolvedRoute {
  secretKey: string;
  endpoint?: StripeApiEndpoint;
  /** Identifies the SDK client: key name + endpoint (never the key itself). */
  clientId: string;
  intent: TransactionIntent;
}

export class StripeProvider
  extends PaymentProvider
  implements SessionCreationFlow, WebhookFlow, SessionStatusReadFlow, SessionCancelFlow
{
  readonly kind = 'stripe';
  /** Capture, void and refund through the route's own client (called only once the constructor has run). */
  private readonly money = new StripePayments({
    clientFor: (route) => this.client(this.resolveRoute(route)),
    sdkTimeout,
  });
  readonly flows: ProviderFlows = {
    createSession: this,
    webhook: this,
    sessionRead: this,
    cancel: this,
    capture: this.money,
    void: this.money,
    refund: this.money,
  };
  /** Stripe Checkout hosts the payment page: its session url is the checkoutUrl. */
  readonly checkoutPage = 'provider';
  private readonly defaultEndpoint?: StripeApiEndpoint;
  /** One SDK client per (secret key, API base), created on first use. */
  private readonly clients = new Map<string, Stripe>();
  private httpAgent?: http.Agent;
  private httpsAgent?: https.Agent;
  private readonly now: () => Date;
  private readonly createClient: (secretKey: string, config: Stripe.StripeConfig) => Stripe;

  constructor(
    private readonly config: StripeAdapterConfig,
    deps: StripeProviderDeps = {},
  ) {
    super();
    this.defaultEndpoint = assertValidConfig(config);
    this.now = deps.now ?? (() => new Date());
    this.createClient = deps.createClient ?? ((key, clientConfig) => new Stripe(key, clientConfig));
  }

  validateRouteOptions(route: ProviderRoute): void {
    this.resolveRoute(route);
    const { webhookSecretEnv } = parseStripeRouteOptions(route);
    const secrets = this.config.webhookSecrets ?? {};
    if (webhookSecretEnv !== undefined && !Object.prototype.hasOwnProperty.call(secrets, webhookSecretEnv)) {
      const known = Object.keys(secrets).sort().join(', ') || 'none';
      throw new Error(
        `Route "${route.id}": stripe option "webhookSecretEnv" names ${webhookSecretEnv}, which holds no configured webhook secret (configured: ${known}; list it in STRIPE_WEBHOOK_SECRET_ENVS)`,
      );
    }
  }

  ineligibilityReason(_route: ProviderRoute, request: EligibilityRequest): string | null {
    const { success, failure } = request.redirectUrls ?? {};
    return success?.trim() && failure?.trim() ? null : STRIPE_REDIRECT_URLS_REQUIRED;
  }

  async createSession(
    command: CreateProviderSessionCommand,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionResult> {
    const target = this.target(command.route);
    if (!IDEMPOTENCY_KEY_PATTERN.test(command.idempotencyKey)) {
      throw new ProviderError(
        'rejected',
        'idempotencyKey must be 1-255 printable ASCII characters for Stripe',
        undefined,
        'invalid_idempotency_key',
      );
    }
    const params = toStripeSessionParams(command, { now: this.now(), intent: target.intent });
    const redact = sensitiveValues(command);
    const client = this.client(target);

    return withDeadline(
      options,
      async () =>
        toResult(
          await client.checkout.sessions.create(params, {
            idempotencyKey: command.idempotencyKey,
            timeout: sdkTimeout(options.timeoutMs),
          }),
        ),
      (error, { timedOut }) => classifyStripeFailure(error, { timedOut, redact }),
    );
  }

  /** Events for every account arrive at one endpoint: any configured secret may have signed them. */
  verifyWebhook(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    now: Date,
  ): VerifiedWebhook {
    return verifyStripeWebhook(
      headers,
      rawBody,
      now,
      Object.values(this.config.webhookSecrets ?? {}),
      this.config.webhookToleranceSeconds ?? Stripe.webhooks.DEFAULT_TOLERANCE,
    );
  }

  /** `GET /v1/checkout/sessions/:id` with its PaymentIntent expanded (capture or authorization, async outcomes). */
  async readSession(
    route: ProviderRoute,
    { providerSessionId }: ProviderSessionRef,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionState> {
    const client = this.client(this.target(route));
    const session = await withDeadline(
      options,
      () =>
        client.checkout.sessions.retrieve(
          providerSessionId,
          { expand: ['payment_intent'] },
          { timeout: sdkTimeout(options.timeoutMs) },
        ),
      (error, { timedOut }) => classifyStripeFailure(error, { timedOut }),
    );
    return stripeSessionStatus(session);
  }

  /**
   * `POST /v1/checkout/sessions/:id/expire`. Stripe refuses (400) a session that is no
   * longer open; the session itself then says why: complete (paid, or a payment still
   * settling) or already expired.
   */
  async cancelSession(
    route: ProviderRoute,
    providerSessionId: string,
    options: ProviderCallOptions,
  ): Promise<{ outcome: SessionCancelOutcome }> {
    const client = this.client(this.target(route));
    try {
      await withDeadline(
        options,
        () =>
          client.checkout.sessions.expire(providerSessionId, {}, { timeout: sdkTimeout(options.timeoutMs) }),
        (error, { timedOut }) => classifyStripeFailure(error, { timedOut }),
      );
      return { outcome: 'cancelled' };
    } catch (error) {
      if (!(error instanceof ProviderError && error.providerStatus === 400)) throw error;
      const { state, transaction } = await this.readSession(route, { providerSessionId }, options);
      if (state === 'paid' || state === 'open') {
        // Refused while it reads as open with no payment: not a state Stripe documents, so no guess.
        if (!transaction) throw error;
        return { outcome: 'already_paid' };
      }
      return { outcome: 'already_closed' };
    }
  }

  /** Closes the keep-alive sockets (for shutdown and tests); clients are rebuilt on next use. */
  override async close(): Promise<void> {
    this.clients.clear();
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
    this.httpAgent = undefined;
    this.httpsAgent = undefined;
  }

  /** As resolveRoute, for a call: validateRouteOptions ran at start, so a failure is a catalog/config mismatch. */
  private target(route: ProviderRoute): ResolvedRoute {
    try {
      return this.resolveRoute(route);
    } catch (error) {
      throw new ProviderError('rejected', (error as Error).message, undefined, 'invalid_route_options');
    }
  }

  /** The key and endpoint a route uses; throws an Error naming the route (never a key value). */
  private resolveRoute(route: ProviderRoute): ResolvedRoute {
    const options = parseStripeRouteOptions(route);
    let secretKey: string | undefined;
    let keyName: string;
    if (options.secretKeyEnv !== undefined) {
      keyName = options.secretKeyEnv;
      secretKey = Object.prototype.hasOwnProperty.call(this.config.secretKeys, keyName)
        ? this.config.secretKeys[keyName]
        : undefined;
      if (!secretKey) {
        const known = Object.keys(this.config.secretKeys).sort().join(', ') || 'none';
        throw new Error(
          `Route "${route.id}": stripe option "secretKeyEnv" names ${keyName}, which holds no configured Stripe key (configured: ${known}; list it in STRIPE_SECRET_KEY_ENVS)`,
        );
      }
    } else if (this.config.defaultSecretKey) {
      keyName = DEFAULT_KEY_LABEL;
      secretKey = this.config.defaultSecretKey;
    } else {
      throw new Error(
        `Route "${route.id}": stripe option "secretKeyEnv" is required (no default STRIPE_SECRET_KEY is configured)`,
      );
    }
    const endpoint =
      options.apiBase !== undefined ? parseStripeApiBase(options.apiBase) : this.defaultEndpoint;
    if (endpoint?.protocol === 'http' && /^(sk|rk)_live_/.test(secretKey)) {
      throw new Error(
        `Route "${route.id}": ${keyName} holds a live Stripe key, which may only be sent over https (the API base is http)`,
      );
    }
    const where = endpoint ? `${endpoint.protocol}://${endpoint.host}:${endpoint.port}` : 'stripe';
    const intent = options.intent ?? this.config.transactionIntent ?? 'authorize';
    return { secretKey, endpoint, clientId: `${keyName}\n${where}`, intent };
  }

  private client(target: ResolvedRoute): Stripe {
    const cached = this.clients.get(target.clientId);
    if (cached) return cached;
    const protocol = target.endpoint?.protocol ?? 'https';
    const clientConfig: Stripe.StripeConfig = {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 0, // the core fails over instead
      telemetry: false,
      timeout: FALLBACK_SDK_TIMEOUT_MS,
      // The SDK's Node client on our keep-alive agent, guarded (see stripe.http-client.ts).
      httpClient: new GuardedStripeHttpClient(Stripe.createNodeHttpClient(this.agent(protocol))),
    };
    if (target.endpoint) {
      clientConfig.host = target.endpoint.host;
      clientConfig.port = target.endpoint.port;
      clientConfig.protocol = target.endpoint.protocol;
    }
    const client = this.createClient(target.secretKey, clientConfig);
    this.clients.set(target.clientId, client);
    return client;
  }

  private agent(protocol: 'http' | 'https'): http.Agent {
    if (protocol === 'http') {
      this.httpAgent ??= new http.Agent({ keepAlive: true });
      return this.httpAgent;
    }
    this.httpsAgent ??= new https.Agent({ keepAlive: true });
    return this.httpsAgent;
  }
}

function toResult(session: Stripe.Response<Stripe.Checkout.Session>): ProviderSessionResult {
  const status = session.lastResponse?.statusCode;
  if (typeof session.id !== 'string' || session.id === '') {
    throw new ProviderError(
      'server',
      'Stripe returned a checkout session without an id',
      status,
      'invalid_response',
    );
  }
  if (typeof session.url !== 'string' || session.url === '') {
    throw new ProviderError(
      'server',
      `Stripe returned checkout session ${session.id} without a url`,
      status,
      'missing_checkout_url',
    );
  }
  return { providerSessionId: session.id, checkoutUrl: session.url };
}

/** Values Stripe might echo back in an error message (e.g. "Invalid email address: …"). */
function sensitiveValues(command: CreateProviderSessionCommand): string[] {
  const customer = command.customer;
  return [customer?.email, customer?.phone, customer?.firstName, customer?.lastName]
    .map((v) => v?.trim())
    .filter((v): v is string => !!v);
}

/** The SDK ignores a timeout that is not a positive integer (and falls back to its client default). */
function sdkTimeout(timeoutMs: number): number {
  return Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.ceil(timeoutMs) : FALLBACK_SDK_TIMEOUT_MS;
}

/** Checks the config at construction; returns the parsed default endpoint. Never echoes a key. */
function assertValidConfig(config: StripeAdapterConfig): StripeApiEndpoint | undefined {
  const fail = (problem: string): never => {
    throw new Error(`Stripe adapter config: ${problem}`);
  };
  if (typeof config.secretKeys !== 'object' || config.secretKeys === null)
    fail('secretKeys must be an object');
  for (const [name, key] of Object.entries(config.secretKeys)) {
    if (typeof key !== 'string' || key.trim() === '') fail(`secretKeys.${name} must be a non-empty string`);
  }
  if (config.defaultSecretKey !== undefined && config.defaultSecretKey.trim() === '') {
    fail('defaultSecretKey must not be empty');
  }
  for (const [name, secret] of Object.entries(config.webhookSecrets ?? {})) {
    if (typeof secret !== 'string' || secret.trim() === '')
      fail(`webhookSecrets.${name} must be a non-empty string`);
  }
  if (config.apiBase === undefined) return undefined;
  try {
    return parseStripeApiBase(config.apiBase);
  } catch (error) {
    return fail(`apiBase ${(error as Error).message}`);
  }
}
