/**
 * The Gr4vy adapter: the thin I/O half. Builds the body with the pure mapper,
 * calls `POST /checkout/sessions` through the official SDK and classifies
 * failures with `classifyGr4vyFailure`. No retries here: the core decides
 * about retries and failover.
 *
 * Why the SDK's standalone function (`checkoutSessionsCreate(core, …)`) rather
 * than `new Gr4vy().checkoutSessions.create(…)`: in @gr4vy/sdk 1.10.18, when
 * the operation throws instead of returning an error Result (a 2xx/4xx with
 * malformed JSON, the body read aborted, the token callback failing), the
 * `APIPromise` it builds leaves an internal promise rejected with no handler.
 * `create()` cannot reach it, so even a caught failure ends in an
 * `unhandledRejection` that kills Node. The standalone function hands us the
 * APIPromise, whose `.catch()` marks that promise handled.
 */
import { createPrivateKey } from 'node:crypto';
import { getToken, JWTScope } from '@gr4vy/sdk';
import { Gr4vyCore } from '@gr4vy/sdk/core';
import { checkoutSessionsCreate } from '@gr4vy/sdk/funcs/checkoutSessionsCreate';
import { checkoutSessionsDelete } from '@gr4vy/sdk/funcs/checkoutSessionsDelete';
import { checkoutSessionsGet } from '@gr4vy/sdk/funcs/checkoutSessionsGet';
import { transactionsCreate } from '@gr4vy/sdk/funcs/transactionsCreate';
import { transactionsGet } from '@gr4vy/sdk/funcs/transactionsGet';
import { transactionsList } from '@gr4vy/sdk/funcs/transactionsList';
import { HTTPClient } from '@gr4vy/sdk/lib/http';
import type { RequestOptions } from '@gr4vy/sdk/lib/sdks';
import { withDeadline } from '../deadline';
import {
  CreateProviderSessionCommand,
  EligibilityRequest,
  HostedFields,
  HostedPaymentFlow,
  PayHostedSessionCommand,
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
  TransactionReadFlow,
  TransactionResult,
  VerifiedWebhook,
  WebhookFlow,
  WebhookRejected,
} from '../provider.port';
import { keepAliveFetcher } from './gr4vy.fetcher';
import { Gr4vyPayments } from './gr4vy.payments';
import { GR4VY_FIELDS_SCRIPT } from './gr4vy.hosted-fields';
import { gr4vySessionStatus, toTransactionResult, verifyGr4vyWebhook } from './gr4vy.transactions';
import { classifyGr4vyFailure, parseGr4vyRouteOptions, toGr4vyCheckoutSessionCreate } from './gr4vy.mapper';
import { Gr4vyTokenCache, Gr4vyTokenSigner } from './gr4vy.token-cache';

/** What the app passes in (read from its own configuration; no env access here). */
export type Gr4vyAdapterConfig = {
  /** The Gr4vy instance id: `https://api.[sandbox.]{gr4vyId}.gr4vy.app`. */
  gr4vyId: string;
  environment: 'sandbox' | 'production';
  /** Overrides the URL derived from gr4vyId/environment (e.g. a local sandbox). */
  serverUrl?: string;
  /** The ES512 (P-521) private key, PEM. */
  privateKeyPem: string;
  /** Used when a route has no `merchantAccountId` option. */
  defaultMerchantAccountId?: string;
  /** Lifetime of the signed bearer tokens. Default 300. */
  tokenTtlSeconds?: number;
  /** Secure Fields script for the hosted page; default: Gr4vy's CDN for the instance. */
  secureFieldsUrl?: string;
  /** `intent` of the transactions created from the hosted page. Default authorize. */
  transactionIntent?: 'authorize' | 'capture';
  /** HMAC secret of Gr4vy webhooks; webhooks are refused while unset. */
  webhookSecret?: string;
  /** Accepted clock difference of a webhook's timestamp. Default 300. */
  webhookToleranceSeconds?: number;
};

/** Test seams; production code passes none of these. */
export interface Gr4vyProviderDeps {
  /** The SDK's HTTP client, e.g. `new HTTPClient({ fetcher })`. */
  httpClient?: HTTPClient;
  /** Token signer; defaults to the SDK's `getToken`. */
  signToken?: Gr4vyTokenSigner;
  /** Clock for the token cache. */
  now?: () => number;
}

/** The narrowest scope that can create a checkout session. */
export const GR4VY_SCOPES: readonly string[] = [JWTScope.CheckoutSessionsWrite];
/** Each operation signs with only the scope it needs. */
const PAY_SCOPES = [JWTScope.TransactionsWrite];
const READ_SCOPES = [JWTScope.TransactionsRead];
const SESSION_READ_SCOPES = [JWTScope.CheckoutSessionsRead];
/** Transactions read per session when we do not know ours: a session sees a handful at most (one per pay attempt). */
const SESSION_TRANSACTIONS_LIMIT = 20;

const DEFAULT_TOKEN_TTL_SECONDS = 300;
const MIN_TOKEN_TTL_SECONDS = 30;
const MAX_TOKEN_TTL_SECONDS = 86_400;
/** Printable ASCII only: anything else could not travel in a header. */
const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

const defaultSigner: Gr4vyTokenSigner = (options) => getToken(options);

/** Gr4vy's bounds on a checkout session's `expires_in`, in seconds. */
export const GR4VY_SESSION_TTL_SECONDS = { min: 3600, max: 86_400 } as const;

export class Gr4vyProvider
  extends PaymentProvider
  implements
    SessionCreationFlow,
    HostedPaymentFlow,
    TransactionReadFlow,
    WebhookFlow,
    SessionStatusReadFlow,
    SessionCancelFlow
{
  readonly kind = 'gr4vy';
  /** Capture, void and refund, on the transactions.write client (called only once the constructor has run). */
  private readonly money = new Gr4vyPayments({
    client: () => this.payments.client,
    merchantAccountId: (route) =>
      parseGr4vyRouteOptions(route).merchantAccountId ?? this.config.defaultMerchantAccountId,
    invoke: (options, requestId, call) => this.invoke(this.payments.tokens, options, requestId, call),
  });
  readonly flows: ProviderFlows = {
    createSession: this,
    hostedPayment: this,
    transactionRead: this,
    webhook: this,
    sessionRead: this,
    cancel: this,
    capture: this.money,
    void: this.money,
    refund: this.money,
  };
  /** Gr4vy has no payment page: the buyer pays on ours, with Secure Fields. */
  readonly checkoutPage = 'hosted';
  readonly fieldsScript = GR4VY_FIELDS_SCRIPT;
  /** SDK clients (the minimal client the SDK's standalone functions take), one per scope set. */
  private readonly client: Gr4vyCore;
  private readonly tokens: Gr4vyTokenCache;
  private readonly payments: { client: Gr4vyCore; tokens: Gr4vyTokenCache };
  private readonly reads: { client: Gr4vyCore; tokens: Gr4vyTokenCache };
  private readonly sessionReads: { client: Gr4vyCore; tokens: Gr4vyTokenCache };
  private readonly fetcher = keepAliveFetcher();

  constructor(
    private readonly config: Gr4vyAdapterConfig,
    deps: Gr4vyProviderDeps = {},
  ) {
    super();
    assertValidConfig(config);
    const httpClient = deps.httpClient ?? new HTTPClient({ fetcher: this.fetcher });
    const makeClient = (scopes: string[]) => {
      const tokens = new Gr4vyTokenCache({
        privateKeyPem: config.privateKeyPem,
        scopes,
        ttlSeconds: config.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
        sign: deps.signToken ?? defaultSigner,
        now: deps.now,
      });
      const client = new Gr4vyCore({
        server: config.environment,
        id: config.gr4vyId,
        serverURL: config.serverUrl,
        merchantAccountId: config.defaultMerchantAccountId,
        // Called by the SDK before every request: returns the cached token.
        bearerAuth: () => tokens.get(),
        retryConfig: { strategy: 'none' },
        httpClient,
      });
      return { client, tokens };
    };
    ({ client: this.client, tokens: this.tokens } = makeClient([...GR4VY_SCOPES]));
    this.payments = makeClient(PAY_SCOPES);
    this.reads = makeClient(READ_SCOPES);
    this.sessionReads = makeClient(SESSION_READ_SCOPES);
  }

  validateRouteOptions(route: ProviderRoute): void {
    parseGr4vyRouteOptions(route);
  }

  ineligibilityReason(_route: ProviderRoute, request: EligibilityRequest): string | null {
    const { min, max } = GR4VY_SESSION_TTL_SECONDS;
    if (request.ttlSeconds < min || request.ttlSeconds > max) {
      return `session lifetime must be between ${min} and ${max} seconds for gr4vy (SESSION_TTL_SECONDS is ${request.ttlSeconds})`;
    }
    return null;
  }

  async createSession(
    command: CreateProviderSessionCommand,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionResult> {
    const body = toGr4vyCheckoutSessionCreate(command);
    const merchantAccountId =
      parseGr4vyRouteOptions(command.route).merchantAccountId ?? this.config.defaultMerchantAccountId;

    const session = await this.invoke(this.tokens, options, command.requestId, (requestOptions) =>
      checkoutSessionsCreate(this.client, body, merchantAccountId, requestOptions),
    );
    return { providerSessionId: session.id, checkoutUrl: command.hostedCheckoutUrl };
  }

  override async close(): Promise<void> {
    this.fetcher.close();
  }

  hostedFields(_route: ProviderRoute, providerSessionId: string): HostedFields {
    const scriptUrl =
      this.config.secureFieldsUrl ??
      `https://cdn.${this.config.environment === 'sandbox' ? 'sandbox.' : ''}${this.config.gr4vyId}.gr4vy.app/secure-fields/latest/secure-fields.js`;
    const scriptOrigin = new URL(scriptUrl).origin;
    const apiOrigin = this.config.serverUrl
      ? new URL(this.config.serverUrl).origin
      : `https://api.${this.config.environment === 'sandbox' ? 'sandbox.' : ''}${this.config.gr4vyId}.gr4vy.app`;
    return {
      scriptUrl,
      attributes: {
        gr4vyId: this.config.gr4vyId,
        environment: this.config.environment,
        sessionId: providerSessionId,
      },
      scriptOrigins: [scriptOrigin],
      connectOrigins: [...new Set([scriptOrigin, apiOrigin])],
      frameOrigins: [scriptOrigin],
    };
  }

  async pay(command: PayHostedSessionCommand, options: ProviderCallOptions): Promise<TransactionResult> {
    const route = parseGr4vyRouteOptions(command.route);
    const merchantAccountId = route.merchantAccountId ?? this.config.defaultMerchantAccountId;
    const transaction = await this.invoke(
      this.payments.tokens,
      options,
      command.requestId,
      (requestOptions) =>
        transactionsCreate(
          this.payments.client,
          {
            amount: command.amountMinor,
            currency: command.currency,
            paymentMethod: {
              method: 'checkout-session',
              id: command.providerSessionId,
              redirectUrl: command.returnUrl,
            },
            externalIdentifier: command.orderReference,
            intent: route.intent ?? this.config.transactionIntent ?? 'authorize',
            paymentServiceId: route.paymentServiceId,
          },
          merchantAccountId,
          command.idempotencyKey,
          undefined,
          requestOptions,
        ),
    );
    return toTransactionResult(transaction);
  }

  /** Read with the merchant account of the route that created the transaction: another account cannot see it. */
  async getTransaction(
    route: ProviderRoute,
    transactionId: string,
    options: ProviderCallOptions,
  ): Promise<TransactionResult> {
    const merchantAccountId = this.merchantAccountOf(route);
    const transaction = await this.invoke(this.reads.tokens, options, undefined, (requestOptions) =>
      transactionsGet(this.reads.client, transactionId, merchantAccountId, requestOptions),
    );
    return toTransactionResult(transaction);
  }

  /**
   * The transaction we stored tells where the session stands; without one (the pay step
   * died before storing it) the session's own transactions do, and with none at all,
   * whether Gr4vy still has the session.
   */
  async readSession(
    route: ProviderRoute,
    session: ProviderSessionRef,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionState> {
    const transactions = await this.sessionTransactions(route, session, options);
    if (transactions.length > 0) return gr4vySessionStatus(transactions, true);
    return gr4vySessionStatus([], await this.sessionExists(route, session.providerSessionId, options));
  }

  /**
   * Deletes the session first, so that no new payment can start on it, then looks at
   * what was paid before: a payment taken or in flight means it was not cancelled.
   */
  async cancelSession(
    route: ProviderRoute,
    providerSessionId: string,
    options: ProviderCallOptions,
  ): Promise<{ outcome: SessionCancelOutcome }> {
    const merchantAccountId = this.merchantAccountOf(route);
    let deleted = true;
    try {
      await this.invoke(this.tokens, options, undefined, (requestOptions) =>
        checkoutSessionsDelete(this.client, providerSessionId, merchantAccountId, requestOptions),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
      deleted = false;
    }
    const transactions = await this.sessionTransactions(route, { providerSessionId }, options);
    const { state, transaction } = gr4vySessionStatus(transactions, false);
    if (transaction && (state === 'paid' || state === 'open')) return { outcome: 'already_paid' };
    return { outcome: deleted ? 'cancelled' : 'already_closed' };
  }

  verifyWebhook(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    now: Date,
  ): VerifiedWebhook {
    if (!this.config.webhookSecret) throw new WebhookRejected('not_configured');
    return verifyGr4vyWebhook(
      headers,
      rawBody,
      now,
      this.config.webhookSecret,
      this.config.webhookToleranceSeconds ?? 300,
    );
  }

  private merchantAccountOf(route: ProviderRoute): string | undefined {
    return parseGr4vyRouteOptions(route).merchantAccountId ?? this.config.defaultMerchantAccountId;
  }

  /** Ours when we know it, else the session's own, newest first (Gr4vy lists by last update). */
  private async sessionTransactions(
    route: ProviderRoute,
    { providerSessionId, transactionId }: ProviderSessionRef,
    options: ProviderCallOptions,
  ): Promise<TransactionResult[]> {
    if (transactionId !== undefined) return [await this.getTransaction(route, transactionId, options)];
    const merchantAccountId = this.merchantAccountOf(route);
    const page = await this.invoke(this.reads.tokens, options, undefined, (requestOptions) =>
      transactionsList(
        this.reads.client,
        { checkoutSessionId: providerSessionId, limit: SESSION_TRANSACTIONS_LIMIT, merchantAccountId },
        requestOptions,
      ),
    );
    // The filter is Gr4vy's; checked again so that another session's payment can never settle this one.
    const wanted = providerSessionId.toLowerCase();
    return page.result.items
      .filter((item) => item.checkoutSessionId?.toLowerCase() === wanted)
      .map((item) => toTransactionResult(item));
  }

  private async sessionExists(
    route: ProviderRoute,
    providerSessionId: string,
    options: ProviderCallOptions,
  ): Promise<boolean> {
    try {
      await this.invoke(this.sessionReads.tokens, options, undefined, (requestOptions) =>
        checkoutSessionsGet(
          this.sessionReads.client,
          providerSessionId,
          this.merchantAccountOf(route),
          requestOptions,
        ),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * One SDK call under the shared deadline: the signal stops fetch, and the
   * deadline stops us waiting even where the signal is not honoured (token
   * signing, a custom fetcher, body parsing). Every failure is classified the
   * same way; a 401 drops the cached token.
   */
  private async invoke<T>(
    tokens: Gr4vyTokenCache,
    options: ProviderCallOptions,
    requestId: string | undefined,
    call: (requestOptions: RequestOptions) => Promise<{ ok: true; value: T } | { ok: false; error: unknown }>,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (requestId !== undefined && REQUEST_ID_PATTERN.test(requestId)) headers['X-Request-Id'] = requestId;
    return withDeadline(
      options,
      async (signal) => {
        const pending = call({ signal, retries: { strategy: 'none' }, headers });
        pending.catch(() => undefined); // see the file header: avoids the SDK's unhandled rejection
        const result = await pending;
        if (!result.ok) throw result.error;
        return result.value;
      },
      (error, { timedOut }) => {
        const failure = classifyGr4vyFailure(error, { timedOut });
        if (failure.providerStatus === 401) tokens.invalidate();
        return failure;
      },
    );
  }
}

/** Gr4vy answered 404: the session (expired or deleted) or transaction is not there for this account. */
function isNotFound(error: unknown): boolean {
  return error instanceof ProviderError && error.providerStatus === 404;
}

function assertValidConfig(config: Gr4vyAdapterConfig): void {
  const fail = (problem: string): never => {
    throw new Error(`Gr4vy adapter config: ${problem}`);
  };
  if (typeof config.gr4vyId !== 'string' || !/^[a-z0-9][a-z0-9-]*$/i.test(config.gr4vyId)) {
    fail('gr4vyId must be a Gr4vy instance id (letters, digits, dashes)');
  }
  if (config.environment !== 'sandbox' && config.environment !== 'production') {
    fail('environment must be "sandbox" or "production"');
  }
  if (config.serverUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(config.serverUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      fail('serverUrl must be an http(s) URL');
  }
  if (config.defaultMerchantAccountId !== undefined && config.defaultMerchantAccountId.trim() === '') {
    fail('defaultMerchantAccountId must not be empty');
  }
  const ttl = config.tokenTtlSeconds;
  if (
    ttl !== undefined &&
    (!Number.isInteger(ttl) || ttl < MIN_TOKEN_TTL_SECONDS || ttl > MAX_TOKEN_TTL_SECONDS)
  ) {
    fail(`tokenTtlSeconds must be an integer between ${MIN_TOKEN_TTL_SECONDS} and ${MAX_TOKEN_TTL_SECONDS}`);
  }
  // Fail at start, not on the first payment: Gr4vy tokens are ES512, i.e. P-521.
  let curve: string | undefined;
  try {
    const key = createPrivateKey(config.privateKeyPem);
    curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  } catch {
    fail('privateKeyPem is not a readable PEM private key');
  }
  if (curve !== 'secp521r1') fail('privateKeyPem must be an EC P-521 (secp521r1) key for ES512');
}
