/**
 * Request shapes from Gr4vy's OpenAPI document (components/schemas), re-expressed
 * by hand. Names follow the document. Limits, patterns, enums, required lists and
 * `additionalProperties: false` are copied as written there.
 *
 * Deliberate simplifications (the sandbox accepts, but does not interpret):
 * - TransactionCreate's provider-specific trees (three_d_secure_data, three_d_secure,
 *   connection_options, browser_info, recipient, integration_client, gift_cards
 *   items) are checked only to be objects.
 * - TransactionCreate.payment_method is checked as a union on `method`: the
 *   `checkout-session` and `card` variants are fully re-expressed; other
 *   methods are recognised but answered 400 by the route (not simulated).
 */
import {
  anyObject,
  arr,
  bool,
  enumOf,
  int,
  literal,
  nullable,
  num,
  obj,
  record,
  str,
  tagged,
  type Infer,
} from '../validation/schema';

const AMOUNT = { min: 0, max: 99999999 } as const;
const COUNTRY = '^[A-Z]{2}$';
const CURRENCY = '^[A-Z]{3}$';
const PHONE = '^\\+[1-9]\\d{1,14}$';

const optStr = (min: number, max?: number) => nullable(str({ min, max }));
const optAmount = () => nullable(int(AMOUNT));
const optCountry = () => nullable(str({ pattern: COUNTRY }));
const optUuid = () => nullable(str({ format: 'uuid' }));
const optBool = () => nullable(bool());
const metadata = () => nullable(record(str()));

export const PRODUCT_TYPES = [
  'physical',
  'discount',
  'shipping_fee',
  'sales_tax',
  'digital',
  'gift_card',
  'store_credit',
  'surcharge',
] as const;

// prettier-ignore
export const TAX_ID_KINDS = [
  'ae.trn', 'au.abn', 'ar.dni', 'ar.cuil', 'ar.cuit', 'br.cnpj', 'br.cpf', 'ca.bn', 'ca.gst_hst', 'ca.pst_bc',
  'ca.pst_mb', 'ca.pst_sk', 'ca.qst', 'ch.vat', 'cl.tin', 'co.itin', 'co.nit', 'co.cc', 'co.ce', 'co.de', 'co.rc',
  'co.ti', 'co.passport', 'es.cif', 'eu.vat', 'gb.vat', 'hk.br', 'id.nik', 'id.npwp', 'in.gst', 'in.pan', 'jp.cn',
  'jp.rn', 'kr.brn', 'li.uid', 'mx.curp', 'mx.rfc', 'my.frp', 'my.itn', 'my.nric', 'my.sst', 'no.vat', 'nz.gst',
  'pe.ruc', 'ph.tin', 'ru.inn', 'ru.kpp', 'sa.vat', 'sg.gst', 'sg.uen', 'th.id', 'th.vat', 'tw.vat', 'us.ein',
  'za.vat', 'bo.ci', 'uy.rut', 'uy.ci',
] as const;

export const TRANSACTION_INTENTS = ['authorize', 'capture'] as const;
export const PAYMENT_SOURCES = ['ecommerce', 'moto', 'recurring', 'installment', 'card_on_file'] as const;
export const CARD_TYPES = ['credit', 'debit', 'prepaid'] as const;

/** components/schemas/CartItem */
export const CartItem = obj(
  {
    name: str({ min: 1, max: 255 }),
    quantity: int({ exclusiveMin: 0, max: 99999999 }),
    unit_amount: int(AMOUNT),
    discount_amount: optAmount(),
    tax_amount: optAmount(),
    external_identifier: optStr(1, 200),
    sku: optStr(1, 200),
    upc: optStr(1, 50),
    product_url: nullable(str()),
    image_url: nullable(str()),
    categories: nullable(arr(str({ min: 1, max: 50 }))),
    product_type: nullable(enumOf(PRODUCT_TYPES)),
    seller_country: optCountry(),
    tax_exempt: optBool(),
    unit_of_measure: optStr(1, 50),
    commodity_code: optStr(1, 50),
    duty_amount: optAmount(),
    shipping_amount: optAmount(),
  },
  { required: ['name', 'quantity', 'unit_amount'], additional: false },
);

/** components/schemas/Address */
export const Address = obj(
  {
    city: optStr(1, 100),
    country: optCountry(),
    postal_code: optStr(1, 50),
    state: optStr(1, 255),
    state_code: nullable(str({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' })),
    house_number_or_name: optStr(1, 255),
    line1: optStr(1, 255),
    line2: optStr(1, 255),
    organization: optStr(1, 255),
  },
  { additional: false },
);

/** components/schemas/TaxId */
export const TaxId = obj(
  { value: str({ min: 1, max: 50 }), kind: enumOf(TAX_ID_KINDS) },
  { required: ['value', 'kind'], additional: false },
);

/** components/schemas/BillingDetails */
export const BillingDetails = obj(
  {
    first_name: optStr(1, 255),
    last_name: optStr(1, 255),
    email_address: optStr(1, 320),
    phone_number: nullable(str({ pattern: PHONE })),
    address: nullable(Address),
    tax_id: nullable(TaxId),
  },
  { additional: false },
);

/** components/schemas/ShippingDetailsCreate */
export const ShippingDetailsCreate = obj(
  {
    first_name: optStr(1, 255),
    last_name: optStr(1, 255),
    email_address: optStr(1, 320),
    phone_number: nullable(str({ pattern: PHONE })),
    address: nullable(Address),
  },
  { additional: false },
);

/** components/schemas/GuestBuyer */
export const GuestBuyer = obj(
  {
    display_name: optStr(1, 200),
    external_identifier: optStr(1, 200),
    billing_details: nullable(BillingDetails),
    account_number: optStr(1, 200),
    shipping_details: nullable(ShippingDetailsCreate),
  },
  { additional: false },
);

/** components/schemas/AirlineLeg */
export const AirlineLeg = obj(
  {
    arrival_airport: optStr(3, 3),
    arrival_at: nullable(str({ format: 'date-time' })),
    arrival_city: optStr(1, 100),
    arrival_country: optCountry(),
    carrier_code: optStr(2, 3),
    carrier_name: optStr(1),
    iata_designator: optStr(2, 2),
    icao_code: optStr(3, 3),
    coupon_number: optStr(1, 50),
    departure_airport: optStr(3, 3),
    departure_at: nullable(str({ format: 'date-time' })),
    departure_city: optStr(1, 100),
    departure_country: optCountry(),
    departure_tax_amount: optAmount(),
    fare_amount: optAmount(),
    fare_basis_code: optStr(1, 8),
    fee_amount: optAmount(),
    flight_class: optStr(1, 5),
    flight_number: optStr(3, 6),
    route_type: nullable(enumOf(['round_trip', 'one_way'])),
    seat_class: optStr(1, 5),
    stop_over: optBool(),
    tax_amount: optAmount(),
  },
  { additional: false },
);

/** components/schemas/AirlinePassenger */
export const AirlinePassenger = obj(
  {
    age_group: nullable(enumOf(['adult', 'infant'])),
    date_of_birth: nullable(str({ format: 'date' })),
    email_address: optStr(1, 320),
    first_name: optStr(1, 255),
    frequent_flyer_number: optStr(5, 50),
    last_name: optStr(1, 255),
    passport_number: optStr(1, 50),
    phone_number: nullable(str({ pattern: PHONE })),
    ticket_number: optStr(1, 50),
    country_code: optCountry(),
  },
  { additional: false },
);

/** components/schemas/Airline */
export const Airline = obj(
  {
    booking_code: optStr(1, 50),
    is_cardholder_traveling: optBool(),
    issued_address: optStr(1, 255),
    issued_at: nullable(str({ format: 'date-time' })),
    issuing_carrier_code: optStr(2, 3),
    issuing_carrier_name: optStr(1),
    issuing_iata_designator: optStr(2, 2),
    issuing_icao_code: optStr(3, 3),
    legs: nullable(arr(AirlineLeg, { maxItems: 20 })),
    passenger_name_record: optStr(1, 50),
    passengers: nullable(arr(AirlinePassenger, { maxItems: 20 })),
    reservation_system: optStr(1, 200),
    restricted_ticket: optBool(),
    ticket_delivery_method: nullable(enumOf(['electronic', 'other'])),
    ticket_number: optStr(1, 50),
    travel_agency_code: optStr(1, 50),
    travel_agency_invoice_number: optStr(1, 50),
    travel_agency_name: optStr(1, 200),
    travel_agency_plan_name: optStr(1, 200),
  },
  { additional: false },
);

/** components/schemas/CheckoutSessionUpdate (request body of create/update checkout session) */
export const CheckoutSessionUpdate = obj(
  {
    cart_items: nullable(arr(CartItem)),
    metadata: metadata(),
    buyer: nullable(GuestBuyer),
    airline: nullable(Airline),
    amount: optAmount(),
    currency: nullable(str({ pattern: CURRENCY })),
    payment_service_id: optUuid(),
    expires_in: num({ min: 3600, max: 86400 }),
    country: optCountry(),
    is_subsequent_payment: optBool(),
    merchant_initiated: optBool(),
    payment_source: nullable(enumOf(PAYMENT_SOURCES)),
    intent: nullable(enumOf(TRANSACTION_INTENTS)),
  },
  { additional: false },
);
export type CheckoutSessionUpdateBody = Infer<typeof CheckoutSessionUpdate>;

const securityCode = () => nullable(str({ min: 3, max: 4, pattern: '^\\d+$' }));
const cardNumber = () => str({ min: 13, max: 19, pattern: '^\\d+$' });
const expirationDate = () => str({ min: 5, max: 5, pattern: '^\\d{2}/\\d{2}$' });

/** components/schemas/CheckoutSessionCardPaymentMethod */
export const CheckoutSessionCardPaymentMethod = obj(
  {
    method: literal('card'),
    number: cardNumber(),
    expiration_date: expirationDate(),
    security_code: securityCode(),
  },
  { required: ['number', 'expiration_date'], additional: false },
);

/** components/schemas/CheckoutSessionClickToPayPaymentMethod */
export const CheckoutSessionClickToPayPaymentMethod = obj(
  {
    method: literal('click-to-pay'),
    merchant_transaction_id: str(),
    src_correlation_id: str(),
    src_dpa_id: str(),
    src_cx_flow_id: nullable(str()),
  },
  { required: ['merchant_transaction_id', 'src_correlation_id', 'src_dpa_id'], additional: false },
);

/** components/schemas/CheckoutSessionIdPaymentMethod */
export const CheckoutSessionIdPaymentMethod = obj(
  { method: literal('id'), id: str({ format: 'uuid' }), security_code: securityCode() },
  { required: ['id'], additional: false },
);

/** components/schemas/CheckoutSessionSecureFields (body of PUT /checkout/sessions/{id}/fields) */
export const CheckoutSessionSecureFields = obj(
  {
    payment_method: tagged('method', {
      card: CheckoutSessionCardPaymentMethod,
      'click-to-pay': CheckoutSessionClickToPayPaymentMethod,
      id: CheckoutSessionIdPaymentMethod,
    }),
    postal_code: optStr(1, 50),
  },
  { required: ['payment_method'], additional: false },
);
export type CheckoutSessionSecureFieldsBody = Infer<typeof CheckoutSessionSecureFields>;

const redirectUrl = () => nullable(str());

/** components/schemas/CheckoutSessionWithUrlPaymentMethodCreate */
export const CheckoutSessionWithUrlPaymentMethodCreate = obj(
  {
    method: literal('checkout-session'),
    id: str({ format: 'uuid' }),
    external_identifier: optStr(1, 200),
    buyer_id: optUuid(),
    buyer_external_identifier: optStr(1, 200),
    redirect_url: redirectUrl(),
  },
  { required: ['id'], additional: false },
);

/** components/schemas/CardWithUrlPaymentMethodCreate */
export const CardWithUrlPaymentMethodCreate = obj(
  {
    expiration_date: expirationDate(),
    number: cardNumber(),
    buyer_external_identifier: optStr(1, 200),
    buyer_id: optUuid(),
    external_identifier: optStr(1, 200),
    card_type: nullable(enumOf(CARD_TYPES)),
    method: literal('card'),
    security_code: securityCode(),
    redirect_url: redirectUrl(),
  },
  { required: ['expiration_date', 'number'], additional: false },
);

/**
 * `method` values of the other TransactionCreate.payment_method variants
 * (RedirectPaymentMethodCreate, TokenPaymentMethodCreate, wallets, ...).
 * The sandbox recognises them but does not simulate them.
 */
export const UNSIMULATED_METHODS = [
  'id',
  'applepay',
  'googlepay',
  'click-to-pay',
  'network-token',
  'paze',
  'plaid',
  'bank',
  'ach',
  'sepa',
  'bacs',
  'becs',
  'paypal',
  'klarna',
  'afterpay',
  'clearpay',
  'affirm',
  'ideal',
  'sofort',
  'giropay',
  'pix',
  'boleto',
  'oxxo',
  'trustly',
  'alipay',
  'wechat',
] as const;

const unsimulatedMethod = obj({ method: str() });
const unsimulated: Record<string, typeof unsimulatedMethod> = {};
for (const method of UNSIMULATED_METHODS) unsimulated[method] = unsimulatedMethod;

export const TransactionPaymentMethodCreate = tagged('method', {
  'checkout-session': CheckoutSessionWithUrlPaymentMethodCreate,
  card: CardWithUrlPaymentMethodCreate,
  ...unsimulated,
});

/** components/schemas/StatementDescriptor */
export const StatementDescriptor = obj(
  {
    name: optStr(5, 22),
    city: optStr(1, 50),
    country: optCountry(),
    phone_number: nullable(str({ pattern: PHONE })),
    url: optStr(1, 50),
    postal_code: optStr(1, 50),
  },
  { additional: false },
);

/** components/schemas/TransactionCreate (body of POST /transactions) */
export const TransactionCreate = obj(
  {
    amount: int(AMOUNT),
    currency: str({ pattern: CURRENCY }),
    country: optCountry(),
    payment_method: nullable(TransactionPaymentMethodCreate),
    buyer: nullable(GuestBuyer),
    buyer_id: optUuid(),
    buyer_external_identifier: optStr(1, 200),
    gift_cards: nullable(arr(anyObject())),
    external_identifier: optStr(1, 200),
    intent: enumOf(TRANSACTION_INTENTS),
    store: bool(),
    three_d_secure_data: nullable(anyObject()),
    three_d_secure: nullable(anyObject()),
    metadata: metadata(),
    is_subsequent_payment: bool(),
    merchant_initiated: bool(),
    payment_source: enumOf(PAYMENT_SOURCES),
    airline: nullable(Airline),
    cart_items: nullable(arr(CartItem)),
    statement_descriptor: nullable(StatementDescriptor),
    previous_scheme_transaction_id: optStr(1, 100),
    previous_transaction_link_id: optStr(1, 100),
    browser_info: nullable(anyObject()),
    shipping_details_id: optUuid(),
    connection_options: nullable(anyObject()),
    async_capture: bool(),
    anti_fraud_fingerprint: nullable(str()),
    payment_service_id: optUuid(),
    account_funding_transaction: bool(),
    allow_partial_authorization: bool(),
    recipient: nullable(anyObject()),
    installment_count: nullable(int({ min: 1, max: 100 })),
    tax_amount: optAmount(),
    merchant_tax_id: optStr(1, 100),
    purchase_order_number: optStr(1, 100),
    customer_reference_number: optStr(1, 100),
    amount_includes_tax: optBool(),
    supplier_order_number: optStr(1, 100),
    duty_amount: optAmount(),
    shipping_amount: optAmount(),
    integration_client: nullable(anyObject()),
    approval_expires_at: nullable(str({ format: 'date-time' })),
  },
  { required: ['amount', 'currency'], additional: false },
);
export type TransactionCreateBody = Infer<typeof TransactionCreate>;

/** GET /transactions (operation list_transactions): `limit`'s bounds and default, from its query parameter. */
export const LIST_TRANSACTIONS_LIMIT = { min: 1, max: 100, default: 20 } as const;

/**
 * components/schemas/TransactionSummary: the properties of a Transaction that a list shows
 * (the summary has `additionalProperties: false`), in the document's order.
 */
export const TRANSACTION_SUMMARY_FIELDS = [
  'type', 'id', 'reconciliation_id', 'merchant_account_id', 'currency', 'amount', 'status',
  'authorized_amount', 'captured_amount', 'refunded_amount', 'settled_currency', 'settled_amount', 'settled',
  'country', 'external_identifier', 'intent', 'payment_method', 'method', 'instrument_type', 'error_code',
  'payment_service', 'pending_review', 'buyer', 'raw_response_code', 'raw_response_description',
  'shipping_details', 'checkout_session_id', 'gift_card_redemptions', 'gift_card_service', 'created_at',
  'updated_at', 'disputed', 'reauthorized_from_transaction_id',
] as const; // prettier-ignore

/** components/schemas/TransactionCaptureCreate (body of POST /transactions/{transaction_id}/capture) */
export const TransactionCaptureCreate = obj(
  {
    amount: optAmount(),
    airline: nullable(Airline),
    cart_items: nullable(arr(CartItem)),
    final: bool(),
    external_identifier: optStr(1, 300),
    reauthorize_if_authorization_expired: bool(),
  },
  { additional: false },
);
export type TransactionCaptureCreateBody = Infer<typeof TransactionCaptureCreate>;

export const REFUND_TARGET_TYPES = ['payment-method', 'gift-card-redemption'] as const;

/** components/schemas/TransactionRefundCreate (body of POST /transactions/{transaction_id}/refunds) */
export const TransactionRefundCreate = obj(
  {
    amount: optAmount(),
    target_type: enumOf(REFUND_TARGET_TYPES),
    target_id: optUuid(),
    reason: nullable(str({ max: 100 })),
    external_identifier: optStr(1, 300),
  },
  { additional: false },
);
export type TransactionRefundCreateBody = Infer<typeof TransactionRefundCreate>;
