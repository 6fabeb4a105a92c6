import {
  MAX_AMOUNT_MINOR,
  MAX_DECIMAL_STRING_LENGTH,
  MAX_EXACT_MINOR,
  MoneyError,
  assertWithinCap,
  formatMinorAsDecimalString,
  isMoneyError,
  minorToMajorNumber,
  parseMajorToMinor,
  toSafeNumber,
} from './index';
import type { MoneyErrorReason } from './index';

/** The MoneyError reason `fn` throws, or undefined if it returns; rethrows anything else. */
function reasonOf(fn: () => unknown): MoneyErrorReason | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('parseMajorToMinor', () => {
  describe('0-decimal currencies (JPY)', () => {
    it('converts whole yen 1:1', () => {
      expect(parseMajorToMinor(5, 'JPY')).toBe(5n);
      expect(parseMajorToMinor(1500, 'JPY')).toBe(1500n);
      expect(parseMajorToMinor('1500', 'JPY')).toBe(1500n);
    });
    it('accepts 1.0 JPY (only trailing zeros) as 1', () => {
      expect(parseMajorToMinor(1.0, 'JPY')).toBe(1n);
      expect(parseMajorToMinor('1.0', 'JPY')).toBe(1n);
      expect(parseMajorToMinor('1.000', 'JPY')).toBe(1n);
    });
    it('rejects 1.5 JPY as TOO_MANY_DECIMALS', () => {
      expect(reasonOf(() => parseMajorToMinor(1.5, 'JPY'))).toBe('TOO_MANY_DECIMALS');
      expect(reasonOf(() => parseMajorToMinor('1.5', 'JPY'))).toBe('TOO_MANY_DECIMALS');
    });
  });

  describe('2-decimal currencies (USD, AUD)', () => {
    it('converts 140.76 AUD to 14076', () => {
      expect(parseMajorToMinor(140.76, 'AUD')).toBe(14076n);
      expect(parseMajorToMinor('140.76', 'AUD')).toBe(14076n);
    });
    it('converts amounts whose float value is inexact (0.29, 1.15, 4.35, 1234.56) exactly', () => {
      // 0.29 * 100 === 28.999999999999996 and 1.15 * 100 === 114.99999999999999 in floats
      expect(parseMajorToMinor(0.29, 'USD')).toBe(29n);
      expect(parseMajorToMinor(1.15, 'USD')).toBe(115n);
      expect(parseMajorToMinor(4.35, 'USD')).toBe(435n);
      expect(parseMajorToMinor(1234.56, 'USD')).toBe(123456n);
    });
    it('accepts 1.50 USD (trailing zero) as 150', () => {
      expect(parseMajorToMinor(1.5, 'USD')).toBe(150n);
      expect(parseMajorToMinor('1.50', 'USD')).toBe(150n);
      expect(parseMajorToMinor('1.500000', 'USD')).toBe(150n);
    });
    it('rejects 1.005 USD as TOO_MANY_DECIMALS', () => {
      expect(reasonOf(() => parseMajorToMinor(1.005, 'USD'))).toBe('TOO_MANY_DECIMALS');
      expect(reasonOf(() => parseMajorToMinor('1.005', 'USD'))).toBe('TOO_MANY_DECIMALS');
    });
    it('rejects 1e-7 USD (exponent form of a tiny number) as TOO_MANY_DECIMALS', () => {
      expect(String(1e-7)).toBe('1e-7');
      expect(reasonOf(() => parseMajorToMinor(1e-7, 'USD'))).toBe('TOO_MANY_DECIMALS');
      expect(reasonOf(() => parseMajorToMinor(1.5e-7, 'USD'))).toBe('TOO_MANY_DECIMALS');
    });
    it('accepts 0.01 USD as 1 and 0.000001 USD not at all', () => {
      expect(parseMajorToMinor(0.01, 'USD')).toBe(1n);
      expect(reasonOf(() => parseMajorToMinor(0.000001, 'USD'))).toBe('TOO_MANY_DECIMALS');
    });
  });

  describe('3-decimal currencies (KWD, BHD)', () => {
    it('converts 1.234 KWD to 1234 and 0.005 BHD to 5', () => {
      expect(parseMajorToMinor(1.234, 'KWD')).toBe(1234n);
      expect(parseMajorToMinor(0.005, 'BHD')).toBe(5n);
      expect(parseMajorToMinor('12.3', 'BHD')).toBe(12300n);
    });
    it('rejects a fourth decimal place', () => {
      expect(reasonOf(() => parseMajorToMinor(1.2345, 'KWD'))).toBe('TOO_MANY_DECIMALS');
      expect(reasonOf(() => parseMajorToMinor('0.0001', 'BHD'))).toBe('TOO_MANY_DECIMALS');
    });
  });

  describe('4-decimal currencies (CLF)', () => {
    it('converts 1.2345 CLF to 12345, 1e-4 CLF to 1 and 2.5e21 CLF (exponent form) exactly', () => {
      expect(parseMajorToMinor(1.2345, 'CLF')).toBe(12345n);
      expect(String(1e-4)).toBe('0.0001');
      expect(parseMajorToMinor(1e-4, 'CLF')).toBe(1n);
      expect(parseMajorToMinor(2.5e21, 'CLF')).toBe(25n * 10n ** 24n);
    });
    it('rejects a fifth decimal place', () => {
      expect(reasonOf(() => parseMajorToMinor(1.23456, 'CLF'))).toBe('TOO_MANY_DECIMALS');
    });
  });

  it('keeps 0.1 × 3 + 0.2 = 0.5 exact in minor units', () => {
    const tenCents = parseMajorToMinor(0.1, 'USD');
    const twentyCents = parseMajorToMinor(0.2, 'USD');
    expect(tenCents * 3n + twentyCents).toBe(parseMajorToMinor(0.5, 'USD'));
    expect(tenCents * 3n + twentyCents).toBe(50n);
  });

  it('rejects the float artefact 0.30000000000000004 (and 0.1 * 3) as IMPRECISE_NUMBER', () => {
    expect(reasonOf(() => parseMajorToMinor(0.30000000000000004, 'USD'))).toBe('IMPRECISE_NUMBER');
    expect(reasonOf(() => parseMajorToMinor(0.1 * 3, 'USD'))).toBe('IMPRECISE_NUMBER');
    expect(reasonOf(() => parseMajorToMinor(0.1 + 0.7, 'USD'))).toBe('IMPRECISE_NUMBER'); // 0.7999999999999999
  });

  it('allows 15 significant digits but rejects 16 or more in a number', () => {
    expect(parseMajorToMinor(1234567890123.45, 'USD')).toBe(123456789012345n);
    expect(reasonOf(() => parseMajorToMinor(123456789012.3456, 'KWD'))).toBe('IMPRECISE_NUMBER');
    expect(reasonOf(() => parseMajorToMinor(JSON.parse('9007199254740993') as number, 'JPY'))).toBe(
      'IMPRECISE_NUMBER',
    );
  });

  it('applies no significant-digit limit to decimal strings, which are exact', () => {
    expect(parseMajorToMinor('12345678901234567890.12', 'USD')).toBe(1234567890123456789012n);
  });

  it('converts 1e21 exactly to a bigint, and the cap check then rejects it', () => {
    expect(String(1e21)).toBe('1e+21');
    const minor = parseMajorToMinor(1e21, 'USD');
    expect(minor).toBe(10n ** 23n);
    expect(reasonOf(() => assertWithinCap(minor))).toBe('OUT_OF_RANGE');
    expect(parseMajorToMinor(1.5e21, 'JPY')).toBe(15n * 10n ** 20n);
    expect(parseMajorToMinor(1e300, 'KWD')).toBe(10n ** 303n);
  });

  it('accepts 0 and reads -0 as 0', () => {
    expect(parseMajorToMinor(0, 'USD')).toBe(0n);
    expect(parseMajorToMinor(-0, 'USD')).toBe(0n);
    expect(parseMajorToMinor('0', 'JPY')).toBe(0n);
    expect(parseMajorToMinor('0.00', 'USD')).toBe(0n);
    expect(parseMajorToMinor('0.000000', 'USD')).toBe(0n);
  });

  it('rejects negative amounts as NEGATIVE', () => {
    expect(reasonOf(() => parseMajorToMinor(-1, 'USD'))).toBe('NEGATIVE');
    expect(reasonOf(() => parseMajorToMinor(-0.01, 'USD'))).toBe('NEGATIVE');
    expect(reasonOf(() => parseMajorToMinor(-1e-7, 'USD'))).toBe('NEGATIVE');
    expect(reasonOf(() => parseMajorToMinor('-1', 'USD'))).toBe('NEGATIVE');
    expect(reasonOf(() => parseMajorToMinor('-1.005', 'USD'))).toBe('NEGATIVE');
  });

  it.each([NaN, Infinity, -Infinity])('rejects %p as NOT_A_NUMBER', (value) => {
    expect(reasonOf(() => parseMajorToMinor(value, 'USD'))).toBe('NOT_A_NUMBER');
  });

  it.each([
    ' 1',
    '1 ',
    '1 000',
    ' ',
    '',
    '1e2',
    '1E2',
    '1,5',
    '.5',
    '5.',
    '+5',
    '0x10',
    '1_000',
    '١',
    'NaN',
    'Infinity',
  ])('rejects the string %p as NOT_A_NUMBER', (value) => {
    expect(reasonOf(() => parseMajorToMinor(value, 'USD'))).toBe('NOT_A_NUMBER');
  });

  it('rejects non-number, non-string values as NOT_A_NUMBER', () => {
    for (const value of [null, undefined, true, {}, [], [1], 1n, { valueOf: () => 1 }] as unknown[]) {
      expect(reasonOf(() => parseMajorToMinor(value, 'USD'))).toBe('NOT_A_NUMBER');
    }
  });

  it('rejects over-long strings as OUT_OF_RANGE', () => {
    expect(reasonOf(() => parseMajorToMinor('1'.repeat(MAX_DECIMAL_STRING_LENGTH + 1), 'USD'))).toBe(
      'OUT_OF_RANGE',
    );
    expect(parseMajorToMinor('1'.repeat(MAX_DECIMAL_STRING_LENGTH), 'JPY')).toBe(BigInt('1'.repeat(64)));
  });

  it.each(['ABC', 'usd', 'Usd', '', 'USD '])('rejects the currency %p as UNKNOWN_CURRENCY', (currency) => {
    expect(reasonOf(() => parseMajorToMinor(1, currency))).toBe('UNKNOWN_CURRENCY');
  });

  it.each(['XAU', 'XAG', 'XTS', 'XXX', 'XDR'])(
    'rejects %s (no minor unit) as UNKNOWN_CURRENCY',
    (currency) => {
      expect(reasonOf(() => parseMajorToMinor(1, currency))).toBe('UNKNOWN_CURRENCY');
    },
  );

  it('throws a MoneyError with a stable reason and a human message', () => {
    let caught: unknown;
    try {
      parseMajorToMinor(1.005, 'USD');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MoneyError);
    expect(caught).toBeInstanceOf(Error);
    expect(isMoneyError(caught)).toBe(true);
    const error = caught as MoneyError;
    expect(error.name).toBe('MoneyError');
    expect(error.reason).toBe('TOO_MANY_DECIMALS');
    expect(error.message).toContain('1.005');
    expect(error.message).toContain('USD');
    expect(isMoneyError(new Error('x'))).toBe(false);
  });
});

describe('minorToMajorNumber', () => {
  it.each([
    [14076n, 'AUD', 140.76],
    [5n, 'JPY', 5],
    [1234n, 'KWD', 1.234],
    [12345n, 'CLF', 1.2345],
    [1n, 'USD', 0.01],
    [0n, 'USD', 0],
    [MAX_AMOUNT_MINOR, 'USD', 999999.99],
  ] as const)('turns %s %s into %p', (minor, currency, expected) => {
    expect(minorToMajorNumber(minor, currency)).toBe(expected);
    expect(minorToMajorNumber(Number(minor), currency)).toBe(expected);
  });

  it('round-trips every cent value from 0 to 200000 USD cents', () => {
    const failures: number[] = [];
    for (let cents = 0; cents <= 200_000; cents++) {
      if (parseMajorToMinor(minorToMajorNumber(cents, 'USD'), 'USD') !== BigInt(cents)) failures.push(cents);
    }
    expect(failures).toEqual([]);
  });

  it('round-trips through JSON for 0-, 3- and 4-decimal currencies', () => {
    const failures: string[] = [];
    for (const currency of ['JPY', 'KWD', 'CLF']) {
      for (let minor = 0n; minor <= 50_000n; minor += 7n) {
        const wire: unknown = JSON.parse(JSON.stringify({ amount: minorToMajorNumber(minor, currency) }));
        const amount = (wire as { amount: unknown }).amount;
        if (parseMajorToMinor(amount, currency) !== minor) failures.push(`${minor} ${currency}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('round-trips pseudo-random values up to the provider cap and up to MAX_EXACT_MINOR', () => {
    let seed = 0x2545f491n;
    const next = (bound: bigint): bigint => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return seed % bound;
    };
    const failures: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      for (const bound of [MAX_AMOUNT_MINOR + 1n, MAX_EXACT_MINOR + 1n]) {
        const minor = next(bound);
        for (const currency of ['USD', 'JPY', 'BHD', 'UYW']) {
          if (parseMajorToMinor(minorToMajorNumber(minor, currency), currency) !== minor) {
            failures.push(`${minor} ${currency}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(parseMajorToMinor(minorToMajorNumber(MAX_EXACT_MINOR, 'USD'), 'USD')).toBe(MAX_EXACT_MINOR);
  });

  it('refuses values beyond MAX_EXACT_MINOR as OUT_OF_RANGE', () => {
    expect(reasonOf(() => minorToMajorNumber(MAX_EXACT_MINOR + 1n, 'USD'))).toBe('OUT_OF_RANGE');
    expect(reasonOf(() => minorToMajorNumber(-MAX_EXACT_MINOR - 1n, 'USD'))).toBe('OUT_OF_RANGE');
  });

  it('refuses non-integer minor units and unknown currencies', () => {
    expect(reasonOf(() => minorToMajorNumber(1.5, 'USD'))).toBe('NOT_AN_INTEGER');
    expect(reasonOf(() => minorToMajorNumber(NaN, 'USD'))).toBe('NOT_AN_INTEGER');
    expect(reasonOf(() => minorToMajorNumber(2 ** 53, 'USD'))).toBe('NOT_AN_INTEGER');
    expect(reasonOf(() => minorToMajorNumber(1n, 'XAU'))).toBe('UNKNOWN_CURRENCY');
  });
});

describe('formatMinorAsDecimalString', () => {
  it.each([
    [14076n, 'AUD', '140.76'],
    [1234n, 'KWD', '1.234'],
    [5n, 'JPY', '5'],
    [500n, 'USD', '5.00'],
    [5n, 'USD', '0.05'],
    [0n, 'USD', '0.00'],
    [0n, 'JPY', '0'],
    [1n, 'CLF', '0.0001'],
    [-5n, 'USD', '-0.05'],
    [1234567890123456789012n, 'USD', '12345678901234567890.12'],
  ] as const)('formats %s %s as %p', (minor, currency, expected) => {
    expect(formatMinorAsDecimalString(minor, currency)).toBe(expected);
  });

  it('accepts safe-integer numbers too', () => {
    expect(formatMinorAsDecimalString(14076, 'AUD')).toBe('140.76');
    expect(formatMinorAsDecimalString(-0, 'USD')).toBe('0.00');
  });

  it('rejects unknown currencies', () => {
    expect(reasonOf(() => formatMinorAsDecimalString(1n, 'usd'))).toBe('UNKNOWN_CURRENCY');
  });
});

describe('assertWithinCap', () => {
  it('returns amounts from 0 up to MAX_AMOUNT_MINOR (99_999_999)', () => {
    expect(MAX_AMOUNT_MINOR).toBe(99_999_999n);
    expect(assertWithinCap(0n)).toBe(0n);
    expect(assertWithinCap(MAX_AMOUNT_MINOR)).toBe(MAX_AMOUNT_MINOR);
  });

  it('rejects MAX_AMOUNT_MINOR + 1 as OUT_OF_RANGE and negatives as NEGATIVE', () => {
    expect(reasonOf(() => assertWithinCap(MAX_AMOUNT_MINOR + 1n))).toBe('OUT_OF_RANGE');
    expect(reasonOf(() => assertWithinCap(-1n))).toBe('NEGATIVE');
  });

  it('honours a custom maximum', () => {
    expect(assertWithinCap(10n, 10n)).toBe(10n);
    expect(reasonOf(() => assertWithinCap(11n, 10n))).toBe('OUT_OF_RANGE');
  });

  it('rejects a number passed where a bigint is required', () => {
    expect(reasonOf(() => assertWithinCap(5 as unknown as bigint))).toBe('NOT_AN_INTEGER');
  });
});

describe('toSafeNumber', () => {
  it('converts bigints within ±Number.MAX_SAFE_INTEGER', () => {
    expect(toSafeNumber(14076n)).toBe(14076);
    expect(toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(toSafeNumber(BigInt(Number.MIN_SAFE_INTEGER))).toBe(Number.MIN_SAFE_INTEGER);
  });

  it('throws OUT_OF_RANGE above Number.MAX_SAFE_INTEGER or below MIN_SAFE_INTEGER', () => {
    expect(reasonOf(() => toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n))).toBe('OUT_OF_RANGE');
    expect(reasonOf(() => toSafeNumber(BigInt(Number.MIN_SAFE_INTEGER) - 1n))).toBe('OUT_OF_RANGE');
  });
});
