/**
 * Pure translation between our provider port and the Gr4vy SDK: the request
 * body for `POST /checkout/sessions`, the route options, and the classification
 * of every failure the SDK can surface. No I/O here.
 */
import type {
  Address,
  BillingDetails,
  CartItem,
  CheckoutSessionCreate,
  GuestBuyer,
  ShippingDetailsCreate,
} from '@gr4vy/sdk/models/components';
import {
  ConnectionError,
  Gr4vyError,
  HTTPValidationError,
  InvalidRequestError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  SDKError,
  SDKValidationError,
  UnexpectedClientError,
} from '@gr4vy/sdk/models/errors';
import {
  CreateProviderSessionCommand,
  ProviderAddress,
  ProviderCustomer,
  ProviderError,
  ProviderRoute,
} from '../provider.port';
import { hasName, isRecord, shortReason } from '../failure-text';
import { intentOption, knownRouteOptions, TransactionIntent } from '../route-options';

/** Gr4vy's phone number pattern (E.164), from its OpenAPI `BillingDetails.phone_number`. */
export const GR4VY_E164_PATTERN = /^\+[1-9]\d{1,14}$/;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;
/** Gr4vy's upper bound for `amount`, `unit_amount` and `quantity`. */
const GR4VY_MAX_INTEGER = 99_999_999;

/* ------------------------------------------------------------------------ */
/* Route options                                                              */
/* ------------------------------------------------------------------------ */

/** The catalog options a `gr4vy` route may carry. */
export interface Gr4vyRouteOptions {
  /** Skip Gr4vy's routing rules and use this payment service (a UUID). */
  paymentServiceId?: string;
  /** Sent as `x-gr4vy-merchant-account-id`; falls back to the adapter's default. */
  merchantAccountId?: string;
  /** `intent` of the transactions this route creates; falls back to GR4VY_TRANSACTION_INTENT. */
  intent?: TransactionIntent;
}

const ROUTE_OPTION_KEYS: ReadonlySet<string> = new Set(['paymentServiceId', 'merchantAccountId', 'intent']);

/** Validates and narrows a route's options; throws an Error naming the route and the option. */
export function parseGr4vyRouteOptions(route: ProviderRoute): Gr4vyRouteOptions {
  const options = knownRouteOptions(route, 'gr4vy', ROUTE_OPTION_KEYS);
  const parsed: Gr4vyRouteOptions = {};
  const { paymentServiceId, merchantAccountId } = options;
  if (paymentServiceId !== undefined) {
    if (typeof paymentServiceId !== 'string' || !UUID_PATTERN.test(paymentServiceId)) {
      throw new Error(`Route "${route.id}": gr4vy option "paymentServiceId" must be a UUID string`);
    }
    parsed.paymentServiceId = paymentServiceId;
  }
  if (merchantAccountId !== undefined) {
    if (typeof merchantAccountId !== 'string' || merchantAccountId.trim() === '') {
      throw new Error(`Route "${route.id}": gr4vy option "merchantAccountId" must be a non-empty string`);
    }
    parsed.merchantAccountId = merchantAccountId;
  }
  const intent = intentOption(route, 'gr4vy', options.intent);
  if (intent !== undefined) parsed.intent = intent;
  return parsed;
}

/* ------------------------------------------------------------------------ */
/* Request body                                                               */
/* ------------------------------------------------------------------------ */

/**
 * Our create command → the SDK's `CheckoutSessionCreate` (camelCase; the SDK
 * serialises it to snake_case). Amounts are passed through in minor units,
 * untouched, whatever the currency's exponent.
 *
 * Not sent: the transaction `country` (Gr4vy accepts it, but the SDK marks it
 * `x-speakeasy-ignore` and its schema strips it); the billing country still
 * travels in `buyer.billing_details.address.country`.
 */
export function toGr4vyCheckoutSessionCreate(command: CreateProviderSessionCommand): CheckoutSessionCreate {
  const { paymentServiceId } = parseGr4vyRouteOptions(command.route);
  const body: CheckoutSessionCreate = {
    amount: command.totalMinor,
    currency: command.currency,
    expiresIn: command.ttlSeconds,
    metadata: toGr4vyMetadata(command),
  };
  const cartItems = toGr4vyCartItems(command);
  if (cartItems !== undefined) body.cartItems = cartItems;
  const buyer = toGr4vyBuyer(command.customer);
  if (buyer !== undefined) body.buyer = buyer;
  if (paymentServiceId !== undefined) body.paymentServiceId = paymentServiceId;
  return body;
}

/**
 * The order lines plus a `shipping_fee` line (when shippingMinor > 0) and a
 * `sales_tax` line (when taxMinor > 0), all in minor units, so that
 * Σ quantity × unitAmount = totalMinor.
 *
 * Returns `undefined` (cart omitted; `amount` stays authoritative) when the
 * lines cannot be sent faithfully: no lines at all, a line Gr4vy would refuse
 * (quantity not a positive integer, negative/non-integer price, above Gr4vy's
 * 99,999,999 cap), or lines that do not add up to the total — sending a cart
 * that contradicts the amount would make Gr4vy or the PSP reject the payment.
 */
export function toGr4vyCartItems(
  command: Pick<CreateProviderSessionCommand, 'items' | 'shippingMinor' | 'taxMinor' | 'totalMinor'>,
): CartItem[] | undefined {
  const cart: CartItem[] = command.items.map((item) => {
    const line: CartItem = {
      name: clip(item.name, 255) ?? 'Item',
      quantity: item.quantity,
      unitAmount: item.unitPriceMinor,
    };
    const sku = clip(item.sku, 200);
    if (sku !== undefined) line.sku = sku;
    return line;
  });
  if (command.shippingMinor > 0) {
    cart.push({
      name: 'Shipping',
      quantity: 1,
      unitAmount: command.shippingMinor,
      productType: 'shipping_fee',
    });
  }
  if (command.taxMinor > 0) {
    cart.push({ name: 'Tax', quantity: 1, unitAmount: command.taxMinor, productType: 'sales_tax' });
  }
  if (cart.length === 0) return undefined;

  let sum = 0;
  for (const line of cart) {
    const valid =
      Number.isSafeInteger(line.quantity) &&
      line.quantity > 0 &&
      line.quantity <= GR4VY_MAX_INTEGER &&
      Number.isSafeInteger(line.unitAmount) &&
      line.unitAmount >= 0 &&
      line.unitAmount <= GR4VY_MAX_INTEGER;
    if (!valid) return undefined;
    sum += line.quantity * line.unitAmount;
  }
  return sum === command.totalMinor ? cart : undefined;
}

/** Metadata keys the adapter sets itself; `additionalInformation` cannot overwrite them. */
export const GR4VY_RESERVED_METADATA_KEYS = ['orderReference', 'sessionId'] as const;

/**
 * Gr4vy metadata is string → string. Every `additionalInformation` entry is
 * stringified (null/undefined dropped, objects JSON-encoded), then our own
 * keys (`orderReference`, `sessionId`) are written last: on a clash OUR value
 * wins, so a merchant-supplied `orderReference` cannot disguise the order.
 */
export function toGr4vyMetadata(
  command: Pick<CreateProviderSessionCommand, 'additionalInformation' | 'orderReference' | 'sessionId'>,
): Record<string, string> {
  const metadata: Record<string, string> = {};
  // Typed string→string, but it comes from JSON: treat the values as unknown.
  const extra: Record<string, unknown> = command.additionalInformation ?? {};
  for (const [key, value] of Object.entries(extra)) {
    const text = stringifyMetadataValue(value);
    if (text !== undefined) metadata[key] = text;
  }
  metadata.orderReference = command.orderReference;
  metadata.sessionId = command.sessionId;
  return metadata;
}

function stringifyMetadataValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Guest buyer: billing details from the customer and the billing address;
 * shipping details (same names/contact) only when there is a shipping address.
 * Empty or blank values are omitted (Gr4vy's minLength is 1), overlong ones
 * clipped to Gr4vy's maxLength, a phone kept only when it is E.164 (spaces,
 * dashes, dots and brackets are stripped first), a country only when ISO
 * alpha-2. Returns `undefined` when nothing is left.
 */
export function toGr4vyBuyer(customer: ProviderCustomer | undefined): GuestBuyer | undefined {
  if (!customer) return undefined;
  const contact = toContact(customer);
  const buyer: GuestBuyer = {};

  const billingDetails: BillingDetails = { ...contact };
  const billingAddress = toGr4vyAddress(customer.billingAddress);
  if (billingAddress !== undefined) billingDetails.address = billingAddress;
  if (Object.keys(billingDetails).length > 0) buyer.billingDetails = billingDetails;

  const shippingAddress = toGr4vyAddress(customer.shippingAddress);
  if (shippingAddress !== undefined) {
    const shippingDetails: ShippingDetailsCreate = { ...contact, address: shippingAddress };
    buyer.shippingDetails = shippingDetails;
  }
  return Object.keys(buyer).length > 0 ? buyer : undefined;
}

type Contact = Pick<BillingDetails, 'firstName' | 'lastName' | 'emailAddress' | 'phoneNumber'>;

function toContact(customer: ProviderCustomer): Contact {
  const contact: Contact = {};
  const firstName = clip(customer.firstName, 255);
  if (firstName !== undefined) contact.firstName = firstName;
  const lastName = clip(customer.lastName, 255);
  if (lastName !== undefined) contact.lastName = lastName;
  const email = customer.email?.trim();
  // A clipped e-mail address would be a different address: drop it instead.
  if (email && [...email].length <= 320) contact.emailAddress = email;
  const phone = toE164(customer.phone);
  if (phone !== undefined) contact.phoneNumber = phone;
  return contact;
}

/** The phone number in E.164 form, or undefined when it is not one. */
export function toE164(phone: string | undefined): string | undefined {
  if (phone === undefined) return undefined;
  const compact = phone.replace(/[\s\-().]/g, '');
  return GR4VY_E164_PATTERN.test(compact) ? compact : undefined;
}

export function toGr4vyAddress(address: ProviderAddress | undefined): Address | undefined {
  if (!address) return undefined;
  const out: Address = {};
  const line1 = clip(address.line1, 255);
  if (line1 !== undefined) out.line1 = line1;
  const line2 = clip(address.line2, 255);
  if (line2 !== undefined) out.line2 = line2;
  const city = clip(address.city, 100);
  if (city !== undefined) out.city = city;
  const state = clip(address.state, 255);
  if (state !== undefined) out.state = state;
  const postalCode = clip(address.postalCode, 50);
  if (postalCode !== undefined) out.postalCode = postalCode;
  const country = address.country?.trim().toUpperCase();
  if (country !== undefined && COUNTRY_PATTERN.test(country)) out.country = country;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Trimmed, clipped to `max` code points (Gr4vy counts characters, not UTF-16 units); undefined when blank. */
function clip(value: string | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const chars = [...trimmed];
  return chars.length > max ? chars.slice(0, max).join('').trimEnd() : trimmed;
}

/* ------------------------------------------------------------------------ */
/* Failure classification                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Maps whatever the SDK call threw to a classified ProviderError.
 *
 * - An HTTP response that arrived is authoritative: 5xx → `server`, 429 →
 *   `rate_limited`, other 4xx → `rejected` (status, Gr4vy's `code` and a short
 *   reason from its `message` kept). A 2xx that does not parse as a checkout
 *   session (`ResponseValidationError`, a malformed JSON `SyntaxError`, an
 *   unexpected content type surfacing as `SDKError`) → `server`.
 * - `timedOut` (our own deadline fired) or `RequestTimeoutError` / an abort
 *   whose reason is a `TimeoutError` → `timeout`.
 * - `ConnectionError`, `RequestAbortedError` (the caller aborted), a fetch
 *   `TypeError`, `UnexpectedClientError` and anything unrecognised → `network`.
 * - `SDKValidationError` / `InvalidRequestError` (the SDK refused our request
 *   before sending it) → `rejected`.
 *
 * Messages never contain the request body, buyer data or raw response bodies;
 * the SDK error is attached as `cause` only for transport failures, because
 * the others carry request/response payloads.
 */
export function classifyGr4vyFailure(error: unknown, context: { timedOut: boolean }): ProviderError {
  if (error instanceof ProviderError) return error;

  // Must precede the Gr4vyError branch (it is a subclass) and the
  // SDKValidationError one (whose Symbol.hasInstance also matches it).
  if (error instanceof ResponseValidationError) {
    return new ProviderError(
      'server',
      `Gr4vy response (HTTP ${error.statusCode}) does not match the expected schema`,
      error.statusCode,
      'invalid_response',
    );
  }
  if (error instanceof Gr4vyError) return classifyHttpError(error);
  if (error instanceof SyntaxError) {
    return new ProviderError('server', 'Gr4vy response is not valid JSON', undefined, 'invalid_response');
  }

  if (context.timedOut || error instanceof RequestTimeoutError || hasName(error, 'TimeoutError')) {
    return new ProviderError('timeout', 'Gr4vy did not answer before the deadline', undefined, undefined, {
      cause: error,
    });
  }

  if (error instanceof SDKValidationError || error instanceof InvalidRequestError) {
    const where = error instanceof SDKValidationError ? issuePaths(error.cause) : '';
    return new ProviderError(
      'rejected',
      `Gr4vy SDK refused the request before sending it${where ? ` (invalid: ${where})` : ''}`,
      undefined,
      'invalid_request',
    );
  }

  if (error instanceof RequestAbortedError || hasName(error, 'AbortError')) {
    return new ProviderError(
      'network',
      'Gr4vy call aborted before a response arrived',
      undefined,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (error instanceof ConnectionError || error instanceof TypeError) {
    return new ProviderError('network', 'Gr4vy unreachable (connection failed)', undefined, undefined, {
      cause: error,
    });
  }
  if (error instanceof UnexpectedClientError) {
    return new ProviderError('network', 'Gr4vy call failed in the HTTP client', undefined, undefined, {
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new ProviderError('network', `Gr4vy call failed unexpectedly (${name})`, undefined, undefined, {
    cause: error,
  });
}

function classifyHttpError(error: Gr4vyError): ProviderError {
  const status = error.statusCode;
  const { code, reason } = describeHttpError(error);
  const kind =
    status >= 500 ? 'server' : status === 429 ? 'rate_limited' : status >= 400 ? 'rejected' : 'server';
  const head =
    status >= 400 ? `Gr4vy responded HTTP ${status}` : `Gr4vy sent an unexpected response (HTTP ${status})`;
  const message = `${head}${code ? ` ${code}` : ''}${reason ? `: ${reason}` : ''}`;
  return new ProviderError(kind, message, status, code);
}

/** Gr4vy's error `code` and a short, single-line reason; never the raw body. */
function describeHttpError(error: Gr4vyError): { code?: string; reason?: string } {
  if (error instanceof HTTPValidationError) {
    const locations = (error.detail ?? []).slice(0, 5).map((d) => d.loc.join('.'));
    return {
      code: 'validation_error',
      reason: locations.length > 0 ? `validation failed at ${locations.join(', ')}` : 'validation failed',
    };
  }
  if (error instanceof SDKError) {
    // The fallback for statuses without a dedicated class (e.g. 503, 418):
    // its message embeds the raw body, so read Gr4vy's error JSON instead.
    return readGr4vyErrorBody(error.body);
  }
  // Error400 … Error504: `code` and `details` from Gr4vy's body; the Error's
  // message is Gr4vy's `message`.
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const pointers =
    'details' in error && Array.isArray(error.details)
      ? error.details
          .map((d: unknown) => (isRecord(d) && typeof d.pointer === 'string' ? d.pointer : undefined))
          .filter((p): p is string => !!p)
          .slice(0, 5)
      : [];
  const reason = shortReason(
    pointers.length > 0 ? `${error.message} (at ${pointers.join(', ')})` : error.message,
  );
  return { code, reason };
}

function readGr4vyErrorBody(body: string): { code?: string; reason?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isRecord(parsed) || parsed.type !== 'error') return {};
  return {
    code: typeof parsed.code === 'string' ? shortReason(parsed.code) : undefined,
    reason: typeof parsed.message === 'string' ? shortReason(parsed.message) : undefined,
  };
}

/** The paths of a ZodError's issues (never the offending values). */
function issuePaths(cause: unknown): string {
  if (!isRecord(cause) || !Array.isArray(cause.issues)) return '';
  return cause.issues
    .map((issue: unknown) =>
      isRecord(issue) && Array.isArray(issue.path) ? issue.path.map((p: unknown) => String(p)).join('.') : '',
    )
    .filter((p) => p !== '')
    .slice(0, 5)
    .join(', ');
}
