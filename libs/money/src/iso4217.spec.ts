import {
  ISO4217_TABLE,
  SUPPORTED_CURRENCIES,
  currencyExponent,
  isIso4217Code,
  isSupportedCurrency,
} from './index';

describe('ISO 4217 table', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['CLP', 0],
    ['ISK', 0],
    ['UGX', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['XPF', 0],
    ['PYG', 0],
    ['UYI', 0],
    ['USD', 2],
    ['AUD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['HUF', 2],
    ['XCG', 2],
    ['ZWG', 2],
    ['SLE', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['LYD', 3],
    ['IQD', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('gives %s an exponent of %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
    expect(isSupportedCurrency(code)).toBe(true);
  });

  it.each(['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XBA', 'XBB', 'XBC', 'XBD', 'XTS', 'XXX', 'XSU', 'XUA'])(
    'knows %s but treats it (no minor unit, "N.A.") as not acceptable for checkout',
    (code) => {
      expect(isIso4217Code(code)).toBe(true);
      expect(currencyExponent(code)).toBeUndefined();
      expect(isSupportedCurrency(code)).toBe(false);
      expect(SUPPORTED_CURRENCIES).not.toContain(code);
    },
  );

  it.each(['usd', 'Usd', 'uSD', ' USD', 'USD ', 'USDX', 'US', ''])(
    'is case- and format-sensitive: rejects %p',
    (code) => {
      expect(currencyExponent(code)).toBeUndefined();
      expect(isSupportedCurrency(code)).toBe(false);
      expect(isIso4217Code(code)).toBe(false);
    },
  );

  it.each(['ABC', 'ZZZ', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'does not know %p (no prototype leaks)',
    (code) => {
      expect(currencyExponent(code)).toBeUndefined();
      expect(isSupportedCurrency(code)).toBe(false);
    },
  );

  it.each(['ANG', 'BGN', 'CUC', 'HRK', 'SLL', 'ZWL', 'VEF', 'MRO', 'STD', 'BYR'])(
    'does not accept the withdrawn code %s',
    (code) => {
      expect(currencyExponent(code)).toBeUndefined();
    },
  );

  it('returns undefined rather than throwing for non-string input', () => {
    for (const value of [undefined, null, 840, {}, ['USD']] as unknown[]) {
      expect(currencyExponent(value as string)).toBeUndefined();
      expect(isSupportedCurrency(value)).toBe(false);
    }
  });

  it('holds the whole current list: ~180 unique upper-case codes with unique numeric codes', () => {
    const codes = ISO4217_TABLE.map(([code]) => code);
    const numerics = ISO4217_TABLE.map(([, numeric]) => numeric);
    expect(codes.length).toBeGreaterThanOrEqual(175);
    expect(codes.length).toBeLessThanOrEqual(185);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(numerics).size).toBe(numerics.length);
    for (const [code, numeric, minorUnit] of ISO4217_TABLE) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect(Number.isInteger(numeric) && numeric > 0 && numeric < 1000).toBe(true);
      expect([0, 2, 3, 4, null]).toContain(minorUnit);
    }
  });

  it('has exactly the 13 "N.A." codes, and only they are excluded from SUPPORTED_CURRENCIES', () => {
    const notApplicable = ISO4217_TABLE.filter(([, , minorUnit]) => minorUnit === null).map(([code]) => code);
    expect(notApplicable.sort()).toEqual(
      ['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX'].sort(),
    );
    expect(SUPPORTED_CURRENCIES.length).toBe(ISO4217_TABLE.length - notApplicable.length);
    expect([...SUPPORTED_CURRENCIES]).toEqual([...SUPPORTED_CURRENCIES].sort());
    for (const code of SUPPORTED_CURRENCIES) expect(isSupportedCurrency(code)).toBe(true);
  });
});
