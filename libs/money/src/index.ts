export { MONEY_ERROR_REASONS, MoneyError, isMoneyError } from './money-error';
export type { MoneyErrorReason } from './money-error';
export {
  ISO4217_PUBLISHED,
  ISO4217_TABLE,
  SUPPORTED_CURRENCIES,
  currencyExponent,
  isIso4217Code,
  isSupportedCurrency,
} from './iso4217';
export type { Iso4217Row } from './iso4217';
export {
  MAX_AMOUNT_MINOR,
  MAX_DECIMAL_STRING_LENGTH,
  MAX_EXACT_MINOR,
  MAX_SIGNIFICANT_DIGITS,
  assertWithinCap,
  formatMinorAsDecimalString,
  minorToMajorNumber,
  parseMajorToMinor,
  toSafeNumber,
} from './minor-units';
export { computeOrderTotal, reconcileTotal } from './reconcile';
export type { OrderLine, OrderTotalParts, ReconcileResult } from './reconcile';
