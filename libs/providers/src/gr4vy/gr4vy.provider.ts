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
import type { HTTPClient } from '@gr4vy/sdk/lib/http';
import type { RequestOptions } from '@gr4vy/sdk/lib/sdks';
import {
  CreateProviderSessionCommand,
  PaymentProvider,
  ProviderCallOptions,
  ProviderRoute,
  ProviderSessionResult,
} from '../provider.port';
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

/** The narrowest scope that can create a checkout session (and all this adapter does). */
export const GR4VY_SCOPES: readonly string[] = [JWTScope.CheckoutSessionsWrite];

const DEFAULT_TOKEN_TTL_SECONDS = 300;
const MIN_TOKEN_TTL_SECONDS = 30;
const MAX_TOKEN_TTL_SECONDS = 86_400;
/** Printable ASCII only: anything else could not travel in a header. */
const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

const defaultSigner: Gr4vyTokenSigner = (options) => getToken(options);

/** The reason our own deadline aborts with (fetch rejects with the signal's reason). */
class Gr4vyDeadlineExceeded extends Error {
  constructor(timeoutMs: number) {
    super(`Gr4vy call exceeded ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

export class Gr4vyProvider extends PaymentProvider {
  readonly kind = 'gr4vy';
  /** The one SDK client (the minimal client the SDK's standalone functions take). */
  private readonly client: Gr4vyCore;
  private readonly tokens: Gr4vyTokenCache;

  constructor(
    private readonly config: Gr4vyAdapterConfig,
    deps: Gr4vyProviderDeps = {},
  ) {
    super();
    assertValidConfig(config);
    this.tokens = new Gr4vyTokenCache({
      privateKeyPem: config.privateKeyPem,
      scopes: [...GR4VY_SCOPES],
      ttlSeconds: config.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
      sign: deps.signToken ?? defaultSigner,
      now: deps.now,
    });
    this.client = new Gr4vyCore({
      server: config.environment,
      id: config.gr4vyId,
      serverURL: config.serverUrl,
      merchantAccountId: config.defaultMerchantAccountId,
      // Called by the SDK before every request: returns the cached token.
      bearerAuth: () => this.tokens.get(),
      retryConfig: { strategy: 'none' },
      httpClient: deps.httpClient,
    });
  }

  validateRouteOptions(route: ProviderRoute): void {
    parseGr4vyRouteOptions(route);
  }

  async createSession(
    command: CreateProviderSessionCommand,
    options: ProviderCallOptions,
  ): Promise<ProviderSessionResult> {
    const body = toGr4vyCheckoutSessionCreate(command);
    const merchantAccountId =
      parseGr4vyRouteOptions(command.route).merchantAccountId ?? this.config.defaultMerchantAccountId;

    const deadline = startDeadline(options.signal, options.timeoutMs);
    try {
      const headers: Record<string, string> = {};
      if (command.requestId !== undefined && REQUEST_ID_PATTERN.test(command.requestId)) {
        headers['X-Request-Id'] = command.requestId;
      }
      const requestOptions: RequestOptions = {
        signal: deadline.signal,
        retries: { strategy: 'none' },
        headers,
      };
      // Race the SDK against the deadline: the signal stops fetch, and the race
      // stops us waiting even where the signal is not honoured (token signing,
      // a custom fetcher, body parsing).
      const call = checkoutSessionsCreate(this.client, body, merchantAccountId, requestOptions);
      call.catch(() => undefined); // see the file header: avoids the SDK's unhandled rejection
      const result = await Promise.race([call, deadline.aborted]);
      if (!result.ok) throw result.error;
      return { providerSessionId: result.value.id, checkoutUrl: command.hostedCheckoutUrl };
    } catch (error) {
      const failure = classifyGr4vyFailure(error, { timedOut: deadline.timedOut() });
      if (failure.providerStatus === 401) this.tokens.invalidate();
      throw failure;
    } finally {
      deadline.dispose();
    }
  }
}

/**
 * One AbortController that fires on the caller's signal or after `timeoutMs`,
 * remembering which one it was; `aborted` rejects with the abort reason.
 */
function startDeadline(parent: AbortSignal, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  let rejectAborted: (reason: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    rejectAborted = reject;
  });
  // The race may already be settled when the abort fires: not an unhandled rejection.
  aborted.catch(() => undefined);

  const abort = (reason: unknown): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    rejectAborted(reason);
  };
  const onParentAbort = (): void => abort(parent.reason);
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          abort(new Gr4vyDeadlineExceeded(timeoutMs));
        }, timeoutMs)
      : undefined;
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });

  return {
    signal: controller.signal,
    aborted,
    timedOut: (): boolean => timedOut,
    dispose: (): void => {
      if (timer !== undefined) clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
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
