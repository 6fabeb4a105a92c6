/**
 * Pure translation between our provider port and Stripe Checkout: the route
 * options, the `POST /v1/checkout/sessions` parameters, and the classification
 * of every failure the `stripe` SDK can surface. No I/O here.
 */
import Stripe from 'stripe';
import { CreateProviderSessionCommand, ProviderError, ProviderRoute } from '../provider.port';
import { hasName, isRecord, shortReason } from '../failure-text';
import { intentOption, knownRouteOptions, TransactionIntent } from '../route-options';

type SessionCreateParams = Stripe.Checkout.SessionCreateParams;
type LineItem = Stripe.Checkout.SessionCreateParams.LineItem;
type ProductData = Stripe.Checkout.SessionCreateParams.LineItem.PriceData.ProductData;
export type StripeLocale = Stripe.Checkout.SessionCreateParams.Locale;

/** The reason `ineligibilityReason` gives (and the mapper throws) when a redirect URL is missing. */
export const STRIPE_REDIRECT_URLS_REQUIRED =
  'redirect URLs required by stripe (redirectUrls.success and redirectUrls.failure)';

/* ------------------------------------------------------------------------ */
/* Route options and API base                                                 */
/* ------------------------------------------------------------------------ */

/** The catalog options a `stripe` route may carry. Never a key: only the NAME of the env var holding it. */
export interface StripeRouteOptions {
  /** The env var holding this route's secret key (e.g. `STRIPE_SECRET_KEY_AU`). */
  secretKeyEnv?: string;
  /** Overrides the adapter's API base for this route (e.g. a local sandbox). */
  apiBase?: string;
  /** The env var holding the signing secret of this account's webhook endpoint (e.g. `STRIPE_WEBHOOK_SECRET_AU`). */
  webhookSecretEnv?: string;
  /** Authorize only (capture later through the API) or capture at once; falls back to STRIPE_TRANSACTION_INTENT. */
  intent?: TransactionIntent;
}

const ROUTE_OPTION_KEYS: ReadonlySet<string> = new Set([
  'secretKeyEnv',
  'apiBase',
  'webhookSecretEnv',
  'intent',
]);
/** An environment variable name (what `secretKeyEnv` holds). */
export const ENV_VAR_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/** Validates and narrows a route's options; throws an Error naming the route and the option. */
export function parseStripeRouteOptions(route: ProviderRoute): StripeRouteOptions {
  const options = knownRouteOptions(route, 'stripe', ROUTE_OPTION_KEYS);
  const parsed: StripeRouteOptions = {};
  const { secretKeyEnv, apiBase, webhookSecretEnv } = options;
  if (secretKeyEnv !== undefined) parsed.secretKeyEnv = envNameOption(route, 'secretKeyEnv', secretKeyEnv);
  if (webhookSecretEnv !== undefined) {
    parsed.webhookSecretEnv = envNameOption(route, 'webhookSecretEnv', webhookSecretEnv);
  }
  if (apiBase !== undefined) {
    if (typeof apiBase !== 'string') {
      throw new Error(`Route "${route.id}": stripe option "apiBase" must be a URL string`);
    }
    try {
      parseStripeApiBase(apiBase);
    } catch (error) {
      throw new Error(`Route "${route.id}": stripe option "apiBase" ${(error as Error).message}`);
    }
    parsed.apiBase = apiBase;
  }
  const intent = intentOption(route, 'stripe', options.intent);
  if (intent !== undefined) parsed.intent = intent;
  return parsed;
}

/** Not echoed: a secret pasted here by mistake must not end up in a start-up error. */
function envNameOption(route: ProviderRoute, option: string, value: unknown): string {
  if (typeof value !== 'string' || !ENV_VAR_NAME_PATTERN.test(value)) {
    throw new Error(
      `Route "${route.id}": stripe option "${option}" must be the NAME of an environment variable (A-Z, 0-9, _), never a secret`,
    );
  }
  return value;
}

/** Where the SDK sends requests: its `host`, `port` and `protocol` settings. */
export interface StripeApiEndpoint {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

/**
 * Parses an API base such as `http://127.0.0.1:4010` or `https://api.stripe.com`
 * into the SDK's settings. The SDK always prefixes `/v1/`, so the base may not
 * carry a path (nor credentials, a query or a fragment). Throws an Error whose
 * message completes "<name> …" and never echoes the value.
 */
export function parseStripeApiBase(value: string): StripeApiEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must use http: or https:');
  if (url.username !== '' || url.password !== '') throw new Error('must not contain credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new Error('must be a bare origin such as https://api.stripe.com (the SDK adds /v1/ itself)');
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return {
    // URL keeps IPv6 literals in brackets; node:http wants them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port !== '' ? Number(url.port) : protocol === 'https' ? 443 : 80,
    protocol,
  };
}

/* ------------------------------------------------------------------------ */
/* Amounts                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Stripe's three-decimal currencies: `unit_amount` is in minor units (like
 * ours), but Stripe's payment partners require the last digit to be 0.
 */
export const STRIPE_THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BHD',
  'JOD',
  'KWD',
  'OMR',
  'TND',
]);

/**
 * Currencies whose Stripe unit differs from their ISO 4217 minor unit (which
 * is what our `*Minor` amounts use): multiply ours by `factor` (`divisor`
 * must divide ours exactly). Every other currency is passed through: ISO
 * 0-decimal currencies are Stripe zero-decimal currencies, ISO 2-decimal ones
 * are Stripe two-decimal ones.
 *
 * - ISK: ISO 0 decimals, but Stripe keeps it two-decimal (100 = 1 króna).
 * - MGA: ISO 2 decimals, but Stripe lists it as zero-decimal (1 = 1 ariary).
 */
const STRIPE_UNIT_SCALE: Readonly<Record<string, { factor: number } | { divisor: number }>> = {
  ISK: { factor: 100 },
  MGA: { divisor: 100 },
};

/**
 * One amount, in our minor units, as Stripe's `unit_amount` for `currency`.
 * Throws ProviderError('rejected', …, 'amount_not_supported') when Stripe
 * cannot take it: a three-decimal amount whose last digit is not 0 (Stripe
 * would refuse it; rounding would change the price), or an MGA amount with
 * fractional ariary. `what` names the amount in the message.
 */
export function toStripeUnitAmount(minor: number, currency: string, what: string): number {
  const code = currency.toUpperCase();
  if (STRIPE_THREE_DECIMAL_CURRENCIES.has(code) && minor % 10 !== 0) {
    throw new ProviderError(
      'rejected',
      `Stripe requires ${code} amounts in multiples of 10 minor units (last digit 0); ${what} is ${minor}`,
      undefined,
      'amount_not_supported',
    );
  }
  const scale = STRIPE_UNIT_SCALE[code];
  if (scale === undefined) return minor;
  if ('factor' in scale) return minor * scale.factor;
  if (minor % scale.divisor !== 0) {
    throw new ProviderError(
      'rejected',
      `Stripe takes ${code} as a zero-decimal currency, so amounts must be whole units (multiples of ${scale.divisor} minor units); ${what} is ${minor}`,
      undefined,
      'amount_not_supported',
    );
  }
  return minor / scale.divisor;
}

/** Stripe Checkout's cap on line items in `payment` mode. */
export const STRIPE_MAX_LINE_ITEMS = 100;
const PRODUCT_NAME_MAX = 250;

/**
 * The order lines plus a "Shipping" line (when shippingMinor > 0) and a "Tax"
 * line (when taxMinor > 0), each quantity 1, so that Σ unit_amount × quantity
 * is the total (in Stripe's unit for the currency, see toStripeUnitAmount).
 * Currency is lower-case; an item's `sku` travels as product metadata.
 *
 * Throws ProviderError('rejected') when the order cannot be charged faithfully:
 * a quantity that is not a positive integer, a price that is not a
 * non-negative integer, lines that do not add up to totalMinor (the line
 * items ARE the amount Stripe charges), or an amount Stripe cannot take.
 * More than 100 lines (Stripe's cap) collapse into a single line for the whole
 * order, so the amount charged stays exact.
 */
export function toStripeLineItems(
  command: Pick<
    CreateProviderSessionCommand,
    'currency' | 'items' | 'shippingMinor' | 'taxMinor' | 'totalMinor' | 'orderReference'
  >,
): LineItem[] {
  const currency = command.currency.toLowerCase();
  const lines: { name: string; sku?: string; quantity: number; unitMinor: number }[] = command.items.map(
    (item) => ({ name: item.name, sku: item.sku, quantity: item.quantity, unitMinor: item.unitPriceMinor }),
  );
  if (command.shippingMinor > 0)
    lines.push({ name: 'Shipping', quantity: 1, unitMinor: command.shippingMinor });
  if (command.taxMinor > 0) lines.push({ name: 'Tax', quantity: 1, unitMinor: command.taxMinor });
  if (lines.length === 0) {
    throw new ProviderError(
      'rejected',
      'Stripe Checkout needs at least one line item',
      undefined,
      'no_line_items',
    );
  }

  let sum = 0;
  lines.forEach((line, i) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new ProviderError(
        'rejected',
        `line ${i + 1}: quantity must be a positive integer for Stripe`,
        undefined,
        'invalid_line_item',
      );
    }
    if (!Number.isSafeInteger(line.unitMinor) || line.unitMinor < 0) {
      throw new ProviderError(
        'rejected',
        `line ${i + 1}: unit price must be a non-negative integer of minor units`,
        undefined,
        'invalid_line_item',
      );
    }
    sum += line.quantity * line.unitMinor;
  });
  if (sum !== command.totalMinor) {
    throw new ProviderError(
      'rejected',
      `line items add up to ${sum} but totalMinor is ${command.totalMinor}: Stripe charges the sum of the line items`,
      undefined,
      'amount_mismatch',
    );
  }

  if (lines.length > STRIPE_MAX_LINE_ITEMS) {
    const name = clip(`Order ${command.orderReference}`, PRODUCT_NAME_MAX) ?? 'Order';
    return [toLineItem({ name, quantity: 1, unitMinor: command.totalMinor }, currency, 'the order total')];
  }
  return lines.map((line, i) => toLineItem(line, currency, `line ${i + 1} unit price`));
}

function toLineItem(
  line: { name: string; sku?: string; quantity: number; unitMinor: number },
  currency: string,
  what: string,
): LineItem {
  const productData: ProductData = { name: clip(line.name, PRODUCT_NAME_MAX) ?? 'Item' };
  const sku = line.sku === undefined ? undefined : clipUtf16(line.sku.trim(), STRIPE_METADATA_VALUE_MAX);
  if (sku) productData.metadata = { sku };
  return {
    quantity: line.quantity,
    price_data: {
      currency,
      unit_amount: toStripeUnitAmount(line.unitMinor, currency, what),
      product_data: productData,
    },
  };
}

/* ------------------------------------------------------------------------ */
/* Session parameters                                                         */
/* ------------------------------------------------------------------------ */

/** Stripe's bounds for `expires_at`, relative to the session's creation. */
export const STRIPE_MIN_EXPIRY_SECONDS = 30 * 60;
export const STRIPE_MAX_EXPIRY_SECONDS = 24 * 60 * 60;
/** Kept inside each bound: Stripe measures from its own clock, after our request travelled. */
export const STRIPE_EXPIRY_MARGIN_SECONDS = 60;
/** Clamped values are rounded to this grid, so a replay minutes later sends the same parameters. */
const EXPIRY_GRID_SECONDS = 300;

/**
 * Our session's expiry as Stripe's `expires_at` (unix seconds), clamped to
 * what Stripe accepts: at least now + 30 min, at most now + 24 h (each with a
 * 60 s margin). A clamped value is rounded inwards to a 5-minute grid so that
 * an idempotent replay of the same attempt within that window sends identical
 * parameters (Stripe refuses a reused idempotency key with other parameters).
 */
export function toStripeExpiresAt(expiresAt: Date, now: Date): number {
  const wanted = Math.floor(expiresAt.getTime() / 1000);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(wanted) || !Number.isFinite(nowSeconds)) {
    throw new ProviderError('rejected', 'expiresAt is not a valid date', undefined, 'invalid_expiry');
  }
  const min = nowSeconds + STRIPE_MIN_EXPIRY_SECONDS + STRIPE_EXPIRY_MARGIN_SECONDS;
  const max = nowSeconds + STRIPE_MAX_EXPIRY_SECONDS - STRIPE_EXPIRY_MARGIN_SECONDS;
  if (wanted < min) return Math.ceil(min / EXPIRY_GRID_SECONDS) * EXPIRY_GRID_SECONDS;
  if (wanted > max) return Math.floor(max / EXPIRY_GRID_SECONDS) * EXPIRY_GRID_SECONDS;
  return wanted;
}

/** Stripe's limit for `client_reference_id`. */
export const STRIPE_CLIENT_REFERENCE_MAX = 200;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Our create command → the SDK's `Checkout.SessionCreateParams` (hosted page,
 * `mode: 'payment'`), which the SDK form-encodes in bracket notation.
 *
 * - `line_items`: see toStripeLineItems (throws 'rejected' when the order
 *   cannot be charged exactly, e.g. a KWD price whose last digit is not 0);
 * - `success_url` / `cancel_url`: redirectUrls.success / .failure with our
 *   `sessionId` query parameter appended (see withSessionIdParam); both are
 *   required (ineligibilityReason keeps the router from sending a request
 *   without them; the mapper still throws 'rejected' if one slips through);
 * - `client_reference_id`: orderReference when ≤ 200 characters (it is in
 *   metadata either way);
 * - `customer_email`: only when it looks like an e-mail address (a bad one
 *   would make Stripe refuse the whole session; it is only a prefill);
 * - `expires_at`: see toStripeExpiresAt;
 * - `metadata`: see toStripeMetadata;
 * - `locale`: see toStripeLocale (omitted when Stripe has no match);
 * - `payment_intent_data.capture_method=manual` when the intent is `authorize`: the
 *   payment is then captured (or voided) later through the API.
 */
export function toStripeSessionParams(
  command: CreateProviderSessionCommand,
  options: { now: Date; intent?: TransactionIntent },
): SessionCreateParams {
  const success = command.redirectUrls?.success?.trim();
  const failure = command.redirectUrls?.failure?.trim();
  if (!success || !failure) {
    throw new ProviderError('rejected', STRIPE_REDIRECT_URLS_REQUIRED, undefined, 'redirect_urls_required');
  }
  const params: SessionCreateParams = {
    mode: 'payment',
    line_items: toStripeLineItems(command),
    success_url: withSessionIdParam(success, command.sessionId, 'redirectUrls.success'),
    cancel_url: withSessionIdParam(failure, command.sessionId, 'redirectUrls.failure'),
    expires_at: toStripeExpiresAt(command.expiresAt, options.now),
    metadata: toStripeMetadata(command),
  };
  const reference = command.orderReference.trim();
  if (reference !== '' && reference.length <= STRIPE_CLIENT_REFERENCE_MAX)
    params.client_reference_id = reference;
  const email = command.customer?.email?.trim();
  if (email && email.length <= 512 && EMAIL_PATTERN.test(email)) params.customer_email = email;
  const locale = toStripeLocale(command.locale);
  if (locale !== undefined) params.locale = locale;
  if (options.intent === 'authorize') params.payment_intent_data = { capture_method: 'manual' };
  return params;
}

/**
 * `url` with `sessionId=<our id>` as its last query parameter: any existing
 * `sessionId` parameter is replaced, every other part of the URL (other
 * parameters, their encoding, a `{CHECKOUT_SESSION_ID}` template, the
 * fragment) is kept byte for byte. Throws ProviderError('rejected') naming
 * `what` (not the URL) when it is not an absolute http(s) URL.
 */
export function withSessionIdParam(url: string, sessionId: string, what = 'redirect URL'): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ProviderError(
      'rejected',
      `${what} must be an absolute http(s) URL for Stripe`,
      undefined,
      'invalid_redirect_url',
    );
  }
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const fragment = hashAt >= 0 ? url.slice(hashAt) : '';
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const query = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : '';
  const kept = query.split('&').filter((pair) => pair !== '' && queryKey(pair) !== 'sessionId');
  kept.push(`sessionId=${encodeURIComponent(sessionId)}`);
  return `${base}?${kept.join('&')}${fragment}`;
}

function queryKey(pair: string): string {
  const raw = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Stripe's metadata limits. */
export const STRIPE_METADATA_MAX_KEYS = 50;
export const STRIPE_METADATA_KEY_MAX = 40;
export const STRIPE_METADATA_VALUE_MAX = 500;

/**
 * `{ sessionId, orderReference, ...additionalInformation }` within Stripe's
 * limits (50 keys, keys ≤ 40 characters without `[` or `]`, values ≤ 500
 * characters). Ours go first and win a clash, so a merchant-supplied
 * `orderReference` cannot disguise the order. Then additionalInformation in
 * its own order until 50 keys: a key Stripe would refuse is skipped (a
 * shortened key could collide or mislead), a long value is truncated, an
 * empty one skipped (Stripe reads "" as "unset"), non-strings stringified.
 */
export function toStripeMetadata(
  command: Pick<CreateProviderSessionCommand, 'additionalInformation' | 'orderReference' | 'sessionId'>,
): Record<string, string> {
  const metadata: Record<string, string> = {};
  let count = 0;
  const add = (key: string, value: unknown): void => {
    if (count >= STRIPE_METADATA_MAX_KEYS || Object.prototype.hasOwnProperty.call(metadata, key)) return;
    if (key === '' || key.length > STRIPE_METADATA_KEY_MAX || /[[\]]/.test(key)) return;
    const text = stringifyMetadataValue(value);
    if (text === undefined || text === '') return;
    metadata[key] = clipUtf16(text, STRIPE_METADATA_VALUE_MAX);
    count += 1;
  };
  add('sessionId', command.sessionId);
  add('orderReference', command.orderReference);
  // Typed string→string, but it comes from JSON: treat the values as unknown.
  const extra: Record<string, unknown> = command.additionalInformation ?? {};
  for (const [key, value] of Object.entries(extra)) add(key, value);
  return metadata;
}

function stringifyMetadataValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The locales Stripe Checkout offers (its `Locale` type, without `auto`). */
export const STRIPE_CHECKOUT_LOCALES: ReadonlySet<string> = new Set([
  'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hi-IN',
  'hr', 'hu', 'id', 'it', 'ja', 'ko', 'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru',
  'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
]); // prettier-ignore

/** Spanish outside Spain: Stripe's `es-419` (Latin American Spanish). */
const LATIN_AMERICAN_REGIONS: ReadonlySet<string> = new Set([
  '419', 'AR', 'BO', 'CL', 'CO', 'CR', 'CU', 'DO', 'EC', 'GT', 'HN', 'MX', 'NI', 'PA', 'PE', 'PR', 'PY',
  'SV', 'US', 'UY', 'VE',
]); // prettier-ignore
const LANGUAGE_ALIASES: Readonly<Record<string, string>> = { no: 'nb', nn: 'nb', tl: 'fil', in: 'id' };

/**
 * Our locale (`en_AU`, `fr-CA`, `zh_Hant_TW`, `es-MX`, …) → the closest
 * Stripe Checkout locale: the exact language-region when Stripe has it
 * (`en-GB`, `fr-CA`, `pt-BR`), Latin American Spanish → `es-419`, Chinese by
 * region/script → `zh-HK` / `zh-TW` / `zh`, else the bare language (`en_AU` →
 * `en`, `fr_FR` → `fr`); undefined (omitted: Stripe then uses the browser's)
 * when Stripe has no such language.
 */
export function toStripeLocale(locale: string | undefined): StripeLocale | undefined {
  if (locale === undefined) return undefined;
  const parts = locale.trim().split(/[-_]/);
  const first = parts[0]?.toLowerCase() ?? '';
  if (!/^[a-z]{2,3}$/.test(first)) return undefined;
  const language = LANGUAGE_ALIASES[first] ?? first;
  let script: string | undefined;
  let region: string | undefined;
  for (const part of parts.slice(1)) {
    if (script === undefined && region === undefined && /^[A-Za-z]{4}$/.test(part)) {
      script = part.toLowerCase();
    } else if (region === undefined && /^([A-Za-z]{2}|\d{3})$/.test(part)) {
      region = part.toUpperCase();
    }
  }

  let candidate: string | undefined;
  if (language === 'zh') {
    if (region === 'HK' || region === 'MO') candidate = 'zh-HK';
    else if (region === 'TW' || (region === undefined && script === 'hant')) candidate = 'zh-TW';
    else candidate = 'zh';
  } else if (language === 'es' && region !== undefined && LATIN_AMERICAN_REGIONS.has(region)) {
    candidate = 'es-419';
  } else if (language === 'hi') {
    candidate = 'hi-IN';
  } else if (region !== undefined && STRIPE_CHECKOUT_LOCALES.has(`${language}-${region}`)) {
    candidate = `${language}-${region}`;
  } else {
    candidate = language;
  }
  return STRIPE_CHECKOUT_LOCALES.has(candidate) ? candidate : undefined;
}

/** Trimmed, clipped to `max` code points; undefined when blank. */
function clip(value: string | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const chars = [...trimmed];
  return chars.length > max ? chars.slice(0, max).join('').trimEnd() : trimmed;
}

/**
 * At most `max` UTF-16 units (so at most `max` characters however Stripe
 * counts), never splitting a surrogate pair.
 */
function clipUtf16(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

/* ------------------------------------------------------------------------ */
/* Failure classification                                                     */
/* ------------------------------------------------------------------------ */

/** What the adapter knows about the failed call. */
export interface StripeFailureContext {
  /** Our deadline (options.timeoutMs) fired before Stripe answered. */
  timedOut: boolean;
  /** Request values (e.g. the buyer's e-mail) to blank out should Stripe echo them in a message. */
  redact?: readonly string[];
}

/**
 * Maps whatever the SDK call threw to a classified ProviderError.
 *
 * - A Stripe HTTP response is authoritative (its `statusCode`): 5xx →
 *   `server`; 429, or the SDK's StripeRateLimitError (Stripe also signals
 *   rate limits as 400 `code: rate_limit`) → `rate_limited`; other 4xx
 *   (StripeInvalidRequestError, StripeAuthenticationError,
 *   StripePermissionError, StripeIdempotencyError, StripeCardError, and the
 *   StripeAPIError the SDK builds for a 409) → `rejected`; a status below 400
 *   carrying an error → `server`. The message keeps the status, Stripe's
 *   `type`, `code`, `param` and message (shortened, request values redacted);
 *   `providerCode` is Stripe's `code`, else its error `type`.
 * - A StripeAPIError without a status (the body was not JSON, or not a JSON
 *   object) → `server`.
 * - `timedOut` (our deadline fired), a StripeConnectionError that the SDK
 *   raised for its own timeout (`detail.code === 'ETIMEDOUT'`, "Request
 *   aborted due to timeout being reached"), or an abort reason named
 *   `TimeoutError` → `timeout`.
 * - Other StripeConnectionErrors (refused, reset, DNS…), an `AbortError` (the
 *   caller gave up) and anything unrecognised → `network`.
 *
 * The SDK error is attached as `cause` only for transport failures: API
 * errors carry Stripe's raw error object, which may hold payment data.
 */
export function classifyStripeFailure(error: unknown, context: StripeFailureContext): ProviderError {
  if (error instanceof ProviderError) return error;
  const { errors } = Stripe;

  if (error instanceof errors.StripeError && !(error instanceof errors.StripeConnectionError)) {
    const status = error.statusCode;
    if (status !== undefined) return classifyHttpError(error, status, context);
    if (error instanceof errors.StripeRateLimitError)
      return httpFailure('rate_limited', error, undefined, context);
    if (error instanceof errors.StripeAPIError) {
      return new ProviderError(
        'server',
        `Stripe sent a response the SDK could not read (${shortReason(error.message) ?? 'invalid body'})`,
        undefined,
        'invalid_response',
      );
    }
    if (!context.timedOut && isClientRefusal(error))
      return httpFailure('rejected', error, undefined, context);
  }

  if (context.timedOut || isSdkTimeout(error) || hasName(error, 'TimeoutError')) {
    return new ProviderError('timeout', 'Stripe did not answer before the deadline', undefined, undefined, {
      cause: error,
    });
  }
  if (error instanceof errors.StripeConnectionError) {
    const code = errorCode(error.detail);
    return new ProviderError(
      'network',
      `Stripe unreachable (connection failed${code ? `: ${code}` : ''})`,
      undefined,
      undefined,
      { cause: error },
    );
  }
  if (hasName(error, 'AbortError')) {
    return new ProviderError(
      'network',
      'Stripe call aborted before a response arrived',
      undefined,
      undefined,
      {
        cause: error,
      },
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new ProviderError('network', `Stripe call failed unexpectedly (${name})`, undefined, undefined, {
    cause: error,
  });
}

type SdkStripeError = InstanceType<typeof Stripe.errors.StripeError>;

function classifyHttpError(
  error: SdkStripeError,
  status: number,
  context: StripeFailureContext,
): ProviderError {
  if (status >= 500) return httpFailure('server', error, status, context);
  if (status === 429 || error instanceof Stripe.errors.StripeRateLimitError) {
    return httpFailure('rate_limited', error, status, context);
  }
  if (status >= 400) return httpFailure('rejected', error, status, context);
  return httpFailure('server', error, status, context);
}

function httpFailure(
  kind: 'server' | 'rate_limited' | 'rejected',
  error: SdkStripeError,
  status: number | undefined,
  context: StripeFailureContext,
): ProviderError {
  const type = typeof error.rawType === 'string' ? error.rawType : undefined;
  const code = typeof error.code === 'string' && error.code !== '' ? error.code : undefined;
  const param = typeof error.param === 'string' && error.param !== '' ? error.param : undefined;
  const reason = shortReason(redact(error.message, context.redact));
  const head = status !== undefined ? `Stripe responded HTTP ${status}` : 'Stripe refused the request';
  const labels = [type, code].filter((l): l is string => l !== undefined).join('/');
  const message = `${head}${labels ? ` ${labels}` : ''}${reason ? `: ${reason}` : ''}${
    param ? ` (param: ${shortReason(param)})` : ''
  }`;
  return new ProviderError(kind, message, status, code ?? type);
}

/** The SDK's 4xx classes, when no status is known (built by hand, or a future SDK path). */
function isClientRefusal(error: SdkStripeError): boolean {
  const { errors } = Stripe;
  return (
    error instanceof errors.StripeInvalidRequestError ||
    error instanceof errors.StripeAuthenticationError ||
    error instanceof errors.StripePermissionError ||
    error instanceof errors.StripeIdempotencyError ||
    error instanceof errors.StripeCardError
  );
}

/** The SDK's own timeout: a StripeConnectionError whose detail carries ETIMEDOUT. */
function isSdkTimeout(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeConnectionError)) return false;
  return errorCode(error.detail) === 'ETIMEDOUT' || /\btimeout\b/i.test(error.message);
}

function errorCode(detail: unknown): string | undefined {
  if (!isRecord(detail)) return undefined;
  const code = detail.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}

function redact(text: string, values: readonly string[] | undefined): string {
  let out = text;
  for (const value of values ?? []) {
    if (value.length >= 3) out = out.split(value).join('[redacted]');
  }
  return out;
}
