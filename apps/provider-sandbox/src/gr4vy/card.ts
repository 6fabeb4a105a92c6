/**
 * Card handling for the Secure Fields stand-in. Only derived data is kept:
 * scheme, last four digits, BIN, expiry and the simulated outcome. The full
 * number and the security code are never stored.
 */

export type SimulatedOutcome = 'approve' | 'decline' | 'fail' | 'approval';

/** Test numbers with a fixed outcome (any other Luhn-valid number approves). */
export const DECLINE_CARD = '4000000000000002';
export const FAIL_CARD = '4000000000009995';
/** Answers `buyer_approval_pending` with an approval URL (see gr4vy/approval.ts). */
export const APPROVAL_CARD = '4000000000003220';

export type CardSchemeName =
  'visa' | 'mastercard' | 'amex' | 'discover' | 'diners-club' | 'jcb' | 'unionpay' | 'maestro' | 'other';

export interface StoredCard {
  method: 'card';
  scheme: CardSchemeName;
  /** The last four digits (Gr4vy's `label` for cards). */
  label: string;
  bin: string;
  /** MM/YY */
  expirationDate: string;
  outcome: SimulatedOutcome;
}

export function luhnValid(number: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let digit = number.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function detectScheme(number: string): CardSchemeName {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
  if (/^3(0[0-5]|[689])/.test(number)) return 'diners-club';
  if (/^35(2[89]|[3-8])/.test(number)) return 'jcb';
  if (/^62/.test(number)) return 'unionpay';
  if (/^(50|5[6-9]|6)/.test(number)) return 'maestro';
  return 'other';
}

export function outcomeFor(number: string): SimulatedOutcome {
  if (number === DECLINE_CARD) return 'decline';
  if (number === FAIL_CARD) return 'fail';
  if (number === APPROVAL_CARD) return 'approval';
  return 'approve';
}

/** `MM/YY` → whether the month is 01..12. */
export function expiryMonthValid(expirationDate: string): boolean {
  const month = Number(expirationDate.slice(0, 2));
  return month >= 1 && month <= 12;
}

/** A card is valid through the last day of its expiry month. */
export function isExpired(expirationDate: string, now = new Date()): boolean {
  const month = Number(expirationDate.slice(0, 2));
  const year = 2000 + Number(expirationDate.slice(3, 5));
  const firstOfNextMonth = Date.UTC(year, month, 1);
  return now.getTime() >= firstOfNextMonth;
}

export function toStoredCard(number: string, expirationDate: string): StoredCard {
  return {
    method: 'card',
    scheme: detectScheme(number),
    label: number.slice(-4),
    bin: number.slice(0, number.length >= 16 ? 8 : 6),
    expirationDate,
    outcome: outcomeFor(number),
  };
}

/** For recorded requests: keeps BIN and last four. */
export function maskPan(number: string): string {
  if (number.length < 10) return '*'.repeat(number.length);
  return `${number.slice(0, 6)}${'*'.repeat(number.length - 10)}${number.slice(-4)}`;
}
