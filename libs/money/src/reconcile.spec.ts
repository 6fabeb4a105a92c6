import { MoneyError, computeOrderTotal, parseMajorToMinor, reconcileTotal } from './index';
import type { MoneyErrorReason, OrderTotalParts } from './index';

function reasonOf(fn: () => unknown): MoneyErrorReason | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error.reason;
    throw error;
  }
  return undefined;
}

const aud = (amount: number): bigint => parseMajorToMinor(amount, 'AUD');

describe('computeOrderTotal', () => {
  it('adds 1 × 119 + 9.95 shipping + 11.81 tax to 140.76 AUD', () => {
    const parts: OrderTotalParts = {
      items: [{ quantity: 1, unitPriceMinor: aud(119) }],
      shippingMinor: aud(9.95),
      taxMinor: aud(11.81),
    };
    expect(computeOrderTotal(parts)).toBe(14076n);
    expect(computeOrderTotal(parts)).toBe(aud(140.76));
  });

  it('keeps 3 × 0.1 + 0.2 = 0.5 exact', () => {
    const total = computeOrderTotal({
      items: [{ quantity: 3, unitPriceMinor: parseMajorToMinor(0.1, 'USD') }],
      shippingMinor: parseMajorToMinor(0.2, 'USD'),
      taxMinor: 0n,
    });
    expect(total).toBe(parseMajorToMinor(0.5, 'USD'));
  });

  it('sums several lines of mixed bigint and number quantities', () => {
    const total = computeOrderTotal({
      items: [
        { quantity: 2, unitPriceMinor: 1999n },
        { quantity: 3n, unitPriceMinor: 250n },
        { quantity: 0, unitPriceMinor: 100_000n },
      ],
      shippingMinor: 500n,
      taxMinor: 123n,
    });
    expect(total).toBe(2n * 1999n + 3n * 250n + 500n + 123n);
  });

  it('returns shipping + tax for an order with no items', () => {
    expect(computeOrderTotal({ items: [], shippingMinor: 700n, taxMinor: 70n })).toBe(770n);
  });

  it('multiplies large quantities exactly, beyond what a float can hold', () => {
    const huge = computeOrderTotal({
      items: [
        { quantity: Number.MAX_SAFE_INTEGER, unitPriceMinor: 99_999_999n },
        { quantity: 10n ** 30n, unitPriceMinor: 12_345n },
      ],
      shippingMinor: 1n,
      taxMinor: 0n,
    });
    const expected = BigInt(Number.MAX_SAFE_INTEGER) * 99_999_999n + 12_345n * 10n ** 30n + 1n;
    expect(huge).toBe(expected);
    expect(huge.toString()).toBe('12345000000900719916466899845259010');
    // 9007199254740991 × 10^8 − 9007199254740991 = 900719916466899845259009; a float product cannot hold it
    expect(BigInt(Number.MAX_SAFE_INTEGER * 99_999_999)).not.toBe(
      BigInt(Number.MAX_SAFE_INTEGER) * 99_999_999n,
    );
  });

  it('rejects negative or fractional quantities and negative amounts', () => {
    const base = { shippingMinor: 0n, taxMinor: 0n };
    expect(
      reasonOf(() => computeOrderTotal({ ...base, items: [{ quantity: -1, unitPriceMinor: 100n }] })),
    ).toBe('NEGATIVE');
    expect(
      reasonOf(() => computeOrderTotal({ ...base, items: [{ quantity: -1n, unitPriceMinor: 100n }] })),
    ).toBe('NEGATIVE');
    expect(
      reasonOf(() => computeOrderTotal({ ...base, items: [{ quantity: 1.5, unitPriceMinor: 100n }] })),
    ).toBe('NOT_AN_INTEGER');
    expect(
      reasonOf(() => computeOrderTotal({ ...base, items: [{ quantity: NaN, unitPriceMinor: 100n }] })),
    ).toBe('NOT_AN_INTEGER');
    expect(
      reasonOf(() => computeOrderTotal({ ...base, items: [{ quantity: 1, unitPriceMinor: -100n }] })),
    ).toBe('NEGATIVE');
    expect(reasonOf(() => computeOrderTotal({ items: [], shippingMinor: -1n, taxMinor: 0n }))).toBe(
      'NEGATIVE',
    );
    expect(reasonOf(() => computeOrderTotal({ items: [], shippingMinor: 0n, taxMinor: -1n }))).toBe(
      'NEGATIVE',
    );
  });

  it('rejects a float price smuggled past the types and names the field', () => {
    let caught: unknown;
    try {
      computeOrderTotal({
        items: [{ quantity: 1, unitPriceMinor: 9.95 as unknown as bigint }],
        shippingMinor: 0n,
        taxMinor: 0n,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MoneyError);
    expect((caught as MoneyError).reason).toBe('NOT_AN_INTEGER');
    expect((caught as MoneyError).message).toContain('items[0].unitPriceMinor');
  });
});

describe('reconcileTotal', () => {
  const parts: OrderTotalParts = {
    items: [{ quantity: 1, unitPriceMinor: 11_900n }],
    shippingMinor: 995n,
    taxMinor: 1181n,
  };

  it('is ok when the declared total equals the sum of the parts', () => {
    expect(reconcileTotal(14076n, parts)).toEqual({ ok: true });
  });

  it('reports expected and declared totals when they differ by one minor unit', () => {
    expect(reconcileTotal(14077n, parts)).toEqual({
      ok: false,
      expectedMinor: 14076n,
      declaredMinor: 14077n,
    });
    expect(reconcileTotal(14075n, parts)).toEqual({
      ok: false,
      expectedMinor: 14076n,
      declaredMinor: 14075n,
    });
  });

  it('rejects a negative declared total', () => {
    expect(reasonOf(() => reconcileTotal(-1n, parts))).toBe('NEGATIVE');
  });
});
