import { currencyExponent, isIso4217Code } from './iso4217';
import { MoneyError } from './money-error';

/**
 * Conversions between client-facing MAJOR-unit amounts and the integer MINOR
 * units used everywhere inside the service. Floats never do money arithmetic
 * here: every conversion is string/bigint arithmetic on decimal digits.
 *
 * Rule: a JSON number is read as its shortest round-trip decimal (`String(n)`).
 */

/** Largest amount (in minor units) the payment providers accept (Gr4vy's cap). */
export const MAX_AMOUNT_MINOR = 99_999_999n;

/**
 * Every decimal with at most this many significant digits survives a trip
 * through an IEEE-754 double unchanged (DBL_DIG), so such a JSON number can
 * only be the decimal the client wrote. Longer ones may be float artefacts.
 */
export const MAX_SIGNIFICANT_DIGITS = 15;

/** Largest |minor| that `minorToMajorNumber` turns into a number exactly (10^15 - 1). */
export const MAX_EXACT_MINOR = 999_999_999_999_999n;

/** Longest decimal string accepted by `parseMajorToMinor` (bounds bigint work on hostile input). */
export const MAX_DECIMAL_STRING_LENGTH = 64;

/** `String(n)` of a finite, non-negative number: plain (`140.76`) or exponent form (`1e-7`, `1.5e+21`). */
const NUMBER_REPRESENTATION = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;
/** A plain decimal string; the optional sign is only read to report NEGATIVE rather than NOT_A_NUMBER. */
const DECIMAL_STRING = /^(-?)(\d+)(?:\.(\d+))?$/;
const ALL_ZEROS = /^0*$/;

/**
 * Converts a client amount in MAJOR units of `currency` to integer MINOR units, exactly.
 *
 * - a JS number (finite, >= 0) is read as its shortest round-trip decimal, `String(n)`;
 *   `-0` reads as `0`; more than 15 significant digits is rejected as IMPRECISE_NUMBER;
 * - a string must be a plain decimal `^\d+(\.\d+)?$` (no sign, spaces, exponent);
 * - more fractional digits than the currency's ISO 4217 exponent is TOO_MANY_DECIMALS
 *   (trailing zeros are fine: 1.50 USD, 1.0 JPY).
 *
 * Does NOT apply the provider cap: pipe the result through `assertWithinCap`.
 * @throws MoneyError
 */
export function parseMajorToMinor(amount: unknown, currency: string): bigint {
  const exponent = requireExponent(currency);
  if (typeof amount === 'number') return numberToMinor(amount, currency, exponent);
  if (typeof amount === 'string') return decimalStringToMinor(amount, currency, exponent);
  throw new MoneyError(
    'NOT_A_NUMBER',
    `amount must be a JSON number or a decimal string, got ${amount === null ? 'null' : typeof amount}`,
  );
}

/**
 * The MAJOR-unit JS number for `minor` units of `currency`, built from the exact
 * decimal string (14076 AUD → 140.76, 5 JPY → 5, 1234 KWD → 1.234). For
 * |minor| <= MAX_EXACT_MINOR the result's shortest representation is exactly that
 * decimal, so `parseMajorToMinor(minorToMajorNumber(x, c), c) === x`.
 * @throws MoneyError OUT_OF_RANGE beyond MAX_EXACT_MINOR, NOT_AN_INTEGER, UNKNOWN_CURRENCY
 */
export function minorToMajorNumber(minor: bigint | number, currency: string): number {
  const value = toMinorBigInt(minor);
  if (value > MAX_EXACT_MINOR || value < -MAX_EXACT_MINOR) {
    throw new MoneyError(
      'OUT_OF_RANGE',
      `${value} minor units cannot be represented exactly as a number (limit ${MAX_EXACT_MINOR})`,
    );
  }
  return Number(formatMinorAsDecimalString(value, currency));
}

/**
 * The exact MAJOR-unit decimal string for `minor` units of `currency`, always
 * with exactly `exponent` fractional digits: 14076 AUD → "140.76",
 * 1234 KWD → "1.234", 5 JPY → "5", 500 USD → "5.00", -5 USD → "-0.05".
 * @throws MoneyError NOT_AN_INTEGER, UNKNOWN_CURRENCY
 */
export function formatMinorAsDecimalString(minor: bigint | number, currency: string): string {
  const exponent = requireExponent(currency);
  const value = toMinorBigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const integerPart = digits.slice(0, digits.length - exponent);
  const fractionPart = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${integerPart}${exponent > 0 ? `.${fractionPart}` : ''}`;
}

/**
 * Returns `minor` when 0 <= minor <= max (default MAX_AMOUNT_MINOR, the provider cap).
 * @throws MoneyError NEGATIVE or OUT_OF_RANGE
 */
export function assertWithinCap(minor: bigint, max: bigint = MAX_AMOUNT_MINOR): bigint {
  if (typeof minor !== 'bigint') {
    throw new MoneyError('NOT_AN_INTEGER', `amount in minor units must be a bigint, got ${typeof minor}`);
  }
  if (minor < 0n) throw new MoneyError('NEGATIVE', `amount must not be negative, got ${minor} minor units`);
  if (minor > max) {
    throw new MoneyError('OUT_OF_RANGE', `amount of ${minor} minor units exceeds the maximum of ${max}`);
  }
  return minor;
}

/**
 * `minor` as a JS number, for JSON/driver boundaries that need one.
 * @throws MoneyError OUT_OF_RANGE outside ±Number.MAX_SAFE_INTEGER
 */
export function toSafeNumber(minor: bigint): number {
  if (typeof minor !== 'bigint') {
    throw new MoneyError('NOT_AN_INTEGER', `amount in minor units must be a bigint, got ${typeof minor}`);
  }
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MoneyError('OUT_OF_RANGE', `${minor} is outside the safe integer range of a JS number`);
  }
  return Number(minor);
}

function requireExponent(currency: string): number {
  const exponent = currencyExponent(currency);
  if (exponent !== undefined) return exponent;
  if (isIso4217Code(currency)) {
    throw new MoneyError(
      'UNKNOWN_CURRENCY',
      `${currency} has no minor unit and is not accepted for checkout`,
    );
  }
  const raw: unknown = currency; // callers may pass anything at runtime
  const shown = typeof raw === 'string' ? JSON.stringify(raw.slice(0, 16)) : typeof raw;
  throw new MoneyError(
    'UNKNOWN_CURRENCY',
    `currency ${shown} is not a supported ISO 4217 code (upper-case, e.g. "USD")`,
  );
}

function numberToMinor(amount: number, currency: string, exponent: number): bigint {
  if (!Number.isFinite(amount)) {
    throw new MoneyError('NOT_A_NUMBER', `amount must be a finite number, got ${amount}`);
  }
  if (amount < 0) throw new MoneyError('NEGATIVE', `amount must not be negative, got ${amount}`);
  const representation = String(amount); // shortest round-trip decimal; String(-0) === '0'
  const match = NUMBER_REPRESENTATION.exec(representation);
  if (match === null) {
    // Unreachable for finite non-negative numbers; kept so a surprise fails closed.
    throw new MoneyError('NOT_A_NUMBER', `amount ${representation} is not a decimal number`);
  }
  const [, integerDigits, fractionDigits = '', exponentPart = '0'] = match;
  const digits = integerDigits + fractionDigits;
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  if (significant.length > MAX_SIGNIFICANT_DIGITS) {
    throw new MoneyError(
      'IMPRECISE_NUMBER',
      `amount ${representation} has more than ${MAX_SIGNIFICANT_DIGITS} significant digits; ` +
        'send it as a decimal with fewer digits or as a decimal string',
    );
  }
  const scale = fractionDigits.length - Number(exponentPart);
  return scaleToMinor(digits, scale, exponent, representation, currency);
}

function decimalStringToMinor(amount: string, currency: string, exponent: number): bigint {
  if (amount.length > MAX_DECIMAL_STRING_LENGTH) {
    throw new MoneyError(
      'OUT_OF_RANGE',
      `amount string is longer than ${MAX_DECIMAL_STRING_LENGTH} characters`,
    );
  }
  const match = DECIMAL_STRING.exec(amount);
  if (match === null) {
    throw new MoneyError(
      'NOT_A_NUMBER',
      `amount string ${JSON.stringify(amount)} is not a plain decimal like "140.76"`,
    );
  }
  const [, sign, integerDigits, fractionDigits = ''] = match;
  const digits = integerDigits + fractionDigits;
  if (sign === '-' && !ALL_ZEROS.test(digits)) {
    throw new MoneyError('NEGATIVE', `amount must not be negative, got ${amount}`);
  }
  return scaleToMinor(digits, fractionDigits.length, exponent, amount, currency);
}

/** `digits × 10^-scale` in minor units (`× 10^exponent`), or TOO_MANY_DECIMALS if not an integer. */
function scaleToMinor(
  digits: string,
  scale: number,
  exponent: number,
  shown: string,
  currency: string,
): bigint {
  if (ALL_ZEROS.test(digits)) return 0n;
  const shift = exponent - scale;
  if (shift >= 0) return BigInt(digits) * 10n ** BigInt(shift);
  const drop = -shift;
  const trailingZeros = digits.length - digits.replace(/0+$/, '').length;
  if (trailingZeros < drop) {
    throw new MoneyError(
      'TOO_MANY_DECIMALS',
      `amount ${shown} has more decimal places than ${currency} allows (${exponent})`,
    );
  }
  return BigInt(digits.slice(0, digits.length - drop));
}

function toMinorBigInt(minor: bigint | number): bigint {
  if (typeof minor === 'bigint') return minor;
  if (typeof minor === 'number' && Number.isSafeInteger(minor)) return BigInt(minor);
  throw new MoneyError(
    'NOT_AN_INTEGER',
    `amount in minor units must be a bigint or a safe integer, got ${String(minor)}`,
  );
}
