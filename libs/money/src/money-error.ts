/**
 * Stable machine-readable reasons for rejecting an amount. Callers map these to
 * their own transport (HTTP problem types, log fields…); this library knows no HTTP.
 */
export const MONEY_ERROR_REASONS = [
  /** Not a JSON number / decimal string, or NaN / ±Infinity, or a malformed string. */
  'NOT_A_NUMBER',
  /** A minor-unit count or quantity that is not an integer. */
  'NOT_AN_INTEGER',
  /** Below zero. */
  'NEGATIVE',
  /** More fractional digits than the currency's ISO 4217 exponent allows. */
  'TOO_MANY_DECIMALS',
  /** Not an upper-case ISO 4217 code with a minor unit (unknown, lower-case, XAU, XTS…). */
  'UNKNOWN_CURRENCY',
  /** A JSON number whose shortest round-trip decimal has more than 15 significant digits. */
  'IMPRECISE_NUMBER',
  /** Exceeds a cap (provider cap, safe-integer range, input length). */
  'OUT_OF_RANGE',
] as const;

export type MoneyErrorReason = (typeof MONEY_ERROR_REASONS)[number];

export class MoneyError extends Error {
  override readonly name = 'MoneyError';

  constructor(
    readonly reason: MoneyErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export function isMoneyError(value: unknown): value is MoneyError {
  return value instanceof MoneyError;
}
