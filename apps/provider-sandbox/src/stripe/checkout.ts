/**
 * Parameter checks for POST /v1/checkout/sessions, following Stripe's API
 * reference for Checkout Sessions (mode=payment, hosted page). The first
 * problem found is reported, with its `param`, like Stripe does.
 */
import { invalidParam, missingParam } from './errors';
import { isFormObject, type FormObject, type FormValue } from './form';
import type { CaptureMethod } from './state';

/** Top-level parameters Stripe documents for creating a Checkout Session. */
const SESSION_PARAMS = new Set([
  'adaptive_pricing', 'after_expiration', 'allow_promotion_codes', 'automatic_tax', 'billing_address_collection',
  'branding_settings', 'cancel_url', 'client_reference_id', 'consent_collection', 'currency', 'custom_fields',
  'custom_text', 'customer', 'customer_account', 'customer_creation', 'customer_email', 'customer_update',
  'discounts', 'excluded_payment_method_types', 'expand', 'expires_at', 'invoice_creation', 'line_items', 'locale',
  'metadata', 'mode', 'name_collection', 'optional_items', 'origin_context', 'payment_intent_data',
  'payment_method_collection', 'payment_method_configuration', 'payment_method_data', 'payment_method_options',
  'payment_method_types', 'permissions', 'phone_number_collection', 'redirect_on_completion', 'return_url',
  'saved_payment_method_options', 'setup_intent_data', 'shipping_address_collection', 'shipping_options',
  'submit_type', 'subscription_data', 'success_url', 'tax_id_collection', 'ui_mode', 'wallet_options',
]); // prettier-ignore
const LINE_ITEM_PARAMS = new Set([
  'adjustable_quantity',
  'dynamic_tax_rates',
  'metadata',
  'price',
  'price_data',
  'quantity',
  'tax_rates',
]);
const PRICE_DATA_PARAMS = new Set([
  'currency',
  'product',
  'product_data',
  'recurring',
  'tax_behavior',
  'unit_amount',
  'unit_amount_decimal',
]);
const PRODUCT_DATA_PARAMS = new Set(['description', 'images', 'metadata', 'name', 'tax_code', 'unit_label']);
const PAYMENT_INTENT_DATA_PARAMS = new Set([
  'application_fee_amount', 'capture_method', 'description', 'metadata', 'on_behalf_of', 'receipt_email',
  'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data',
  'transfer_group',
]); // prettier-ignore
const CAPTURE_METHODS: readonly CaptureMethod[] = ['automatic', 'automatic_async', 'manual'];

const MAX_AMOUNT = 99_999_999;
const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 60 * 60;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface LineItemInput {
  name: string;
  currency: string;
  unitAmount: number;
  quantity: number;
}

export interface CheckoutSessionInput {
  mode: 'payment';
  lineItems: LineItemInput[];
  currency: string;
  amountTotal: number;
  successUrl: string;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  customerEmail: string | null;
  expiresAt: number;
  metadata: Record<string, string>;
  locale: string | null;
  paymentMethodTypes: string[];
  /** payment_intent_data[capture_method]: manual leaves a paid session's PaymentIntent at requires_capture. */
  captureMethod: CaptureMethod;
}

function checkKnown(value: FormObject, known: Set<string>, prefix: string) {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      const param = prefix ? `${prefix}[${key}]` : key;
      throw invalidParam(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
    }
  }
}

function stringParam(value: FormValue | undefined, param: string, required: true): string;
function stringParam(value: FormValue | undefined, param: string, required: false): string | null;
function stringParam(value: FormValue | undefined, param: string, required: boolean): string | null {
  if (value === undefined) {
    if (required) throw missingParam(param);
    return null;
  }
  if (typeof value !== 'string') throw invalidParam(`Invalid string: ${param} must be a string`, param);
  if (value === '') {
    if (!required) return null;
    throw invalidParam(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      param,
      'parameter_invalid_empty',
    );
  }
  return value;
}

function integerParam(value: FormValue | undefined, param: string, min: number, max: number): number {
  if (value === undefined) throw missingParam(param);
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
    throw invalidParam(
      `Invalid integer: ${typeof value === 'string' ? value : param}`,
      param,
      'parameter_invalid_integer',
    );
  }
  const n = Number(value);
  if (n < min) throw invalidParam(`This value must be greater than or equal to ${min}.`, param);
  if (n > max) throw invalidParam(`This value must be less than or equal to ${max}.`, param);
  return n;
}

function urlParam(value: FormValue | undefined, param: string, required: boolean): string | null {
  const raw = required ? stringParam(value, param, true) : stringParam(value, param, false);
  if (raw === null) return null;
  let ok = false;
  try {
    const url = new URL(raw);
    ok = url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) throw invalidParam('Not a valid URL', param, 'url_invalid');
  return raw;
}

/** Array parameters arrive as arrays (`a[0]=`) or integer-keyed hashes; holes are an error. */
function arrayParam(value: FormValue | undefined, param: string): FormValue[] | undefined {
  if (value === undefined) return undefined;
  let items: (FormValue | undefined)[];
  if (Array.isArray(value)) items = value;
  else if (isFormObject(value) && Object.keys(value).every((k) => /^\d+$/.test(k))) {
    items = [];
    for (const [k, v] of Object.entries(value)) items[Number(k)] = v;
  } else {
    throw invalidParam(`Invalid array: ${param} must be an array`, param);
  }
  for (let i = 0; i < items.length; i++) {
    if (items[i] === undefined)
      throw invalidParam(`Invalid array: ${param} has no index ${i}`, `${param}[${i}]`);
  }
  return items as FormValue[];
}

function metadataParam(value: FormValue | undefined, param: string): Record<string, string> {
  if (value === undefined || value === '') return {};
  if (!isFormObject(value)) throw invalidParam(`Invalid hash: ${param} must be a hash`, param);
  const keys = Object.keys(value);
  if (keys.length > 50) throw invalidParam('Metadata can have at most 50 keys.', param);
  const out: Record<string, string> = {};
  for (const key of keys) {
    const v = value[key];
    const p = `${param}[${key}]`;
    if (key.length > 40) throw invalidParam(`Metadata keys can be at most 40 characters: ${key}`, p);
    if (typeof v !== 'string') throw invalidParam(`Invalid string: ${p} must be a string`, p);
    if (v.length > 500) throw invalidParam('Metadata values can be at most 500 characters.', p);
    out[key] = v;
  }
  return out;
}

function lineItem(raw: FormValue, index: number): LineItemInput {
  const p = `line_items[${index}]`;
  if (!isFormObject(raw)) throw invalidParam(`Invalid hash: ${p} must be a hash`, p);
  checkKnown(raw, LINE_ITEM_PARAMS, p);
  if (raw.price !== undefined) {
    const price = stringParam(raw.price, `${p}[price]`, true);
    throw invalidParam(`No such price: '${price}'`, `${p}[price]`, 'resource_missing');
  }
  const quantity = integerParam(raw.quantity, `${p}[quantity]`, 1, 999_999);
  if (raw.price_data === undefined) {
    throw invalidParam(
      `You must specify either \`price\` or \`price_data\` in ${p}.`,
      `${p}[price_data]`,
      'parameter_missing',
    );
  }
  const pd = raw.price_data;
  const pdp = `${p}[price_data]`;
  if (!isFormObject(pd)) throw invalidParam(`Invalid hash: ${pdp} must be a hash`, pdp);
  checkKnown(pd, PRICE_DATA_PARAMS, pdp);
  if (pd.recurring !== undefined) {
    throw invalidParam('Recurring prices are not allowed in `payment` mode.', `${pdp}[recurring]`);
  }
  const currency = stringParam(pd.currency, `${pdp}[currency]`, true);
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalidParam(
      `Invalid currency: ${currency}. The sandbox expects a three-letter lowercase ISO currency code.`,
      `${pdp}[currency]`,
    );
  }
  if (pd.unit_amount_decimal !== undefined) {
    throw invalidParam(
      'The sandbox supports unit_amount only, not unit_amount_decimal.',
      `${pdp}[unit_amount_decimal]`,
    );
  }
  const unitAmount = integerParam(pd.unit_amount, `${pdp}[unit_amount]`, 0, MAX_AMOUNT);
  if (pd.product !== undefined) {
    const product = stringParam(pd.product, `${pdp}[product]`, true);
    throw invalidParam(`No such product: '${product}'`, `${pdp}[product]`, 'resource_missing');
  }
  const prod = pd.product_data;
  const prodp = `${pdp}[product_data]`;
  if (prod === undefined) {
    throw invalidParam(
      `You must specify either \`product\` or \`product_data\` in ${pdp}.`,
      prodp,
      'parameter_missing',
    );
  }
  if (!isFormObject(prod)) throw invalidParam(`Invalid hash: ${prodp} must be a hash`, prodp);
  checkKnown(prod, PRODUCT_DATA_PARAMS, prodp);
  const name = stringParam(prod.name, `${prodp}[name]`, true);
  return { name, currency, unitAmount, quantity };
}

function captureMethodParam(value: FormValue | undefined): CaptureMethod {
  if (value === undefined) return 'automatic';
  const p = 'payment_intent_data';
  if (!isFormObject(value)) throw invalidParam(`Invalid hash: ${p} must be a hash`, p);
  checkKnown(value, PAYMENT_INTENT_DATA_PARAMS, p);
  const method = stringParam(value.capture_method, `${p}[capture_method]`, false);
  if (method === null) return 'automatic';
  if (!(CAPTURE_METHODS as readonly string[]).includes(method)) {
    throw invalidParam(
      `Invalid ${p}[capture_method]: must be one of ${CAPTURE_METHODS.join(', ')}`,
      `${p}[capture_method]`,
    );
  }
  return method as CaptureMethod;
}

export function parseCheckoutSessionParams(params: FormObject, nowSeconds: number): CheckoutSessionInput {
  checkKnown(params, SESSION_PARAMS, '');

  const mode = stringParam(params.mode, 'mode', true);
  if (mode !== 'payment' && mode !== 'setup' && mode !== 'subscription') {
    throw invalidParam(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
  }
  if (mode !== 'payment')
    throw invalidParam(`The sandbox only simulates mode=payment (got ${mode}).`, 'mode');

  const uiMode = stringParam(params.ui_mode, 'ui_mode', false);
  if (uiMode !== null && uiMode !== 'hosted') {
    throw invalidParam(`The sandbox only simulates ui_mode=hosted (got ${uiMode}).`, 'ui_mode');
  }

  const rawItems = arrayParam(params.line_items, 'line_items');
  if (rawItems === undefined || rawItems.length === 0) {
    throw invalidParam('`line_items` is required in `payment` mode.', 'line_items', 'parameter_missing');
  }
  const lineItems = rawItems.map((item, i) => lineItem(item, i));
  const currency = lineItems[0].currency;
  lineItems.forEach((item, i) => {
    if (item.currency !== currency) {
      throw invalidParam(
        'All line items must be in the same currency.',
        `line_items[${i}][price_data][currency]`,
      );
    }
  });
  const topCurrency = stringParam(params.currency, 'currency', false);
  if (topCurrency !== null && topCurrency.toLowerCase() !== currency) {
    throw invalidParam('`currency` must match the currency of the line items.', 'currency');
  }
  const amountTotal = lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  if (amountTotal > MAX_AMOUNT) {
    throw invalidParam(
      `The total amount must be no more than ${MAX_AMOUNT}.`,
      'line_items',
      'amount_too_large',
    );
  }

  const successUrl = urlParam(params.success_url, 'success_url', true) as string;
  const cancelUrl = urlParam(params.cancel_url, 'cancel_url', false);

  const clientReferenceId = stringParam(params.client_reference_id, 'client_reference_id', false);
  if (clientReferenceId !== null && clientReferenceId.length > 200) {
    throw invalidParam('client_reference_id must be at most 200 characters.', 'client_reference_id');
  }
  const customerEmail = stringParam(params.customer_email, 'customer_email', false);
  if (customerEmail !== null && !EMAIL_RE.test(customerEmail)) {
    throw invalidParam(`Invalid email address: ${customerEmail}`, 'customer_email', 'email_invalid');
  }

  let expiresAt = nowSeconds + MAX_EXPIRY_S;
  if (params.expires_at !== undefined) {
    expiresAt = integerParam(params.expires_at, 'expires_at', 0, Number.MAX_SAFE_INTEGER);
    if (expiresAt < nowSeconds + MIN_EXPIRY_S) {
      throw invalidParam(
        'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
        'expires_at',
      );
    }
    if (expiresAt > nowSeconds + MAX_EXPIRY_S) {
      throw invalidParam(
        'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
        'expires_at',
      );
    }
  }

  const locale = stringParam(params.locale, 'locale', false);
  const types = arrayParam(params.payment_method_types, 'payment_method_types');
  const paymentMethodTypes = types
    ? types.map((t, i) => stringParam(t, `payment_method_types[${i}]`, true))
    : ['card'];

  return {
    mode: 'payment',
    lineItems,
    currency,
    amountTotal,
    successUrl,
    cancelUrl,
    clientReferenceId,
    customerEmail,
    expiresAt,
    metadata: metadataParam(params.metadata, 'metadata'),
    locale,
    paymentMethodTypes,
    captureMethod: captureMethodParam(params.payment_intent_data),
  };
}
