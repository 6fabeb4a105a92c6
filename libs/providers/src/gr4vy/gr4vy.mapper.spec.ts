import { CheckoutSessionCreate$outboundSchema } from '@gr4vy/sdk/models/components';
import type { CartItem } from '@gr4vy/sdk/models/components';
import {
  parseGr4vyRouteOptions,
  toE164,
  toGr4vyBuyer,
  toGr4vyCartItems,
  toGr4vyCheckoutSessionCreate,
  toGr4vyMetadata,
} from './gr4vy.mapper';
import { buildCommand, PAYMENT_SERVICE_ID } from './test/gr4vy.fixtures';

const cartTotal = (cart: CartItem[] | null | undefined): number =>
  (cart ?? []).reduce((sum, line) => sum + line.quantity * line.unitAmount, 0);

describe('toGr4vyCheckoutSessionCreate', () => {
  it('maps amount, currency, expiresIn and paymentServiceId from the command and route', () => {
    const body = toGr4vyCheckoutSessionCreate(buildCommand());
    expect(body.amount).toBe(3449);
    expect(body.currency).toBe('EUR');
    expect(body.expiresIn).toBe(3600);
    expect(body.paymentServiceId).toBe(PAYMENT_SERVICE_ID);
  });

  it('passes ttlSeconds through as expiresIn unchanged', () => {
    expect(toGr4vyCheckoutSessionCreate(buildCommand({ ttlSeconds: 86_400 })).expiresIn).toBe(86_400);
    expect(toGr4vyCheckoutSessionCreate(buildCommand({ ttlSeconds: 5400 })).expiresIn).toBe(5400);
  });

  it('omits paymentServiceId when the route has none', () => {
    const body = toGr4vyCheckoutSessionCreate(
      buildCommand({ route: { id: 'gr4vy-any', adapter: 'gr4vy', options: {} } }),
    );
    expect(body).not.toHaveProperty('paymentServiceId');
  });

  it('throws naming the route when paymentServiceId is not a UUID', () => {
    expect(() =>
      toGr4vyCheckoutSessionCreate(
        buildCommand({
          route: { id: 'gr4vy-bad', adapter: 'gr4vy', options: { paymentServiceId: 'stripe' } },
        }),
      ),
    ).toThrow(/gr4vy-bad.*paymentServiceId/);
  });

  it('serialises through the SDK schema to the snake_case body Gr4vy documents', () => {
    const wire = CheckoutSessionCreate$outboundSchema.parse(toGr4vyCheckoutSessionCreate(buildCommand()));
    expect(wire).toEqual({
      amount: 3449,
      currency: 'EUR',
      expires_in: 3600,
      payment_service_id: PAYMENT_SERVICE_ID,
      metadata: {
        channel: 'web',
        orderReference: 'ORDER-42',
        sessionId: '0b7f3a52-6e0c-4f3c-9a51-0a1b2c3d4e5f',
      },
      cart_items: [
        { name: 'Blue mug', sku: 'MUG-BLUE', quantity: 2, unit_amount: 1250 },
        { name: 'Tea', quantity: 1, unit_amount: 499 },
        { name: 'Shipping', quantity: 1, unit_amount: 300, product_type: 'shipping_fee' },
        { name: 'Tax', quantity: 1, unit_amount: 150, product_type: 'sales_tax' },
      ],
      buyer: {
        billing_details: {
          first_name: 'Ada',
          last_name: 'Lovelace',
          email_address: 'ada@example.com',
          phone_number: '+442071838750',
          address: { line1: '10 Downing St', city: 'London', postal_code: 'SW1A 2AA', country: 'GB' },
        },
      },
    });
  });
});

describe('toGr4vyCartItems', () => {
  it('sums exactly to the amount with shipping and tax lines and quantity > 1', () => {
    const command = buildCommand();
    const cart = toGr4vyCartItems(command);
    expect(cart).toHaveLength(4);
    expect(cartTotal(cart)).toBe(command.totalMinor);
    expect(cart?.[2]).toEqual({
      name: 'Shipping',
      quantity: 1,
      unitAmount: 300,
      productType: 'shipping_fee',
    });
    expect(cart?.[3]).toEqual({ name: 'Tax', quantity: 1, unitAmount: 150, productType: 'sales_tax' });
  });

  it('sums exactly to the amount without shipping and tax (no zero lines added)', () => {
    const command = buildCommand({ shippingMinor: 0, taxMinor: 0, totalMinor: 2 * 1250 + 499 });
    const cart = toGr4vyCartItems(command);
    expect(cart?.map((l) => l.name)).toEqual(['Blue mug', 'Tea']);
    expect(cartTotal(cart)).toBe(command.totalMinor);
  });

  it('adds only the shipping line when there is shipping but no tax', () => {
    const command = buildCommand({ taxMinor: 0, totalMinor: 2 * 1250 + 499 + 300 });
    const cart = toGr4vyCartItems(command);
    expect(cart?.map((l) => l.productType)).toEqual([undefined, undefined, 'shipping_fee']);
    expect(cartTotal(cart)).toBe(command.totalMinor);
  });

  it('passes JPY amounts (no minor digits) through unchanged', () => {
    const command = buildCommand({
      currency: 'JPY',
      items: [{ name: 'Bento', quantity: 3, unitPriceMinor: 1200 }],
      shippingMinor: 500,
      taxMinor: 410,
      totalMinor: 3 * 1200 + 500 + 410,
    });
    const body = toGr4vyCheckoutSessionCreate(command);
    expect(body.amount).toBe(4510);
    expect(body.cartItems?.map((l) => l.unitAmount)).toEqual([1200, 500, 410]);
    expect(cartTotal(body.cartItems)).toBe(body.amount);
  });

  it('passes KWD amounts (three minor digits) through unchanged', () => {
    const command = buildCommand({
      currency: 'KWD',
      items: [{ name: 'Dates', quantity: 2, unitPriceMinor: 12_345 }],
      shippingMinor: 1_250,
      taxMinor: 0,
      totalMinor: 2 * 12_345 + 1_250,
    });
    const body = toGr4vyCheckoutSessionCreate(command);
    expect(body.amount).toBe(25_940);
    expect(body.cartItems?.map((l) => l.unitAmount)).toEqual([12_345, 1_250]);
    expect(cartTotal(body.cartItems)).toBe(body.amount);
  });

  it('sends sku only when it is 1..200 characters, clipping longer ones', () => {
    const cart = toGr4vyCartItems(
      buildCommand({
        items: [
          { name: 'A', sku: '   ', quantity: 1, unitPriceMinor: 100 },
          { name: 'B', sku: 'x'.repeat(250), quantity: 1, unitPriceMinor: 100 },
        ],
        shippingMinor: 0,
        taxMinor: 0,
        totalMinor: 200,
      }),
    );
    expect(cart?.[0]).not.toHaveProperty('sku');
    expect(cart?.[1].sku).toHaveLength(200);
  });

  it('omits the cart when the lines do not add up to the total, leaving amount authoritative', () => {
    const command = buildCommand({ totalMinor: 9999 });
    expect(toGr4vyCartItems(command)).toBeUndefined();
    const body = toGr4vyCheckoutSessionCreate(command);
    expect(body).not.toHaveProperty('cartItems');
    expect(body.amount).toBe(9999);
  });

  it('omits the cart when a line has a quantity Gr4vy refuses', () => {
    expect(
      toGr4vyCartItems(
        buildCommand({
          items: [{ name: 'A', quantity: 0, unitPriceMinor: 100 }],
          shippingMinor: 0,
          taxMinor: 0,
          totalMinor: 0,
        }),
      ),
    ).toBeUndefined();
  });

  it('omits the cart when there are no lines at all', () => {
    expect(toGr4vyCartItems({ items: [], shippingMinor: 0, taxMinor: 0, totalMinor: 0 })).toBeUndefined();
  });
});

describe('toGr4vyMetadata', () => {
  it('stringifies every additionalInformation value', () => {
    const loose: Record<string, unknown> = {
      count: 3,
      gift: true,
      tags: ['a', 'b'],
      nothing: null,
      name: 'x',
    };
    const metadata = toGr4vyMetadata({
      orderReference: 'ORDER-1',
      sessionId: 'sess-1',
      additionalInformation: loose as Record<string, string>,
    });
    expect(metadata).toEqual({
      count: '3',
      gift: 'true',
      tags: '["a","b"]',
      name: 'x',
      orderReference: 'ORDER-1',
      sessionId: 'sess-1',
    });
    expect(Object.values(metadata).every((v) => typeof v === 'string')).toBe(true);
  });

  it('keeps our orderReference and sessionId when additionalInformation uses the same keys', () => {
    const metadata = toGr4vyMetadata({
      orderReference: 'ORDER-REAL',
      sessionId: 'sess-real',
      additionalInformation: { orderReference: 'ORDER-FAKE', sessionId: 'sess-fake', other: 'kept' },
    });
    expect(metadata).toEqual({ orderReference: 'ORDER-REAL', sessionId: 'sess-real', other: 'kept' });
  });

  it('always contains orderReference and sessionId, even without additionalInformation', () => {
    expect(toGr4vyMetadata({ orderReference: 'O', sessionId: 'S' })).toEqual({
      orderReference: 'O',
      sessionId: 'S',
    });
  });
});

describe('toGr4vyBuyer', () => {
  const containsEmptyString = (value: unknown): boolean =>
    typeof value === 'string'
      ? value.trim() === ''
      : typeof value === 'object' && value !== null && Object.values(value).some(containsEmptyString);

  it('never sends empty or blank strings', () => {
    const buyer = toGr4vyBuyer({
      firstName: '',
      lastName: '  ',
      email: 'ada@example.com',
      phone: '',
      billingAddress: { line1: '', line2: ' ', city: 'Paris', state: '', postalCode: '', country: 'FR' },
      shippingAddress: { line1: '', city: '' },
    });
    expect(buyer).toEqual({
      billingDetails: { emailAddress: 'ada@example.com', address: { city: 'Paris', country: 'FR' } },
    });
    expect(containsEmptyString(buyer)).toBe(false);
  });

  it('omits a phone number that is not E.164', () => {
    const buyer = toGr4vyBuyer({ firstName: 'Ada', phone: '020 7183 8750' });
    expect(buyer).toEqual({ billingDetails: { firstName: 'Ada' } });
    expect(toE164('+0123456')).toBeUndefined();
    expect(toE164('+1234567890123456')).toBeUndefined();
    expect(toE164('phone')).toBeUndefined();
  });

  it('normalises a formatted international phone number to E.164', () => {
    expect(toE164('+44 (20) 7183-8750')).toBe('+442071838750');
    expect(toGr4vyBuyer({ phone: '+1 415 555 2671' })?.billingDetails?.phoneNumber).toBe('+14155552671');
  });

  it('maps shipping details from the customer and the shipping address', () => {
    const buyer = toGr4vyBuyer({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      billingAddress: { line1: '1 Billing Rd', city: 'London', country: 'gb' },
      shippingAddress: {
        line1: '2 Shipping Ln',
        line2: 'Flat 3',
        city: 'Bath',
        state: 'Somerset',
        postalCode: 'BA1 1AA',
        country: 'GB',
      },
    });
    expect(buyer).toEqual({
      billingDetails: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        emailAddress: 'ada@example.com',
        address: { line1: '1 Billing Rd', city: 'London', country: 'GB' },
      },
      shippingDetails: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        emailAddress: 'ada@example.com',
        address: {
          line1: '2 Shipping Ln',
          line2: 'Flat 3',
          city: 'Bath',
          state: 'Somerset',
          postalCode: 'BA1 1AA',
          country: 'GB',
        },
      },
    });
  });

  it('drops a country that is not ISO alpha-2', () => {
    expect(toGr4vyBuyer({ billingAddress: { city: 'Berlin', country: 'DEU' } })).toEqual({
      billingDetails: { address: { city: 'Berlin' } },
    });
  });

  it('clips overlong values to Gr4vy maxLength', () => {
    const buyer = toGr4vyBuyer({ billingAddress: { city: 'c'.repeat(150), postalCode: '9'.repeat(80) } });
    expect(buyer?.billingDetails?.address?.city).toHaveLength(100);
    expect(buyer?.billingDetails?.address?.postalCode).toHaveLength(50);
  });

  it('returns undefined (no buyer sent) when the customer has nothing usable', () => {
    expect(toGr4vyBuyer(undefined)).toBeUndefined();
    expect(toGr4vyBuyer({ firstName: ' ', phone: 'n/a', billingAddress: {} })).toBeUndefined();
    expect(toGr4vyCheckoutSessionCreate(buildCommand({ customer: undefined }))).not.toHaveProperty('buyer');
  });
});

describe('parseGr4vyRouteOptions', () => {
  const route = (options: Record<string, unknown>) => ({ id: 'gr4vy-main', adapter: 'gr4vy', options });

  it('accepts empty options and both known options', () => {
    expect(parseGr4vyRouteOptions(route({}))).toEqual({});
    expect(
      parseGr4vyRouteOptions(route({ paymentServiceId: PAYMENT_SERVICE_ID, merchantAccountId: 'eu' })),
    ).toEqual({ paymentServiceId: PAYMENT_SERVICE_ID, merchantAccountId: 'eu' });
  });

  it('rejects an unknown option key, naming route and key', () => {
    expect(() => parseGr4vyRouteOptions(route({ apiKey: 'x' }))).toThrow(/gr4vy-main.*"apiKey"/);
  });

  it('rejects a non-UUID paymentServiceId and an empty merchantAccountId, naming route and option', () => {
    expect(() => parseGr4vyRouteOptions(route({ paymentServiceId: 42 }))).toThrow(
      /gr4vy-main.*paymentServiceId/,
    );
    expect(() => parseGr4vyRouteOptions(route({ merchantAccountId: ' ' }))).toThrow(
      /gr4vy-main.*merchantAccountId/,
    );
  });
});
