import type Stripe from 'stripe';
import { ProviderError } from '../provider.port';
import {
  parseStripeApiBase,
  parseStripeRouteOptions,
  STRIPE_MAX_EXPIRY_SECONDS,
  STRIPE_MIN_EXPIRY_SECONDS,
  toStripeExpiresAt,
  toStripeLineItems,
  toStripeLocale,
  toStripeMetadata,
  toStripeSessionParams,
  toStripeUnitAmount,
  withSessionIdParam,
} from './stripe.mapper';
import { buildCommand, NOW } from './test/stripe.fixtures';

type LineItem = Stripe.Checkout.SessionCreateParams.LineItem;

const lineTotal = (lines: LineItem[]): number =>
  lines.reduce((sum, line) => sum + (line.quantity ?? 0) * (line.price_data?.unit_amount ?? 0), 0);

function rejectionOf(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw new Error(`expected a ProviderError, got ${String(error)}`);
  }
  throw new Error('expected a ProviderError, nothing was thrown');
}

const order = (
  currency: string,
  items: { name: string; quantity: number; unitPriceMinor: number; sku?: string }[],
  shippingMinor: number,
  taxMinor: number,
) => ({
  currency,
  items,
  shippingMinor,
  taxMinor,
  totalMinor: items.reduce((s, i) => s + i.quantity * i.unitPriceMinor, 0) + shippingMinor + taxMinor,
  orderReference: 'ORDER-1',
});

describe('toStripeLineItems', () => {
  it.each([
    ['USD (2 decimals)', order('USD', [{ name: 'Mug', quantity: 2, unitPriceMinor: 1250 }], 300, 150)],
    ['USD without shipping or tax', order('USD', [{ name: 'Mug', quantity: 3, unitPriceMinor: 999 }], 0, 0)],
    ['JPY (0 decimals)', order('JPY', [{ name: 'Bento', quantity: 3, unitPriceMinor: 1200 }], 500, 410)],
    [
      'JPY without shipping or tax',
      order('JPY', [{ name: 'Bento', quantity: 1, unitPriceMinor: 980 }], 0, 0),
    ],
    [
      'KWD (3 decimals, multiples of 10)',
      order('KWD', [{ name: 'Dates', quantity: 2, unitPriceMinor: 12_340 }], 1_250, 600),
    ],
    [
      'KWD without shipping or tax',
      order('KWD', [{ name: 'Dates', quantity: 7, unitPriceMinor: 5_000 }], 0, 0),
    ],
  ])('%s: Σ unit_amount × quantity equals totalMinor exactly', (_label, command) => {
    const lines = toStripeLineItems(command);
    expect(lineTotal(lines)).toBe(command.totalMinor);
    expect(lines.every((l) => l.price_data?.currency === command.currency.toLowerCase())).toBe(true);
    const names = lines.map((l) => l.price_data?.product_data?.name);
    expect(names.includes('Shipping')).toBe(command.shippingMinor > 0);
    expect(names.includes('Tax')).toBe(command.taxMinor > 0);
  });

  it('maps each item to quantity + price_data (lower-case currency, sku as product metadata), then Shipping and Tax', () => {
    const lines = toStripeLineItems(buildCommand());
    expect(lines).toEqual([
      {
        quantity: 2,
        price_data: {
          currency: 'usd',
          unit_amount: 1250,
          product_data: { name: 'Blue mug', metadata: { sku: 'MUG-BLUE' } },
        },
      },
      { quantity: 1, price_data: { currency: 'usd', unit_amount: 499, product_data: { name: 'Tea' } } },
      { quantity: 1, price_data: { currency: 'usd', unit_amount: 300, product_data: { name: 'Shipping' } } },
      { quantity: 1, price_data: { currency: 'usd', unit_amount: 150, product_data: { name: 'Tax' } } },
    ]);
  });

  it.each([
    ['an item price', order('KWD', [{ name: 'Dates', quantity: 2, unitPriceMinor: 12_345 }], 0, 0)],
    ['the shipping', order('KWD', [{ name: 'Dates', quantity: 1, unitPriceMinor: 1_000 }], 1_255, 0)],
    ['the tax', order('KWD', [{ name: 'Dates', quantity: 1, unitPriceMinor: 1_000 }], 0, 3)],
    ['a BHD price', order('BHD', [{ name: 'Tea', quantity: 1, unitPriceMinor: 1_001 }], 0, 0)],
    ['a JOD price', order('JOD', [{ name: 'Tea', quantity: 1, unitPriceMinor: 1_005 }], 0, 0)],
    ['an OMR price', order('OMR', [{ name: 'Tea', quantity: 1, unitPriceMinor: 999 }], 0, 0)],
    ['a TND price', order('TND', [{ name: 'Tea', quantity: 1, unitPriceMinor: 7 }], 0, 0)],
  ])(
    'a three-decimal amount not a multiple of 10 (%s) → rejected before calling Stripe',
    (_label, command) => {
      const failure = rejectionOf(() => toStripeLineItems(command));
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.providerCode).toBe('amount_not_supported');
      expect(failure.message).toMatch(/multiples of 10/);
      expect(failure.message).toContain(command.currency);
    },
  );

  it('ISK (ISO 0 decimals, Stripe two-decimal) is sent ×100', () => {
    const command = order('ISK', [{ name: 'Wool', quantity: 2, unitPriceMinor: 4_990 }], 500, 0);
    const lines = toStripeLineItems(command);
    expect(lines.map((l) => l.price_data?.unit_amount)).toEqual([499_000, 50_000]);
    expect(lineTotal(lines)).toBe(command.totalMinor * 100);
  });

  it('MGA (ISO 2 decimals, Stripe zero-decimal) is sent ÷100, and fractional ariary is rejected', () => {
    const command = order('MGA', [{ name: 'Vanilla', quantity: 2, unitPriceMinor: 1_500_000 }], 0, 0);
    expect(lineTotal(toStripeLineItems(command))).toBe(command.totalMinor / 100);
    const fractional = order('MGA', [{ name: 'Vanilla', quantity: 1, unitPriceMinor: 1_550 }], 0, 0);
    expect(rejectionOf(() => toStripeLineItems(fractional)).providerCode).toBe('amount_not_supported');
  });

  it('rejects lines that do not add up to totalMinor (Stripe charges the sum of the lines)', () => {
    const failure = rejectionOf(() => toStripeLineItems(buildCommand({ totalMinor: 9999 })));
    expect(failure.kind).toBe('rejected');
    expect(failure.providerCode).toBe('amount_mismatch');
  });

  it('rejects a quantity that is not a positive integer and a negative or fractional price', () => {
    for (const item of [
      { name: 'A', quantity: 0, unitPriceMinor: 100 },
      { name: 'A', quantity: 1.5, unitPriceMinor: 100 },
      { name: 'A', quantity: 1, unitPriceMinor: -1 },
      { name: 'A', quantity: 1, unitPriceMinor: 1.5 },
    ]) {
      const command = { ...order('USD', [item], 0, 0), totalMinor: item.quantity * item.unitPriceMinor };
      expect(rejectionOf(() => toStripeLineItems(command)).providerCode).toBe('invalid_line_item');
    }
  });

  it('collapses more than 100 lines into one line for the whole order, keeping the amount exact', () => {
    const items = Array.from({ length: 101 }, (_, i) => ({
      name: `Item ${i}`,
      quantity: 1,
      unitPriceMinor: 100 + i,
    }));
    const command = order('USD', items, 0, 0);
    const lines = toStripeLineItems(command);
    expect(lines).toEqual([
      {
        quantity: 1,
        price_data: {
          currency: 'usd',
          unit_amount: command.totalMinor,
          product_data: { name: 'Order ORDER-1' },
        },
      },
    ]);
  });

  it('names a blank item "Item" and clips long names to 250 characters', () => {
    const lines = toStripeLineItems(
      order(
        'USD',
        [
          { name: '  ', quantity: 1, unitPriceMinor: 100 },
          { name: 'n'.repeat(300), quantity: 1, unitPriceMinor: 100 },
        ],
        0,
        0,
      ),
    );
    expect(lines[0].price_data?.product_data?.name).toBe('Item');
    expect(lines[1].price_data?.product_data?.name).toHaveLength(250);
  });
});

describe('toStripeUnitAmount', () => {
  it('passes 2- and 0-decimal amounts through unchanged', () => {
    expect(toStripeUnitAmount(1234, 'usd', 'x')).toBe(1234);
    expect(toStripeUnitAmount(1234, 'JPY', 'x')).toBe(1234);
    expect(toStripeUnitAmount(12340, 'KWD', 'x')).toBe(12340);
  });
});

describe('withSessionIdParam', () => {
  const id = '0b7f3a52-6e0c-4f3c-9a51-0a1b2c3d4e5f';

  it('adds ?sessionId= to a URL without a query', () => {
    expect(withSessionIdParam('https://shop.example.com/done', id)).toBe(
      `https://shop.example.com/done?sessionId=${id}`,
    );
  });

  it('keeps an existing query string byte for byte and appends &sessionId=', () => {
    expect(withSessionIdParam('https://shop.example.com/done?order=42&note=a%20b+c&flag', id)).toBe(
      `https://shop.example.com/done?order=42&note=a%20b+c&flag&sessionId=${id}`,
    );
  });

  it('keeps the fragment after the query and a {CHECKOUT_SESSION_ID} template untouched', () => {
    expect(withSessionIdParam('https://shop.example.com/r?cs={CHECKOUT_SESSION_ID}#top', id)).toBe(
      `https://shop.example.com/r?cs={CHECKOUT_SESSION_ID}&sessionId=${id}#top`,
    );
  });

  it('replaces a sessionId parameter already present instead of duplicating it', () => {
    expect(withSessionIdParam('https://shop.example.com/r?sessionId=old&x=1', id)).toBe(
      `https://shop.example.com/r?x=1&sessionId=${id}`,
    );
  });

  it('encodes our id', () => {
    expect(withSessionIdParam('https://a.example/', 'a b&c')).toBe('https://a.example/?sessionId=a%20b%26c');
  });

  it('rejects a relative or non-http(s) URL, naming the field but not the URL', () => {
    for (const url of ['/done', 'javascript:alert(1)', 'ftp://a.example/x']) {
      const failure = rejectionOf(() => withSessionIdParam(url, id, 'redirectUrls.success'));
      expect(failure.kind).toBe('rejected');
      expect(failure.message).toContain('redirectUrls.success');
      expect(failure.message).not.toContain(url);
    }
  });
});

describe('toStripeExpiresAt', () => {
  const nowS = NOW.getTime() / 1000;
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

  it('passes an expiry inside Stripe bounds through, in unix seconds', () => {
    expect(toStripeExpiresAt(at(3600), NOW)).toBe(nowS + 3600);
    expect(toStripeExpiresAt(new Date(NOW.getTime() + 3600_999), NOW)).toBe(nowS + 3600);
  });

  it('clamps a too-early expiry up to at least now + 30 min', () => {
    for (const seconds of [-60, 0, 600, 29 * 60]) {
      const value = toStripeExpiresAt(at(seconds), NOW);
      expect(value).toBeGreaterThanOrEqual(nowS + STRIPE_MIN_EXPIRY_SECONDS);
      expect(value).toBeLessThanOrEqual(nowS + STRIPE_MAX_EXPIRY_SECONDS);
      expect(value).toBeLessThan(nowS + 40 * 60);
    }
  });

  it('clamps a too-late expiry down to at most now + 24 h', () => {
    for (const seconds of [STRIPE_MAX_EXPIRY_SECONDS, STRIPE_MAX_EXPIRY_SECONDS + 1, 7 * 86_400]) {
      const value = toStripeExpiresAt(at(seconds), NOW);
      expect(value).toBeLessThanOrEqual(nowS + STRIPE_MAX_EXPIRY_SECONDS);
      expect(value).toBeGreaterThan(nowS + STRIPE_MAX_EXPIRY_SECONDS - 10 * 60);
    }
  });

  it('gives the same clamped value for calls moments apart (idempotent replays send identical params)', () => {
    const expiresAt = at(10 * 60);
    expect(toStripeExpiresAt(expiresAt, new Date(NOW.getTime() + 10_000))).toBe(
      toStripeExpiresAt(expiresAt, NOW),
    );
  });

  it('rejects an invalid date', () => {
    expect(rejectionOf(() => toStripeExpiresAt(new Date(Number.NaN), NOW)).kind).toBe('rejected');
  });
});

describe('toStripeMetadata', () => {
  it('puts sessionId and orderReference first, and ours win over additionalInformation', () => {
    const metadata = toStripeMetadata({
      sessionId: 'sess-real',
      orderReference: 'ORDER-REAL',
      additionalInformation: { orderReference: 'ORDER-FAKE', sessionId: 'sess-fake', channel: 'web' },
    });
    expect(metadata).toEqual({ sessionId: 'sess-real', orderReference: 'ORDER-REAL', channel: 'web' });
    expect(Object.keys(metadata)).toEqual(['sessionId', 'orderReference', 'channel']);
  });

  it('keeps at most 50 keys, ours included', () => {
    const extra = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, `v${i}`]));
    const metadata = toStripeMetadata({ sessionId: 's', orderReference: 'o', additionalInformation: extra });
    expect(Object.keys(metadata)).toHaveLength(50);
    expect(metadata.sessionId).toBe('s');
    expect(metadata.orderReference).toBe('o');
    expect(metadata.k47).toBe('v47');
    expect(metadata).not.toHaveProperty('k48');
  });

  it('skips keys Stripe refuses (over 40 characters, square brackets, empty) and empty values', () => {
    const metadata = toStripeMetadata({
      sessionId: 's',
      orderReference: 'o',
      additionalInformation: {
        ['k'.repeat(41)]: 'too long',
        ['k'.repeat(40)]: 'fits',
        'a[b]': 'brackets',
        '': 'empty key',
        blank: '',
      },
    });
    expect(metadata).toEqual({ sessionId: 's', orderReference: 'o', ['k'.repeat(40)]: 'fits' });
  });

  it('truncates values to 500 characters without splitting a surrogate pair, and stringifies non-strings', () => {
    const loose: Record<string, unknown> = {
      long: 'x'.repeat(600),
      emoji: `${'x'.repeat(499)}😀`,
      count: 3,
      tags: ['a'],
      nothing: null,
    };
    const metadata = toStripeMetadata({
      sessionId: 's',
      orderReference: 'r'.repeat(700),
      additionalInformation: loose as Record<string, string>,
    });
    expect(metadata.long).toHaveLength(500);
    expect(metadata.orderReference).toHaveLength(500);
    expect(metadata.emoji).toBe('x'.repeat(499));
    expect(metadata.count).toBe('3');
    expect(metadata.tags).toBe('["a"]');
    expect(metadata).not.toHaveProperty('nothing');
  });
});

describe('toStripeLocale', () => {
  it.each([
    ['en_AU', 'en'],
    ['en-US', 'en'],
    ['en_GB', 'en-GB'],
    ['fr_FR', 'fr'],
    ['fr_CA', 'fr-CA'],
    ['pt_BR', 'pt-BR'],
    ['pt-PT', 'pt'],
    ['es_ES', 'es'],
    ['es_MX', 'es-419'],
    ['es-419', 'es-419'],
    ['de', 'de'],
    ['zh_CN', 'zh'],
    ['zh_HK', 'zh-HK'],
    ['zh-Hant', 'zh-TW'],
    ['zh_Hant_TW', 'zh-TW'],
    ['nb_NO', 'nb'],
    ['no', 'nb'],
    ['hi_IN', 'hi-IN'],
    ['JA_jp', 'ja'],
  ])('%s → %s', (input, expected) => {
    expect(toStripeLocale(input)).toBe(expected);
  });

  it.each([['xx_YY'], ['cy_GB'], [''], ['123'], ['auto']])('%s → omitted', (input) => {
    expect(toStripeLocale(input)).toBeUndefined();
  });

  it('omits an absent locale', () => {
    expect(toStripeLocale(undefined)).toBeUndefined();
  });
});

describe('toStripeSessionParams', () => {
  it('builds the whole Checkout Session request', () => {
    const command = buildCommand();
    expect(toStripeSessionParams(command, { now: NOW })).toEqual({
      mode: 'payment',
      line_items: toStripeLineItems(command),
      success_url: `https://shop.example.com/done?order=42&sessionId=${command.sessionId}`,
      cancel_url: `https://shop.example.com/cart?sessionId=${command.sessionId}`,
      expires_at: NOW.getTime() / 1000 + 3600,
      metadata: { sessionId: command.sessionId, orderReference: 'ORDER-42', channel: 'web' },
      client_reference_id: 'ORDER-42',
      customer_email: 'ada@example.com',
      locale: 'en',
    });
  });

  it('sets client_reference_id only up to 200 characters, keeping the reference in metadata', () => {
    const long = 'R'.repeat(201);
    const params = toStripeSessionParams(buildCommand({ orderReference: long }), { now: NOW });
    expect(params).not.toHaveProperty('client_reference_id');
    expect(params.metadata?.orderReference).toBe(long);
    const fits = 'R'.repeat(200);
    expect(
      toStripeSessionParams(buildCommand({ orderReference: fits }), { now: NOW }).client_reference_id,
    ).toBe(fits);
  });

  it('sets customer_email only for a plausible address, and omits locale and email when absent', () => {
    const noCustomer = toStripeSessionParams(buildCommand({ customer: undefined, locale: undefined }), {
      now: NOW,
    });
    expect(noCustomer).not.toHaveProperty('customer_email');
    expect(noCustomer).not.toHaveProperty('locale');
    const bad = toStripeSessionParams(buildCommand({ customer: { email: 'not an email' } }), { now: NOW });
    expect(bad).not.toHaveProperty('customer_email');
  });

  it('throws rejected when a redirect URL is missing', () => {
    for (const redirectUrls of [
      undefined,
      { success: 'https://a.example/ok' },
      { failure: 'https://a.example/ko' },
    ]) {
      const failure = rejectionOf(() => toStripeSessionParams(buildCommand({ redirectUrls }), { now: NOW }));
      expect(failure.kind).toBe('rejected');
      expect(failure.providerCode).toBe('redirect_urls_required');
    }
  });

  it('throws rejected for a KWD order with an amount Stripe cannot take', () => {
    const command = buildCommand({
      currency: 'KWD',
      items: [{ name: 'Dates', quantity: 1, unitPriceMinor: 1_235 }],
      shippingMinor: 0,
      taxMinor: 0,
      totalMinor: 1_235,
    });
    expect(rejectionOf(() => toStripeSessionParams(command, { now: NOW })).kind).toBe('rejected');
  });
});

describe('parseStripeRouteOptions', () => {
  const route = (options: Record<string, unknown>) => ({ id: 'stripe-au', adapter: 'stripe', options });

  it('accepts no options, secretKeyEnv and apiBase', () => {
    expect(parseStripeRouteOptions(route({}))).toEqual({});
    expect(
      parseStripeRouteOptions(
        route({ secretKeyEnv: 'STRIPE_SECRET_KEY_AU', apiBase: 'http://127.0.0.1:4010' }),
      ),
    ).toEqual({ secretKeyEnv: 'STRIPE_SECRET_KEY_AU', apiBase: 'http://127.0.0.1:4010' });
  });

  it('rejects an unknown option, naming route and option', () => {
    expect(() => parseStripeRouteOptions(route({ secretKey: 'sk_test_x' }))).toThrow(
      /stripe-au.*"secretKey"/,
    );
  });

  it('rejects a secretKeyEnv that is not a variable name, without echoing it (it may be a key)', () => {
    const key = 'sk_live_abcdef123456';
    let message = '';
    try {
      parseStripeRouteOptions(route({ secretKeyEnv: key }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/stripe-au.*secretKeyEnv/);
    expect(message).not.toContain(key);
  });

  it('rejects an apiBase that is not a bare http(s) origin', () => {
    for (const apiBase of [
      '127.0.0.1:4010',
      'ftp://a.example',
      'https://a.example/v1',
      'https://u:p@a.example',
      42,
    ]) {
      expect(() => parseStripeRouteOptions(route({ apiBase }))).toThrow(/stripe-au.*apiBase/);
    }
  });
});

describe('parseStripeApiBase', () => {
  it('splits the URL into the SDK host, port and protocol', () => {
    expect(parseStripeApiBase('http://127.0.0.1:4010')).toEqual({
      host: '127.0.0.1',
      port: 4010,
      protocol: 'http',
    });
    expect(parseStripeApiBase('https://api.stripe.com/')).toEqual({
      host: 'api.stripe.com',
      port: 443,
      protocol: 'https',
    });
    expect(parseStripeApiBase('http://sandbox')).toEqual({ host: 'sandbox', port: 80, protocol: 'http' });
    expect(parseStripeApiBase('http://[::1]:8080')).toEqual({ host: '::1', port: 8080, protocol: 'http' });
  });
});
